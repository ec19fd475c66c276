package dev.roster.report;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/** A piece of SQL and its bind parameters, in order. Built by code only; user values are always parameters. */
public record Fragment(String sql, List<Object> parameters) {
    public static final Fragment TRUE = new Fragment("TRUE", List.of());

    public Fragment {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    public static Fragment of(String sql, Object... parameters) {
        return new Fragment(sql, List.of(parameters));
    }

    /** Joins fragments with AND; empty gives TRUE. */
    public static Fragment and(List<Fragment> parts) {
        if (parts.isEmpty()) {
            return TRUE;
        }
        StringBuilder sql = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        for (Fragment part : parts) {
            if (sql.length() > 0) {
                sql.append(" AND ");
            }
            sql.append('(').append(part.sql()).append(')');
            parameters.addAll(part.parameters());
        }
        return new Fragment(sql.toString(), parameters);
    }

    /** Accumulates SQL text and parameters side by side. Not thread-safe; one per query. */
    public static final class Builder {
        private final StringBuilder sql = new StringBuilder();
        private final List<Object> parameters = new ArrayList<>();

        public Builder sql(String text) {
            sql.append(text);
            return this;
        }

        public Builder param(String text, Object... values) {
            sql.append(text);
            parameters.addAll(List.of(values));
            return this;
        }

        public Builder add(Fragment fragment) {
            sql.append(fragment.sql());
            parameters.addAll(fragment.parameters());
            return this;
        }

        public Fragment build() {
            return new Fragment(sql.toString(), parameters);
        }
    }
}
