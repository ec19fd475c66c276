package dev.roster.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A SQL fragment that selects one column of surviving person keys (as in
 * {@code resolved_events.person_key}) for one project, with its bind parameters. Built by code
 * (populations, report drill-downs), never from user text. Use as
 * {@code person_key IN (<sql>)}.
 */
public record PersonKeyQuery(String sql, List<Object> parameters) {
    public PersonKeyQuery {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }
}
