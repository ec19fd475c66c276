package dev.roster.store;

import java.util.List;

/**
 * The typed first-touch (acquisition) columns of {@code person_summary} and the one SQL definition
 * of each, over an event's JSON properties. The summary stores them for the person's earliest
 * event, so acquisition reports scan typed columns instead of parsing a JSON document per person;
 * the event-level paths of the reports use the same expressions, so both agree by construction.
 *
 * <ul>
 *   <li>{@code first_utm_source}, {@code first_utm_medium}, {@code first_utm_campaign},
 *   {@code first_referrer}: the property's scalar value as text (numbers and booleans as their
 *   JSON text); NULL when it is absent, JSON null, an object or an array. Blank values are kept
 *   as they are: readers decide (a blank source is "none", as in {@code ChannelRules});</li>
 *   <li>{@code first_click_id}: whether any of {@code gclid}, {@code fbclid}, {@code msclkid} has
 *   a non-blank scalar value (a paid click, SPEC §5);</li>
 *   <li>{@code first_landing_page}: {@code url}, else {@code path}, the first non-blank.</li>
 * </ul>
 * The channel and the referring domain are derived from these by
 * {@link dev.roster.attribution.ChannelRules} per distinct value (a handful per project), so the
 * Java rules stay the only definition of both.
 */
public final class FirstTouch {
    /** The columns, in table order. */
    public static final List<String> COLUMNS = List.of(
            "first_utm_source", "first_utm_medium", "first_utm_campaign", "first_referrer", "first_click_id", "first_landing_page");

    /** The properties read, in the order of the list {@link #parse} returns. */
    private static final List<String> FIELDS = List.of(
            "utm_source", "utm_medium", "utm_campaign", "referrer", "gclid", "fbclid", "msclkid", "url", "path");

    private FirstTouch() {
    }

    /**
     * One parse of a JSON properties expression into the list of the fields read (a
     * {@code LIST(JSON)}); give it an alias and pass that to {@link #columns}.
     */
    public static String parse(String properties) {
        StringBuilder paths = new StringBuilder();
        for (String field : FIELDS) {
            paths.append(paths.length() == 0 ? "" : ", ").append("'$.").append(field).append('\'');
        }
        return "json_extract(" + properties + ", [" + paths + "])";
    }

    /** The select list {@code <expr> AS first_utm_source, ...} from the alias of a {@link #parse} result. */
    public static String columns(String parsed) {
        String clickId = "coalesce(" + nonBlank(scalar(parsed + "[5]")) + " OR " + nonBlank(scalar(parsed + "[6]")) + " OR "
                + nonBlank(scalar(parsed + "[7]")) + ", false)";
        String url = scalar(parsed + "[8]");
        String path = scalar(parsed + "[9]");
        String landing = "CASE WHEN " + nonBlank(url) + " THEN " + url + " WHEN " + nonBlank(path) + " THEN " + path + " END";
        return scalar(parsed + "[1]") + " AS first_utm_source, " + scalar(parsed + "[2]") + " AS first_utm_medium, "
                + scalar(parsed + "[3]") + " AS first_utm_campaign, " + scalar(parsed + "[4]") + " AS first_referrer, "
                + clickId + " AS first_click_id, " + landing + " AS first_landing_page";
    }

    /** The scalar text of one property of a JSON properties expression (the event-level form of a column). */
    public static String field(String properties, String field) {
        if (!FIELDS.contains(field)) {
            throw new IllegalArgumentException("not a first-touch field: " + field);
        }
        return scalar("json_extract(" + properties + ", '$." + field + "')");
    }

    /** The event-level form of {@code first_click_id}. */
    public static String clickId(String properties) {
        return "coalesce(" + nonBlank(field(properties, "gclid")) + " OR " + nonBlank(field(properties, "fbclid")) + " OR "
                + nonBlank(field(properties, "msclkid")) + ", false)";
    }

    /** The text of a JSON value, NULL for JSON null, objects and arrays. */
    private static String scalar(String json) {
        return "CASE WHEN json_type(" + json + ") NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(" + json + ", '$') END";
    }

    /** True when the text has a non-whitespace character (NULL when the text is NULL). */
    private static String nonBlank(String text) {
        return "regexp_matches(" + text + ", '\\S')";
    }
}
