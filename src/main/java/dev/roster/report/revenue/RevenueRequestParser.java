package dev.roster.report.revenue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.revenue.RevenueSettings;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/** Parses the JSON body of {@code POST /api/reports/revenue} into a {@link RevenueRequest}. Pure. */
public final class RevenueRequestParser {
    static final List<String> FIELDS = List.of("from", "to", "group_by", "churn_days", "population", "interval", "top");
    static final int MAX_TOP = 100;
    static final int MAX_PERIODS = 3660;

    private RevenueRequestParser() {
    }

    public static RevenueRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw invalid("the revenue report needs a JSON object such as {\"from\": \"2024-01-01\", \"to\": \"2024-03-31\", \"group_by\": \"channel\"}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid("unknown field \"" + name + "\" in the revenue report; the fields are " + FIELDS);
            }
        }
        LocalDate from = date(body, "from");
        LocalDate to = date(body, "to");
        if (to.isBefore(from)) {
            throw invalid("\"to\" (" + to + ") is before \"from\" (" + from + ")");
        }
        RevenueRequest.GroupBy groupBy = choice(body, "group_by", RevenueRequest.GroupBy.class, RevenueRequest.GroupBy.CHANNEL);
        RevenueRequest.Interval interval = choice(body, "interval", RevenueRequest.Interval.class, RevenueRequest.Interval.MONTH);
        long periods = switch (interval) {
            case DAY -> ChronoUnit.DAYS.between(from, to) + 1;
            case WEEK -> ChronoUnit.WEEKS.between(from, to) + 1;
            case MONTH -> ChronoUnit.MONTHS.between(from, to) + 1;
        };
        if (periods > MAX_PERIODS) {
            throw invalid("the range " + from + " to " + to + " has " + periods + " " + interval.wireName()
                    + "s; at most " + MAX_PERIODS + " periods are allowed, choose a longer \"interval\"");
        }
        OptionalInt churnDays = OptionalInt.empty();
        JsonNode churn = body.get("churn_days");
        if (churn != null && !churn.isNull()) {
            churnDays = OptionalInt.of(RevenueSettings.churnDays(churn));
        }
        int top = 10;
        JsonNode topNode = body.get("top");
        if (topNode != null && !topNode.isNull()) {
            if (!topNode.isIntegralNumber() || !topNode.canConvertToInt() || topNode.asInt() < 0 || topNode.asInt() > MAX_TOP) {
                throw invalid("\"top\" must be a whole number from 0 to " + MAX_TOP);
            }
            top = topNode.asInt();
        }
        return new RevenueRequest(from, to, groupBy, churnDays, population(body.get("population")), interval, top);
    }

    private static LocalDate date(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw invalid("\"" + field + "\" is required: a day such as \"2024-01-31\" (in the project's time zone)");
        }
        if (!node.isTextual()) {
            throw invalid("\"" + field + "\" must be a day such as \"2024-01-31\"");
        }
        try {
            return LocalDate.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw invalid("\"" + field + "\" is not a day in the form YYYY-MM-DD: \"" + node.asText() + "\"");
        }
    }

    private static <E extends Enum<E>> E choice(JsonNode body, String field, Class<E> type, E fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        List<String> allowed = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        if (node.isTextual() && allowed.contains(node.asText())) {
            return Enum.valueOf(type, node.asText().toUpperCase(Locale.ROOT));
        }
        throw invalid("\"" + field + "\" must be one of " + allowed + (node.isTextual() ? ", not \"" + node.asText() + "\"" : ""));
    }

    private static Optional<RevenueRequest.PopulationFilter> population(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual() && !node.asText().isBlank()) {
            return Optional.of(new RevenueRequest.PopulationFilter(node.asText(), false));
        }
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("id") && !name.equals("not")) {
                    throw invalid("unknown field \"" + name + "\" in \"population\"; use \"ID\" or {\"id\": \"ID\", \"not\": true}");
                }
            }
            JsonNode id = node.get("id");
            JsonNode not = node.get("not");
            if (id == null || !id.isTextual() || id.asText().isBlank()) {
                throw invalid("\"population\" needs an \"id\": {\"id\": \"ID\", \"not\": true}");
            }
            if (not != null && !not.isNull() && !not.isBoolean()) {
                throw invalid("\"population.not\" must be true or false");
            }
            return Optional.of(new RevenueRequest.PopulationFilter(id.asText(), not != null && not.asBoolean()));
        }
        throw invalid("\"population\" must be a population id or {\"id\": \"ID\", \"not\": true}");
    }

    private static RosterException invalid(String message) {
        return new RosterException(ErrorCode.INVALID_REPORT, message);
    }
}
