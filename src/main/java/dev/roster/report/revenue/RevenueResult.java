package dev.roster.report.revenue;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code POST /api/reports/revenue} (SPEC §10). Amounts are in the project's single
 * currency; averages with no people to average over are {@code null}. The figures of the whole
 * (filtered) report sit at the top level; with a breakdown, {@code breakdown} holds the same
 * figures per value. A section that was not asked for is left out. Person id lists
 * ({@code *_person_ids}) appear only with {@code "people": true}, sorted, at most
 * {@link dev.roster.report.ReportScope#MAX_PEOPLE} each.
 */
public record RevenueResult(
        String from,
        String to,
        @JsonProperty("time_zone") String timeZone,
        @JsonProperty("group_by") String groupBy,
        String interval,
        @JsonProperty("churn_days") int churnDays,
        @JsonInclude(JsonInclude.Include.ALWAYS) String currency,
        List<String> sections,
        @JsonUnwrapped Figures figures,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Slice> breakdown) {

    public RevenueResult {
        sections = List.copyOf(sections);
        breakdown = breakdown == null ? null : List.copyOf(breakdown);
    }

    /** Everything one report (or one breakdown value) shows; a section not computed is null. */
    public record Figures(@JsonUnwrapped Activity activity, @JsonUnwrapped Lifetime lifetime,
                          @JsonProperty("cohort_curves") @JsonInclude(JsonInclude.Include.NON_NULL) List<CohortCurve> cohortCurves) {
    }

    /** One breakdown value (null: the value is absent) or population (its name) and its figures. */
    public record Slice(@JsonInclude(JsonInclude.Include.ALWAYS) String value, @JsonUnwrapped Figures figures) {
    }

    /** Activity in the range (section {@code periods}): totals over the range and per period. */
    public record Activity(
            @JsonProperty("total_revenue") double totalRevenue,
            double refunds,
            @JsonProperty("paying_people") long payingPeople,
            @JsonProperty("active_people") long activePeople,
            Double arpu,
            Double arppu,
            @JsonProperty("paying_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> payingPersonIds,
            @JsonProperty("active_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> activePersonIds,
            List<Period> periods) {
    }

    /** Lifetime of the people acquired in the range (section {@code ltv}). */
    public record Lifetime(
            @JsonProperty("acquired_people") long acquiredPeople,
            @JsonProperty("churned_customers") long churnedCustomers,
            @JsonProperty("churn_ltv") Double churnLtv,
            @JsonProperty("acquired_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> acquiredPersonIds,
            @JsonProperty("churned_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> churnedPersonIds,
            List<Group> groups,
            @JsonProperty("top_customers") List<Customer> topCustomers) {
    }

    /** People acquired in the range with one first-touch value (null: the first event had none). */
    public record Group(String value, long people, @JsonProperty("paying_people") long payingPeople,
                        double revenue, @JsonProperty("ltv_average") Double ltvAverage,
                        @JsonProperty("person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> personIds,
                        @JsonProperty("paying_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> payingPersonIds) {
    }

    /**
     * People first seen in one month (report time zone). {@code ltv_at_months} maps "1", "3",
     * "6", "12" to the average revenue per person within that many months of their first event,
     * over the people first seen at least that long ago; null when none is.
     */
    public record CohortCurve(String cohort, long people,
                              @JsonProperty("ltv_at_months") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Double> ltvAtMonths,
                              @JsonProperty("person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> personIds) {
    }

    /**
     * A top customer: the public person id, the display name, the LTV and {@code url}, the person
     * API path ({@code /api/people/{person_id}}; the dashboard's person page is {@code /people/{person_id}}).
     */
    public record Customer(@JsonProperty("person_id") String personId, @JsonProperty("display_name") String displayName,
                           double ltv, String url) {
    }

    /** One period of the range; {@code start} is its first day in the report's time zone. */
    public record Period(String start, double revenue, double refunds, @JsonProperty("paying_people") long payingPeople,
                         @JsonProperty("active_people") long activePeople, Double arpu, Double arppu,
                         @JsonProperty("paying_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> payingPersonIds,
                         @JsonProperty("active_person_ids") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> activePersonIds) {
    }
}
