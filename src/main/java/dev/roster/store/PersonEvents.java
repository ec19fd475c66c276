package dev.roster.store;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The events of one person, as a derived table for the read side: {@code FROM <sql> e} with
 * {@link #parameters()} bound first. It holds the rows of {@code all_events} of the project whose
 * {@code person_key} is one of the person's keys (the survivor's and those of merges not yet folded).
 *
 * <p>Shape, measured at 10.7M events (BENCHMARKS.md, "Person lookups by index"): for each key, one
 * scan of {@code events_compacted} whose <em>only</em> filter is {@code person_key = ?}, fenced by
 * {@code OFFSET 0} so that neither the project filter nor the caller's filters (event name, cursor,
 * the Top-N's dynamic filter on {@code ts}) are pushed into it. Only that shape lets DuckDB answer
 * from the ART index {@code events_compacted_person} (V7) and fetch the person's rows by row id;
 * with any other filter in the scan it decompresses the 122,880-row row group holding the person,
 * column by column (6× slower). A person with more than max(2,048, 0.1% of the table) events falls
 * back to the zone-map scan, which is then the cheaper plan anyway. {@code events_recent} (the
 * uncompacted tail, in arrival order) is scanned with the keys pushed down.
 */
public record PersonEvents(String sql, List<Object> parameters) {
    private static final Pattern COLUMNS = Pattern.compile("[a-z_]+(, [a-z_]+)*");

    public PersonEvents {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    /**
     * @param columns the columns the caller reads, e.g. {@code "event_id, name, ts"} (fixed column
     *                names, never user input); {@code project_key} is added
     */
    public static PersonEvents of(int projectKey, List<Long> personKeys, String columns) {
        if (personKeys.isEmpty()) {
            throw new IllegalArgumentException("a person has at least one key");
        }
        if (!COLUMNS.matcher(columns).matches()) {
            throw new IllegalArgumentException("not a column list: " + columns);
        }
        String select = "SELECT project_key, " + columns;
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("(SELECT * FROM (");
        for (Long key : personKeys) {
            sql.append('(').append(select).append(" FROM events_compacted WHERE person_key = ? OFFSET 0) UNION ALL ");
            parameters.add(key);
        }
        sql.append(select).append(" FROM events_recent WHERE person_key IN (").append(Sql.placeholders(personKeys.size()))
                .append(")) WHERE project_key = ?)");
        parameters.addAll(personKeys);
        parameters.add(projectKey);
        return new PersonEvents(sql.toString(), parameters);
    }
}
