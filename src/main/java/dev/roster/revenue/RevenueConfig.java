package dev.roster.revenue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.roster.store.PaymentRule;
import java.util.List;
import java.util.Optional;

/**
 * How a project records money (SPEC §6.4): which numeric event property is revenue, optionally
 * which events count as billing, and after how many days without a payment a customer counts as
 * churned. Negative values are refunds. A project has one currency; {@code currency} is only a
 * label for display.
 *
 * @param property the event property holding the amount; {@code revenue} by default
 * @param billingEvents when not empty, only these event names carry revenue
 * @param churnDays a customer with no payment for this many days is churned (default 30)
 * @param currency an optional ISO 4217 label such as {@code USD}
 */
public record RevenueConfig(String property, @JsonProperty("billing_events") List<String> billingEvents,
                            @JsonProperty("churn_days") int churnDays, Optional<String> currency) {
    public static final String DEFAULT_PROPERTY = PaymentRule.DEFAULT_PROPERTY;
    public static final int DEFAULT_CHURN_DAYS = 30;
    /** Read after {@code revenue} when the default property is configured: Segment, then KISSmetrics. */
    public static final List<String> RECOGNISED_ALIASES = PaymentRule.RECOGNISED_ALIASES;

    public static final RevenueConfig DEFAULT = new RevenueConfig(DEFAULT_PROPERTY, List.of(), DEFAULT_CHURN_DAYS, Optional.empty());

    public RevenueConfig {
        requireNonNull(property, "property is null");
        billingEvents = List.copyOf(billingEvents);
        requireNonNull(currency, "currency is null");
    }

    /**
     * The properties read for an event's amount, first numeric one wins. With the default
     * property, Segment's {@code total} and KISSmetrics' {@code Billing Amount} are recognised too;
     * a configured property stands alone.
     */
    @JsonProperty("read_properties")
    public List<String> readProperties() {
        return paymentRule().properties();
    }

    /** Which events carry an amount and how it is read: the rule of the revenue ledger. */
    @JsonIgnore
    public PaymentRule paymentRule() {
        return PaymentRule.of(property, billingEvents);
    }
}
