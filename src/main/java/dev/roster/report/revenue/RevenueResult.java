package dev.roster.report.revenue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code POST /api/reports/revenue} (SPEC §10). Amounts are in the project's single
 * currency; averages with no people to average over are {@code null}.
 */
public record RevenueResult(
        String from,
        String to,
        @JsonProperty("group_by") String groupBy,
        String interval,
        @JsonProperty("churn_days") int churnDays,
        @JsonInclude(JsonInclude.Include.ALWAYS) String currency,
        @JsonProperty("total_revenue") double totalRevenue,
        double refunds,
        @JsonProperty("paying_people") long payingPeople,
        @JsonProperty("active_people") long activePeople,
        Double arpu,
        Double arppu,
        @JsonProperty("acquired_people") long acquiredPeople,
        @JsonProperty("churned_customers") long churnedCustomers,
        @JsonProperty("churn_ltv") Double churnLtv,
        List<Group> groups,
        @JsonProperty("cohort_curves") List<CohortCurve> cohortCurves,
        @JsonProperty("top_customers") List<Customer> topCustomers,
        List<Period> periods) {

    public RevenueResult {
        groups = List.copyOf(groups);
        cohortCurves = List.copyOf(cohortCurves);
        topCustomers = List.copyOf(topCustomers);
        periods = List.copyOf(periods);
    }

    /** People acquired in the range with one first-touch value (null: the first event had none). */
    public record Group(String value, long people, @JsonProperty("paying_people") long payingPeople,
                        double revenue, @JsonProperty("ltv_average") Double ltvAverage) {
    }

    /**
     * People first seen in one month (project time zone). {@code ltv_at_months} maps "1", "3",
     * "6", "12" to the average revenue per person within that many months of their first event,
     * over the people first seen at least that long ago; null when none is.
     */
    public record CohortCurve(String cohort, long people,
                              @JsonProperty("ltv_at_months") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Double> ltvAtMonths) {
    }

    public record Customer(@JsonProperty("person_id") String personId, @JsonProperty("display_name") String displayName,
                           double ltv) {
    }

    /** One period of the range; {@code start} is its first day in the project's time zone. */
    public record Period(String start, double revenue, double refunds, @JsonProperty("paying_people") long payingPeople,
                         @JsonProperty("active_people") long activePeople, Double arpu, Double arppu) {
    }
}
