package dev.roster.bench;

import dev.roster.web.Browser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;

/**
 * Dashboard page loads in headless chromium against {@code roster serve} on a demo directory:
 * for each page, the time from navigation start to the page's data being on screen (a per-page
 * condition: the people table has rows, the funnel table is drawn, ...), measured inside the
 * page with {@code performance.now()} (0 is navigation start). It also records the slowest
 * {@code /api/} request of each load, which says where the time went.
 *
 * <p>Rounds are interleaved (every page once per round, after one warm-up round), and the figure
 * is the median. The static import page, which makes no data request beyond the session, is the
 * baseline: "× shell" is a page's median over the shell's, so a busy machine shows as a slow
 * shell rather than as slow pages.
 *
 * <pre>
 * cp -r /work/bench-data/demo-1000000 target/bench/
 * ROSTER_ADMIN_PASSWORD='bench-password-1' BENCH_OPTS="-Ddata=target/bench/demo-1000000 -DserverJvmOptions=-Xmx1g" \
 *     bench/run.sh 1000000 DashboardBenchmark
 * </pre>
 *
 * The admin password must be the data directory's (the first start stores the one in
 * {@code ROSTER_ADMIN_PASSWORD}); {@code -Drounds} (default 5) sets the timed rounds and
 * {@code -Dpages=activity,person} keeps the pages whose names start with one of those (plus the shell).
 */
public final class DashboardBenchmark {
    private static final long PAGE_TIMEOUT_MS = 120_000;

    private DashboardBenchmark() {
    }

    /** A page and the JavaScript condition that is true once its data is rendered. */
    private record Page(String name, String path, String ready) {
    }

    private record Load(double millis, String slowestApi, double slowestApiMillis, String error) {
    }

    public static void main(String[] args) throws Exception {
        int people = Bench.intProperty("people", 1_000_000);
        int rounds = Bench.intProperty("rounds", 5);
        Path directory = Path.of(System.getProperty("data", "target/bench/demo-" + people));
        String password = System.getenv().getOrDefault("ROSTER_ADMIN_PASSWORD", System.getProperty("password", ""));
        if (!Files.isDirectory(directory)) {
            throw new IllegalStateException(directory + " does not exist: copy a demo directory there (see the class comment)");
        }
        if (password.length() < 8) {
            throw new IllegalStateException("set ROSTER_ADMIN_PASSWORD (8+ characters) to the data directory's admin password");
        }
        int port = Bench.freePort();
        String base = "http://localhost:" + port;
        String load = Bench.loadAverage();
        try (Bench.Child server = new Bench.Child("serve", "--data", directory.toString(), "--port", String.valueOf(port));
             Browser browser = Browser.open(1280, 900)) {
            server.await("Roster is running at", 600);
            browser.driver.manage().timeouts().scriptTimeout(Duration.ofMillis(PAGE_TIMEOUT_MS + 10_000));
            browser.driver.manage().timeouts().pageLoadTimeout(Duration.ofMillis(PAGE_TIMEOUT_MS));
            browser.login(base, password);

            String personId = String.valueOf(fetchJson(browser, "GET", "/api/people?limit=1", null, "people.0.id"));
            String population = findOrCreatePopulation(browser);
            String only = System.getProperty("pages", "");
            List<Page> pages = pages(personId, population).stream()
                    .filter(p -> only.isBlank() || p.path().equals("/imports") || List.of(only.split(",")).stream().anyMatch(p.name()::startsWith))
                    .toList();
            Map<String, List<Load>> loads = new LinkedHashMap<>();
            pages.forEach(p -> loads.put(p.name(), new ArrayList<>()));
            for (int round = 0; round <= rounds; round++) {
                for (Page page : pages) {
                    Load result = measure(browser, base, page);
                    System.out.printf(Locale.ROOT, "  round %d %-28s %8.0f ms  slowest API %6.0f ms %s%s%n", round, page.name(), result.millis(),
                            result.slowestApiMillis(), result.slowestApi(), result.error() == null ? "" : "  ERROR " + result.error());
                    if (round > 0) {
                        loads.get(page.name()).add(result);
                    }
                }
            }
            double shell = median(loads.get(pages.get(0).name()));
            List<String[]> rows = new ArrayList<>();
            rows.add(Bench.row("load average at start", "%s", load));
            rows.add(Bench.row("server", "%s, %d timed rounds after 1 warm-up, medians", directory, rounds));
            for (Page page : pages) {
                List<Load> results = loads.get(page.name());
                double median = median(results);
                Load slowest = results.stream().max((a, b) -> Double.compare(a.slowestApiMillis(), b.slowestApiMillis())).orElseThrow();
                long errors = results.stream().filter(r -> r.error() != null).count();
                rows.add(Bench.row(page.name(), "%.0f ms (%.1f× shell)%s; slowest API call %s %.0f ms%s", median, median / shell,
                        median > 1000 ? " **over 1 s**" : "", slowest.slowestApi(), medianApi(results),
                        errors > 0 ? "; " + errors + " loads failed: " + results.stream().filter(r -> r.error() != null)
                                .findFirst().orElseThrow().error() : ""));
            }
            rows.add(Bench.row("server max RSS", "%s", Bench.mib(server.maxRssBytes())));
            Bench.report("Dashboard page loads (" + people + " people)", rows);
        }
    }

    private static List<Page> pages(String personId, String population) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String from30 = today.minusDays(29).toString();
        String from90 = today.minusDays(89).toString();
        String trends = "{\"events\": [\"$pageview\", \"Signed Up\"], \"interval\": \"day\", \"from\": \"" + from30 + "\", \"to\": \"" + today
                + "\", \"measure\": \"people\", \"compare_from\": \"Viewed Pricing\", \"compare_to\": \"Signed Up\"}";
        String funnel = "{\"steps\": [{\"event\": \"Viewed Pricing\", \"where\": []}, {\"event\": \"Started Trial\", \"where\": []},"
                + " {\"event\": \"Purchased\", \"where\": []}], \"from\": \"" + from30 + "\", \"to\": \"" + today + "\","
                + " \"window\": {\"value\": 14, \"unit\": \"day\"}, \"order\": \"sequential\", \"exclusions\": [], \"aggregate\": \"people\"}";
        String retention = "{\"cohort_event\": \"Signed Up\", \"return_event\": \"\", \"first_time\": true, \"period\": \"week\","
                + " \"periods\": 8, \"mode\": \"on\", \"from\": \"" + today.minusDays(55) + "\", \"to\": \"" + today + "\"}";
        String revenue = "{\"from\": \"" + today.minusDays(364) + "\", \"to\": \"" + today + "\", \"group_by\": \"channel\", \"churn_days\": 30,"
                + " \"interval\": \"month\"}";
        String revenuePopulation = "{\"from\": \"" + from90 + "\", \"to\": \"" + today + "\", \"group_by\": \"channel\", \"churn_days\": 30,"
                + " \"interval\": \"month\", \"population\": \"" + population + "\"}";
        String noError = "!document.querySelector('#report-error, .panel.error')";
        return List.of(
                new Page("import (static shell)", "/imports", "document.querySelector('#import-result .empty')"),
                new Page("people", "/people", "document.querySelector('#people-table tbody tr')"),
                new Page("person", "/people/" + personId, "document.querySelector('#timeline .event-row')"
                        + " && !document.getElementById('person-populations').textContent.includes('Checking')"),
                new Page("activity", "/activity", "document.querySelector('#activity-list .event-row, #activity-list .empty')"),
                new Page("activity, population filter", "/activity?population=" + population,
                        "document.querySelector('#activity-list .event-row, #activity-list .empty')"),
                new Page("health", "/health", "document.querySelector('#ingest-chart canvas')"
                        + " && document.getElementById('main').textContent.includes('Identity warnings')"),
                new Page("populations", "/populations", "document.querySelector('#populations-table tbody tr, #main .empty')"),
                new Page("population", "/populations/" + population, "document.querySelector('#population-count')"
                        + " && document.querySelector('#population-history canvas, #population-history .empty')"),
                new Page("trends (2 events, 30 days)", "/reports/trends?s=" + encode(trends),
                        "document.querySelector('#trends-table') || !" + noError),
                new Page("funnel (3 steps, 30 days)", "/reports/funnel?s=" + encode(funnel),
                        "document.querySelector('#funnel-table') || !" + noError),
                new Page("retention (8 weeks)", "/reports/retention?s=" + encode(retention),
                        "document.querySelector('#retention-matrix') || !" + noError),
                new Page("revenue (365 days)", "/reports/revenue?s=" + encode(revenue),
                        "document.querySelector('#top-customers') || !" + noError),
                new Page("revenue, population filter", "/reports/revenue?s=" + encode(revenuePopulation),
                        "document.querySelector('#top-customers') || !" + noError),
                new Page("setup", "/projects", "document.querySelector('#snippet')"));
    }

    private static Load measure(Browser browser, String base, Page page) {
        browser.driver.get(base + page.path());
        String script = "const done = arguments[arguments.length - 1];"
                + "const ready = () => { try { return !!(" + page.ready() + "); } catch (e) { return false; } };"
                + "const check = () => {"
                + "  const failed = document.querySelector('#report-error, .panel.error');"
                + "  if (ready() || failed || performance.now() > " + PAGE_TIMEOUT_MS + ") {"
                + "    const api = performance.getEntriesByType('resource').filter(r => r.name.includes('/api/'))"
                + "      .sort((a, b) => b.duration - a.duration)[0];"
                + "    done({t: performance.now(), api: api ? api.name.replace(location.origin, '').slice(0, 60) : '', apiMs: api ? api.duration : 0,"
                + "      error: failed ? failed.textContent.slice(0, 200) : (ready() ? null : 'timed out')});"
                + "  } else { setTimeout(check, 5); }"
                + "};"
                + "check();";
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) browser.driver).executeAsyncScript(script);
        return new Load(((Number) result.get("t")).doubleValue(), String.valueOf(result.get("api")),
                ((Number) result.get("apiMs")).doubleValue(), (String) result.get("error"));
    }

    /** Runs fetch() in the logged-in page with the CSRF token and returns one field of the JSON answer. */
    private static Object fetchJson(Browser browser, String method, String path, String body, String field) {
        Object value = ((JavascriptExecutor) browser.driver).executeAsyncScript(
                "const [method, path, body, field, done] = arguments;"
                        + "fetch('/auth/session').then(r => r.json()).then(s => fetch(path, {method, body,"
                        + " headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token}}))"
                        + ".then(r => r.json()).then(j => done(field.split('.').reduce((o, k) => o == null ? null : o[k], j)))"
                        + ".catch(e => done('ERROR ' + e));",
                method, path, body, field);
        if (value == null || String.valueOf(value).startsWith("ERROR")) {
            throw new IllegalStateException(method + " " + path + ": " + value);
        }
        return value;
    }

    /** A saved population for the person page and the population filters: the people who purchased. */
    private static String findOrCreatePopulation(Browser browser) {
        String name = "Benchmark: purchased";
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> existing = (List<Map<String, Object>>) fetchJson(browser, "GET", "/api/populations?counts=false", null,
                "populations");
        for (Map<String, Object> population : existing) {
            if (name.equals(population.get("name"))) {
                return String.valueOf(population.get("id"));
            }
        }
        return String.valueOf(fetchJson(browser, "POST", "/api/populations",
                "{\"name\": \"" + name + "\", \"definition\": {\"did\": \"Purchased\"}}", "id"));
    }

    private static String encode(String json) {
        return URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    private static double median(List<Load> loads) {
        double[] values = loads.stream().mapToDouble(Load::millis).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }

    private static double medianApi(List<Load> loads) {
        double[] values = loads.stream().mapToDouble(Load::slowestApiMillis).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
