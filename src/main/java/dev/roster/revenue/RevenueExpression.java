package dev.roster.revenue;

import static java.util.Objects.requireNonNull;

import dev.roster.store.PaymentRule;
import java.util.List;

/**
 * The SQL expression of an event's amount for one project, with its bind parameters in order.
 * It reads the columns {@code properties} and {@code name} of the row it is evaluated on and is
 * NULL for events that carry no revenue. Property names travel as JSON path parameters, never
 * spliced into the SQL.
 */
public record RevenueExpression(String sql, List<Object> parameters) {
    public RevenueExpression {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    /**
     * Builds the expression of a configuration: the same SQL that fills the revenue ledger
     * ({@link PaymentRule#amountSql}), so the ledger and an expression over the events agree.
     */
    public static RevenueExpression of(RevenueConfig config) {
        PaymentRule rule = config.paymentRule();
        return new RevenueExpression(rule.amountSql(), rule.amountParameters());
    }

    /**
     * The JSON path of a top-level property, quoted so that spaces and dots are part of the name.
     * Names are validated by {@link RevenueSettings} to contain no double quote or control character.
     */
    public static String jsonPath(String property) {
        return PaymentRule.jsonPath(property);
    }
}
