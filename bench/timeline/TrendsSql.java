import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.people.PeopleSearch;
import dev.roster.population.PopulationService;
import dev.roster.project.Project;
import dev.roster.report.Fragment;
import dev.roster.report.trends.TrendsQuery;
import dev.roster.report.trends.TrendsRequest;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.nio.file.Path;
import java.time.*;
import java.util.Optional;

/** Prints the dashboard trends request's series SQL with literals (for EXPLAIN ANALYZE). args: dataDir today. */
public class TrendsSql {
    public static void main(String[] a) throws Exception {
        LocalDate today = LocalDate.parse(a[1]);
        try (Database database = Database.open(Path.of(a[0]), "512MB")) {
            Clock clock = Clock.fixed(today.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
            PopulationService populations = new PopulationService(database, new PeopleSearch(database), new RevenueSettings(database), clock);
            Project project = new Project(1, "p", "p", "wk", ZoneId.of("UTC"));
            JsonNode body = Json.parse("{\"events\": [{\"event\": \"$pageview\"}, {\"event\": \"Signed Up\"}], \"interval\": \"day\", \"from\": \""
                    + today.minusDays(29) + "\", \"to\": \"" + today + "\", \"metrics\": [\"events\", \"people\", \"sessions\", \"events_per_person\"],"
                    + " \"conversion\": {\"from\": \"Viewed Pricing\", \"to\": \"Signed Up\"}}");
            TrendsRequest request = TrendsRequest.parse(body, project, clock);
            TrendsQuery query = new TrendsQuery(request, project, populations, true, Optional.empty());
            var m = TrendsQuery.class.getDeclaredMethod("series", boolean.class);
            m.setAccessible(true);
            Fragment f = (Fragment) m.invoke(query, true);
            String sql = f.sql();
            for (Object p : f.parameters()) {
                String lit = p instanceof String s ? "'" + s.replace("'", "''") + "'"
                        : p instanceof Instant i ? "TIMESTAMP '" + LocalDateTime.ofInstant(i, ZoneOffset.UTC) + "'" : String.valueOf(p);
                sql = sql.replaceFirst("\\?", java.util.regex.Matcher.quoteReplacement(lit));
            }
            System.out.println(sql);
        }
    }
}
