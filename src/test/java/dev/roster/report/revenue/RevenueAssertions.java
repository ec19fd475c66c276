package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a revenue answer against {@link RevenueReference}, person ids included. */
final class RevenueAssertions {
    private RevenueAssertions() {
    }

    static List<String> ids(Map<String, String> publicIds, Collection<String> persons) {
        return persons.stream().map(publicIds::get).sorted().toList();
    }

    /** Checks one set of figures (the whole report or one breakdown value) against a reference view. */
    static void assertFigures(Map<String, String> publicIds, String label, RevenueResult.Figures figures, RevenueReference.View view,
                                      RevenueRequest request, int churnDays) {
        var from = request.from();
        var to = request.to();
        RevenueResult.Activity activity = figures.activity();
        RevenueReference.Totals totals = view.totals(from, to);
        assertThat(activity.totalRevenue()).as(label).isCloseTo(totals.revenue(), within(1e-6));
        assertThat(activity.refunds()).as(label).isCloseTo(totals.refunds(), within(1e-6));
        assertThat(activity.payingPeople()).as(label).isEqualTo(totals.paying().size());
        assertThat(activity.activePeople()).as(label).isEqualTo(totals.active().size());
        assertThat(activity.payingPersonIds()).as(label).isEqualTo(ids(publicIds, totals.paying()));
        assertThat(activity.activePersonIds()).as(label).isEqualTo(ids(publicIds, totals.active()));

        Map<String, RevenueReference.Totals> periods = view.periods(from, to, request.interval());
        long nonEmpty = activity.periods().stream().filter(p -> p.activePeople() > 0).count();
        assertThat(nonEmpty).as(label).isEqualTo(periods.size());
        RevenueReference.Totals none = new RevenueReference.Totals(0, 0, Set.of(), Set.of());
        for (RevenueResult.Period period : activity.periods()) {
            RevenueReference.Totals expected = periods.getOrDefault(period.start(), none);
            String as = label + " " + period;
            assertThat(period.revenue()).as(as).isCloseTo(expected.revenue(), within(1e-6));
            assertThat(period.refunds()).as(as).isCloseTo(expected.refunds(), within(1e-6));
            assertThat(period.payingPeople()).as(as).isEqualTo(expected.paying().size());
            assertThat(period.activePeople()).as(as).isEqualTo(expected.active().size());
            assertThat(period.payingPersonIds()).as(as).isEqualTo(ids(publicIds, expected.paying()));
            assertThat(period.activePersonIds()).as(as).isEqualTo(ids(publicIds, expected.active()));
        }

        RevenueResult.Lifetime lifetime = figures.lifetime();
        Map<String, RevenueReference.Group> groups = view.groups(from, to, request.groupBy());
        assertThat(lifetime.groups()).as(label).hasSize(groups.size());
        for (RevenueResult.Group group : lifetime.groups()) {
            RevenueReference.Group expected = groups.get(group.value());
            String as = label + " group " + group.value();
            assertThat(expected).as(as).isNotNull();
            assertThat(group.people()).as(as).isEqualTo(expected.people().size());
            assertThat(group.payingPeople()).as(as).isEqualTo(expected.paying().size());
            assertThat(group.revenue()).as(as).isCloseTo(expected.revenue(), within(1e-6));
            assertThat(group.ltvAverage()).as(as).isCloseTo(expected.revenue() / expected.people().size(), within(1e-6));
            assertThat(group.personIds()).as(as).isEqualTo(ids(publicIds, expected.people()));
            assertThat(group.payingPersonIds()).as(as).isEqualTo(ids(publicIds, expected.paying()));
        }

        Map<String, List<RevenueReference.Event>> acquired = view.acquired(from, to);
        assertThat(lifetime.acquiredPeople()).as(label).isEqualTo(acquired.size());
        assertThat(lifetime.acquiredPersonIds()).as(label).isEqualTo(ids(publicIds, acquired.keySet()));
        Set<String> churned = view.churned(from, to, churnDays);
        assertThat(lifetime.churnedCustomers()).as(label).isEqualTo(churned.size());
        assertThat(lifetime.churnedPersonIds()).as(label).isEqualTo(ids(publicIds, churned));
        if (churned.isEmpty()) {
            assertThat(lifetime.churnLtv()).as(label).isNull();
        } else {
            assertThat(lifetime.churnLtv()).as(label).isCloseTo(view.lifetimeRevenue(from, to) / churned.size(), within(1e-6));
        }

        Map<String, RevenueReference.Curve> curves = view.curves(from, to);
        for (RevenueResult.CohortCurve curve : figures.cohortCurves()) {
            RevenueReference.Curve expected = curves.get(curve.cohort());
            String as = label + " " + curve;
            if (expected == null) {
                assertThat(curve.people()).as(as).isZero();
                assertThat(curve.ltvAtMonths().values()).as(as).containsOnlyNulls();
                assertThat(curve.personIds()).as(as).isEmpty();
                continue;
            }
            assertThat(curve.people()).as(as).isEqualTo(expected.people().size());
            assertThat(curve.personIds()).as(as).isEqualTo(ids(publicIds, expected.people()));
            for (int months : List.of(1, 3, 6, 12)) {
                Double value = curve.ltvAtMonths().get(String.valueOf(months));
                Double want = expected.ltvAt().get(months);
                if (want == null) {
                    assertThat(value).as(as + " at " + months).isNull();
                } else {
                    assertThat(value).as(as + " at " + months).isCloseTo(want, within(1e-6));
                }
            }
        }
        assertThat(figures.cohortCurves().stream().mapToLong(RevenueResult.CohortCurve::people).sum()).as(label)
                .isEqualTo(acquired.size());

        List<Map.Entry<String, Double>> top = view.top(from, to, request.top());
        assertThat(lifetime.topCustomers()).as(label).extracting(RevenueResult.Customer::personId)
                .containsExactlyElementsOf(top.stream().map(e -> publicIds.get(e.getKey())).toList());
        for (int i = 0; i < top.size(); i++) {
            RevenueResult.Customer customer = lifetime.topCustomers().get(i);
            assertThat(customer.ltv()).as(label).isCloseTo(top.get(i).getValue(), within(1e-6));
            assertThat(customer.personId()).as(label).isEqualTo(publicIds.get(top.get(i).getKey()));
            assertThat(customer.url()).as(label).isEqualTo("/api/people/" + customer.personId());
        }
    }

    /** Checks a whole answer: the overall figures and, when split, every breakdown value. */
    static void assertReport(Map<String, String> publicIds, RevenueResult result, RevenueReference.View overall, Map<String, RevenueReference.View> split,
                                     RevenueRequest request) {
        assertFigures(publicIds, "overall", result.figures(), overall, request, result.churnDays());
        if (split == null) {
            assertThat(result.breakdown()).isNull();
            return;
        }
        Map<String, RevenueReference.View> present = new HashMap<>();
        split.forEach((value, view) -> {
            if (view.present(request.from(), request.to())) {
                present.put(value, view);
            }
        });
        assertThat(result.breakdown()).extracting(RevenueResult.Slice::value).containsExactlyInAnyOrderElementsOf(present.keySet());
        for (RevenueResult.Slice slice : result.breakdown()) {
            assertFigures(publicIds, "breakdown " + slice.value(), slice.figures(), present.get(slice.value()), request, result.churnDays());
        }
        List<Double> revenues = result.breakdown().stream().map(s -> s.figures().activity().totalRevenue()).toList();
        assertThat(revenues).as("breakdown sorted by revenue").isSortedAccordingTo(Collections.reverseOrder());
    }
}
