package dev.roster.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.attribution.ChannelRules;
import dev.roster.project.Project;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a report splits its answer. In a request:
 * <ul>
 *   <li>{@code {"event_property": "plan"}}: the value on the event (in funnels, the step-1 event);</li>
 *   <li>{@code {"person_property": "plan"}}: the person's current profile value;</li>
 *   <li>{@code {"acquisition": "channel"}}: a first-touch field (SPEC §5): channel, referrer,
 *       referring_domain, landing_page, utm_source, utm_medium, utm_campaign, utm_term, utm_content;</li>
 *   <li>{@code {"populations": ["ID", ...]}}: membership, one group per population; a single
 *       population gives its members and everyone else ({@code "Not in <name>"}), see
 *       {@link ReportContext#populationGroups}.</li>
 * </ul>
 * Absent values group under JSON {@code null}.
 */
public sealed interface Breakdown permits Breakdown.EventProperty, Breakdown.PersonProperty, Breakdown.Acquisition, Breakdown.Populations {
    int MAX_POPULATIONS = 10;
    List<String> ACQUISITION_FIELDS = List.of("channel", "referrer", "referring_domain", "landing_page",
            "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content");

    /** A value on the event row. */
    record EventProperty(String property) implements Breakdown {
        public EventProperty {
            requireNonNull(property, "property is null");
        }
    }

    /** A person-profile value. */
    record PersonProperty(String property) implements Breakdown {
        public PersonProperty {
            requireNonNull(property, "property is null");
        }
    }

    /** A first-touch field. */
    record Acquisition(String field) implements Breakdown {
        public Acquisition {
            requireNonNull(field, "field is null");
        }
    }

    /** Membership of saved populations. */
    record Populations(List<String> ids) implements Breakdown {
        public Populations {
            ids = List.copyOf(ids);
        }
    }

    static Optional<Breakdown> parse(JsonNode body, boolean eventPropertyAllowed) {
        JsonNode node = body.get("breakdown");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        Fields.requireObject(node, "breakdown");
        if (node.size() != 1) {
            throw Fields.invalid("breakdown", "must have exactly one of event_property, person_property, acquisition, populations");
        }
        if (node.has("event_property")) {
            if (!eventPropertyAllowed) {
                throw Fields.invalid("breakdown.event_property", "this report cannot break down by an event property");
            }
            String name = Fields.requireText(node, "event_property", "breakdown.event_property");
            return Optional.of(new EventProperty(Fields.propertyName(name, "breakdown.event_property")));
        }
        if (node.has("person_property")) {
            String name = Fields.requireText(node, "person_property", "breakdown.person_property");
            return Optional.of(new PersonProperty(Fields.propertyName(name, "breakdown.person_property")));
        }
        if (node.has("acquisition")) {
            String field = Fields.requireText(node, "acquisition", "breakdown.acquisition");
            if (!ACQUISITION_FIELDS.contains(field)) {
                throw Fields.invalid("breakdown.acquisition", "must be one of " + String.join(", ", ACQUISITION_FIELDS) + ", not '" + field + "'");
            }
            return Optional.of(new Acquisition(field));
        }
        if (node.has("populations")) {
            JsonNode ids = node.get("populations");
            if (!ids.isArray() || ids.isEmpty() || ids.size() > MAX_POPULATIONS) {
                throw Fields.invalid("breakdown.populations", "must be an array of 1 to " + MAX_POPULATIONS + " population ids");
            }
            List<String> list = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (!ids.get(i).isTextual()) {
                    throw Fields.invalid("breakdown.populations[" + i + "]", "must be a population id");
                }
                list.add(Fields.name(ids.get(i).asText(), "breakdown.populations[" + i + "]"));
            }
            return Optional.of(new Populations(list));
        }
        throw Fields.invalid("breakdown", "unknown breakdown " + node.fieldNames().next()
                + "; use event_property, person_property, acquisition or populations");
    }

    /**
     * For a breakdown other than populations: the joins to add after {@code FROM resolved_events e}
     * and the text expression of the value. Person-level values join on {@code e.person_key}.
     */
    static ValueSql valueSql(Breakdown breakdown, Project project) {
        if (breakdown instanceof EventProperty event) {
            return new ValueSql(Fragment.of(""), Fragment.of("json_extract_string(e.properties, ?)", PropertyFilter.jsonPath(event.property())));
        }
        if (breakdown instanceof PersonProperty person) {
            return new ValueSql(Fragment.of(" LEFT JOIN person_properties bp ON bp.project_key = e.project_key "
                    + "AND bp.person_key = e.person_key AND bp.key = ?", person.property()),
                    Fragment.of("json_extract_string(bp.value, '$')"));
        }
        if (breakdown instanceof Acquisition acquisition) {
            Fragment join = Fragment.of(" LEFT JOIN (SELECT person_key, arg_min(properties, ts) AS p FROM resolved_events "
                    + "WHERE project_key = ? GROUP BY person_key) ft ON ft.person_key = e.person_key", project.key());
            return new ValueSql(join, acquisitionValue(acquisition.field()));
        }
        throw new IllegalArgumentException("populations are split by running the report per population");
    }

    /** Joins and the value expression of a breakdown. */
    record ValueSql(Fragment joins, Fragment value) {
    }

    private static Fragment field(String name) {
        return Fragment.of("nullif(trim(json_extract_string(ft.p, ?)), '')", PropertyFilter.jsonPath(name));
    }

    /** The SQL form of the first-touch fields, mirroring {@link ChannelRules} and PeopleService. */
    static Fragment acquisitionValue(String field) {
        switch (field) {
            case "landing_page":
                return new Fragment.Builder().sql("coalesce(").add(field("url")).sql(", ").add(field("path")).sql(")").build();
            case "referring_domain":
                return domain();
            case "channel":
                return channel();
            default:
                return field(field);
        }
    }

    private static Fragment domain() {
        Fragment referrer = field("referrer");
        return new Fragment.Builder()
                .sql("regexp_replace(lower(nullif(regexp_extract(CASE WHEN ").add(referrer).sql(" = '$direct' THEN NULL ELSE ")
                .add(referrer).sql(" END, '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^/?#@]*@)?([^/?#:]+)', 1), '')), '^www\\.', '')")
                .build();
    }

    private static String domainPattern(Set<String> domains, String extra) {
        Set<String> sorted = new TreeSet<>(domains);
        StringBuilder pattern = new StringBuilder("(.*\\.)?(");
        if (extra != null) {
            pattern.append(extra).append('|');
        }
        pattern.append(String.join("|", sorted.stream().map(d -> d.replace(".", "\\.")).toList())).append(')');
        return pattern.toString();
    }

    /** A SQL string literal of a constant from code (never user input). */
    private static String literal(String constant) {
        return "'" + constant.replace("'", "''") + "'";
    }

    private static Fragment channel() {
        Fragment medium = new Fragment.Builder().sql("lower(").add(field("utm_medium")).sql(")").build();
        Fragment domain = domain();
        Fragment.Builder b = new Fragment.Builder().sql("CASE WHEN ").add(medium).sql(" IN (" + String.join(", ",
                ChannelRules.paidMediums().stream().sorted().map(Breakdown::literal).toList()) + ") THEN 'Paid'");
        b.sql(" WHEN ").add(medium).sql(" = 'email' THEN 'Email'");
        b.sql(" WHEN ").add(medium).sql(" = 'social' OR starts_with(").add(medium).sql(", 'social-') THEN 'Social'");
        b.sql(" WHEN ").add(medium).sql(" = 'organic' THEN 'Organic Search'");
        b.sql(" WHEN ").add(field("gclid")).sql(" IS NOT NULL OR ").add(field("fbclid")).sql(" IS NOT NULL OR ")
                .add(field("msclkid")).sql(" IS NOT NULL THEN 'Paid'");
        b.sql(" WHEN regexp_full_match(").add(domain).sql(", " + literal(domainPattern(ChannelRules.searchEngines(),
                "google(\\.[a-z]{2,3}){1,2}")) + ") THEN 'Organic Search'");
        b.sql(" WHEN regexp_full_match(").add(domain).sql(", " + literal(domainPattern(ChannelRules.socialNetworks(), null)) + ") THEN 'Social'");
        b.sql(" WHEN ").add(domain).sql(" IS NOT NULL THEN 'Referral' ELSE 'Direct' END");
        return b.build();
    }
}
