import dev.roster.web.Browser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;

/**
 * Where the revenue page's load time goes: loads the dashboard's revenue page (and the population-
 * filtered one) against a running server, waits for DashboardBenchmark's ready condition and prints
 * every resource's start and end (ms since navigation start), plus the ready time.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) bench/revenue/PageTimeline.java http://localhost:PORT PASSWORD POPULATION_ID ROUNDS
 * </pre>
 */
public class PageTimeline {
    public static void main(String[] a) throws Exception {
        String base = a[0];
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String revenue = "{\"from\": \"" + today.minusDays(364) + "\", \"to\": \"" + today + "\", \"group_by\": \"channel\", \"churn_days\": 30,"
                + " \"interval\": \"month\"}";
        String revenuePopulation = "{\"from\": \"" + today.minusDays(89) + "\", \"to\": \"" + today + "\", \"group_by\": \"channel\", \"churn_days\": 30,"
                + " \"interval\": \"month\", \"population\": \"" + a[2] + "\"}";
        String ready = System.getProperty("ready", "document.querySelector('#top-customers')");
        try (Browser browser = Browser.open(1280, 900)) {
            browser.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(130));
            browser.login(base, a[1]);
            for (int round = 0; round < Integer.parseInt(a[3]); round++) {
                for (String body : a[2].equals("none") ? List.of(revenue) : List.of(revenue, revenuePopulation)) {
                    browser.driver.get(base + "/imports");
                    Thread.sleep(300);
                    browser.driver.get(base + "/reports/revenue?s=" + URLEncoder.encode(body, StandardCharsets.UTF_8));
                    String script = "const done = arguments[arguments.length - 1];"
                            + "const check = () => { if ((" + ready + ") || document.querySelector('#report-error, .panel.error')) {"
                            + " const t = performance.now();"
                            + " done({t, r: performance.getEntriesByType('resource').map(r => [r.name.replace(location.origin, '').slice(0, 70), r.startTime, r.responseEnd])});"
                            + "} else setTimeout(check, 5); }; check();";
                    @SuppressWarnings("unchecked")
                    Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) browser.driver).executeAsyncScript(script);
                    System.out.printf("round %d %s ready at %.0f ms%n", round, body.contains("population") ? "population" : "revenue",
                            ((Number) result.get("t")).doubleValue());
                    @SuppressWarnings("unchecked")
                    List<List<Object>> resources = (List<List<Object>>) result.get("r");
                    for (List<Object> r : resources) {
                        System.out.printf("    %6.0f – %6.0f  %s%n", ((Number) r.get(1)).doubleValue(), ((Number) r.get(2)).doubleValue(), r.get(0));
                    }
                }
            }
        }
    }
}
