package dev.roster.report.retention;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

/** The calendar cohorts of a range: every day, week (from Monday) or month touching it. */
final class Cohorts {
    private Cohorts() {
    }

    static LocalDate startOf(LocalDate day, RetentionRequest.Period period) {
        switch (period) {
            case DAY:
                return day;
            case WEEK:
                return day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            default:
                return day.withDayOfMonth(1);
        }
    }

    static LocalDate next(LocalDate start, RetentionRequest.Period period) {
        switch (period) {
            case DAY:
                return start.plusDays(1);
            case WEEK:
                return start.plusWeeks(1);
            default:
                return start.plusMonths(1);
        }
    }

    static List<LocalDate> starts(RetentionRequest request) {
        List<LocalDate> starts = new ArrayList<>();
        LocalDate to = request.scope().range().to();
        for (LocalDate start = startOf(request.scope().range().from(), request.period()); !start.isAfter(to);
                start = next(start, request.period())) {
            starts.add(start);
            if (starts.size() > RetentionRequest.MAX_COHORTS) {
                break;
            }
        }
        return starts;
    }
}
