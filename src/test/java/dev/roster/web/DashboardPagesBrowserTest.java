package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The import page, the person's populations, the activity population filter and the revenue
 * filters in headless chromium, on {@link DashboardFixture}'s dataset: Ann bought once ($49.50),
 * Bob and Carol never did. A saved population "Buyers" holds Ann only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardPagesBrowserTest {
    private TestServer server;
    private Browser browser;
    private String buyers;

    @TempDir
    Path files;

    @BeforeAll
    void startServer() {
        Browser.assumeAvailable();
        server = DashboardFixture.start();
        DashboardFixture.seed(server);
        DashboardFixture.seedXss(server);
        buyers = createPopulation("Buyers", "{\"did\": \"Purchased\"}");
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openBrowser() {
        browser = Browser.open(1280, 900);
        browser.login(server.url(""), DashboardFixture.PASSWORD);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private String createPopulation(String name, String definition) {
        TestServer.Response response = server.api("/api/populations",
                "{\"name\": " + Json.MAPPER.valueToTree(name) + ", \"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private Path file(String name, String content) {
        try {
            return Files.writeString(files.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String text(String id) {
        return browser.driver.findElement(By.id(id)).getText();
    }

    private void importFile(Path file) {
        browser.driver.get(server.url("/imports"));
        browser.await(By.id("import-file")).sendKeys(file.toAbsolutePath().toString());
        browser.driver.findElement(By.id("import-start")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("job=imp_"));
        browser.await(By.id("import-summary"));
    }

    @Test
    void importACsvWithGoodAndBadRowsShowsProgressThenImportedDuplicateAndRejectedLinesWithReasons() {
        String day = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        Path csv = file("offline-calls.csv", String.join("\n",
                "identity,event,timestamp,channel",                    // line 1: header
                "dora@example.com,Called Sales," + day + ",phone",      // 2: good
                "dora@example.com,Visited Store," + day + ",in person", // 3: good
                ",Called Sales," + day + ",phone",                       // 4: no identity
                "erin@example.com,Called Sales,not-a-time,phone",       // 5: bad timestamp
                "erin@example.com,," + day + ",phone",                  // 6: no event
                "erin@example.com,Called Sales," + day + ",phone",      // 7: good
                "dora@example.com,Called Sales," + day + ",phone") + "\n"); // 8: same event as line 2

        browser.driver.get(server.url("/imports"));
        browser.awaitText(By.id("import-result"), "Nothing imported yet");
        importFile(csv);
        browser.screenshot("import");
        assertThat(text("import-imported")).startsWith("3");
        assertThat(text("import-duplicates")).as("line 8 repeats line 2 within the file").startsWith("1");
        assertThat(text("import-rejected-count")).startsWith("3");
        List<WebElement> rejected = browser.driver.findElements(By.cssSelector("#import-rejected tbody tr"));
        assertThat(rejected).extracting(row -> row.getAttribute("data-line")).containsExactly("4", "5", "6");
        assertThat(rejected.get(0).getText()).containsIgnoringCase("identity");
        assertThat(rejected.get(1).getText()).containsIgnoringCase("timestamp").contains("not-a-time");
        assertThat(rejected.get(2).getText()).containsIgnoringCase("event");
        assertThat(server.person("dora@example.com").get("event_count").asLong()).isEqualTo(2);

        // The summary survives a reload (the job id is in the address), and a re-import adds nothing.
        browser.driver.navigate().refresh();
        browser.await(By.id("import-summary"));
        assertThat(text("import-imported")).startsWith("3");
        importFile(csv);
        assertThat(text("import-imported")).startsWith("0");
        assertThat(text("import-duplicates")).startsWith("4");
        assertThat(server.person("dora@example.com").get("event_count").asLong()).isEqualTo(2);
        browser.assertNoScriptRan();
    }

    @Test
    void importingAJsonlFileReportsItsBadLinesAndTheProgressBarFollowsTheJob() {
        String day = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            jsonl.append("{\"type\": \"track\", \"userId\": \"bulk-").append(i % 50).append("@example.com\", \"event\": \"Bulk Event\", ")
                    .append("\"messageId\": \"bulk-").append(i).append("\", \"timestamp\": \"").append(day).append("\"}\n");
        }
        jsonl.append("{\"type\": \"track\", \"userId\": \"x\"\n");         // line 3001: cut short
        jsonl.append("{\"type\": \"track\", \"userId\": \"bulk-1@example.com\", \"event\": \"No Id\"}\n"); // 3002: neither id nor time
        browser.driver.get(server.url("/imports"));
        browser.await(By.id("import-file"));
        // Record every state the progress bar goes through while the job runs.
        browser.script("window.__progress = []; new MutationObserver(() => { const p = document.getElementById('import-progress');"
                + " if (p && !p.hidden) window.__progress.push(p.value); }).observe(document.getElementById('main'),"
                + " {subtree: true, attributes: true, childList: true, characterData: true});");
        browser.driver.findElement(By.id("import-file")).sendKeys(file("events.jsonl", jsonl.toString()).toAbsolutePath().toString());
        assertThat(new Select(browser.driver.findElement(By.id("import-format"))).getFirstSelectedOption().getAttribute("value"))
                .as("the format follows the file name").isEqualTo("jsonl");
        browser.driver.findElement(By.id("import-start")).click();
        browser.await(By.id("import-summary"));
        assertThat(text("import-imported")).startsWith("3,000");
        List<WebElement> rejected = browser.driver.findElements(By.cssSelector("#import-rejected tbody tr"));
        assertThat(rejected).extracting(row -> row.getAttribute("data-line")).containsExactly("3001", "3002");
        assertThat(rejected.get(0).getText()).contains("JSON");
        assertThat(rejected.get(1).getText()).contains("messageId");
        assertThat(browser.driver.findElement(By.id("import-progress")).isDisplayed()).as("hidden when done").isFalse();
        Object states = browser.script("return window.__progress.length");
        assertThat(((Number) states).intValue()).as("the progress bar was shown while uploading and importing").isPositive();
    }

    @Test
    void personPageListsThePopulationsThePersonIsIn() {
        String ann = server.person(DashboardFixture.ANN).get("id").asText();
        browser.driver.get(server.url("/people/" + ann));
        browser.awaitText(By.id("person-populations"), "Buyers");
        WebElement pill = browser.driver.findElement(By.cssSelector("#person-populations a[data-population='" + buyers + "']"));
        assertThat(browser.driver.findElement(By.id("person-populations")).getText()).contains("In 1 of");
        browser.screenshot("person-populations");
        pill.click();
        browser.awaitText(By.id("population-title"), "Buyers");

        String bob = server.person(DashboardFixture.BOB).get("id").asText();
        browser.driver.get(server.url("/people/" + bob));
        browser.awaitText(By.id("person-populations"), "In none of the");
        assertThat(browser.driver.findElements(By.cssSelector("#person-populations a[data-population]"))).isEmpty();
    }

    @Test
    void activityFiltersByPopulationAndKeepsTheFilterWhileLive() {
        browser.driver.get(server.url("/activity"));
        browser.await(By.id("activity-list"));
        new Select(browser.await(By.id("activity-population"))).selectByVisibleText("Buyers");
        browser.driver.findElement(By.cssSelector("#activity-filters button[type=submit]")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("population=" + buyers));
        browser.awaitText(By.id("activity-list"), "Purchased");
        String list = text("activity-list");
        assertThat(list).as("Ann's events, including her anonymous ones").contains(DashboardFixture.ANN_ANONYMOUS).contains(DashboardFixture.ANN)
                .doesNotContain(DashboardFixture.BOB).doesNotContain(DashboardFixture.CAROL);
        browser.screenshot("activity-population");

        String bobEvent = "Bob Live " + System.nanoTime();
        String annEvent = "Ann Live " + System.nanoTime();
        assertThat(server.segment("track", "{\"userId\": \"" + DashboardFixture.BOB + "\", \"event\": \"" + bobEvent + "\"}").status()).isEqualTo(200);
        assertThat(server.segment("track", "{\"userId\": \"" + DashboardFixture.ANN + "\", \"event\": \"" + annEvent + "\"}").status()).isEqualTo(200);
        browser.awaitText(By.id("activity-list"), annEvent);
        assertThat(text("activity-list")).doesNotContain(bobEvent);

        browser.driver.findElement(By.id("activity-population-not")).click();
        browser.driver.findElement(By.cssSelector("#activity-filters button[type=submit]")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("population_not=true"));
        browser.awaitText(By.id("activity-list"), bobEvent);
        assertThat(text("activity-list")).doesNotContain(annEvent).doesNotContain("Purchased");
        assertThat(browser.driver.findElement(By.id("activity-population-not")).isSelected()).as("the form shows the filter in use").isTrue();
    }

    @Test
    void revenueFiltersByPopulationAndSendsPropertyFiltersInTheReportShape() {
        browser.driver.get(server.url("/reports/revenue"));
        new Select(browser.await(By.name("population"))).selectByVisibleText("Buyers");
        browser.driver.findElement(By.id("run-report")).click();
        browser.awaitText(By.id("revenue-stats"), "$49.50");
        assertThat(text("top-customers")).contains(DashboardFixture.ANN);

        browser.driver.findElement(By.name("population_not")).click();
        browser.driver.findElement(By.id("run-report")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("population_not%22%3Atrue"));
        browser.waiting().until(d -> !d.findElements(By.id("revenue-stats")).isEmpty()
                && !d.findElement(By.id("revenue-stats")).getText().contains("$49.50"));
        assertThat(text("revenue-stats")).as("nobody outside the buyers paid").startsWith("$0").doesNotContain("$49.50");
        assertThat(text("report-result")).contains("No revenue in this range");

        // Event and person property filters: {"where": [...], "person_where": [...]} as in trends and funnels.
        browser.driver.get(server.url("/reports/revenue"));
        browser.await(By.id("revenue-where-add")).click();
        browser.await(By.name("revenue-where-property-0")).sendKeys("plan");
        browser.driver.findElement(By.name("revenue-where-value-0")).sendKeys("pro");
        browser.driver.findElement(By.id("revenue-person-where-add")).click();
        browser.await(By.name("revenue-person-where-property-0")).sendKeys("name");
        new Select(browser.driver.findElement(By.name("revenue-person-where-op-0"))).selectByValue("contains");
        browser.driver.findElement(By.name("revenue-person-where-value-0")).sendKeys("ann");
        browser.driver.findElement(By.id("run-report")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("person_where"));
        Object body = browser.script("return JSON.stringify((function(){const s = JSON.parse(new URLSearchParams(location.search).get('s'));"
                + " return {where: s.where, person_where: s.person_where};})())");
        JsonNode sent = Json.parse(String.valueOf(body).getBytes(StandardCharsets.UTF_8));
        assertThat(sent.get("where").get(0).get("property").asText()).isEqualTo("plan");
        assertThat(sent.get("person_where").get(0).get("op").asText()).isEqualTo("contains");
        browser.waiting().until(d -> !d.findElements(By.id("revenue-stats")).isEmpty() || !d.findElements(By.id("report-error")).isEmpty());
        browser.screenshot("revenue-filters");
        assertThat(browser.driver.findElements(By.id("report-error"))).as("the revenue API takes where and person_where").isEmpty();
        assertThat(text("revenue-stats")).contains("$49.50");
        new Select(browser.driver.findElement(By.name("revenue-person-where-op-0"))).selectByValue("eq");
        browser.driver.findElement(By.name("revenue-person-where-value-0")).clear();
        browser.driver.findElement(By.name("revenue-person-where-value-0")).sendKeys("Bob Builder");
        browser.driver.findElement(By.id("run-report")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("Bob"));
        browser.await(By.id("revenue-stats"));
        assertThat(text("revenue-stats")).doesNotContain("$49.50");
    }

    @Test
    void everyPageIsReadableAt390PixelsWideAndEmptyStatesSayWhatToDoNext() {
        browser.close();
        browser = Browser.open(390, 844);
        browser.login(server.url(""), DashboardFixture.PASSWORD);
        String ann = server.person(DashboardFixture.ANN).get("id").asText();
        // A long population name must not widen the population pickers past the screen.
        createPopulation("People who read at least three articles before they first signed up for a trial, any channel",
                "{\"did\": \"Signed Up\"}");
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("/people", "people-table");
        pages.put("/people/" + ann, "timeline");
        pages.put("/activity", "activity-list");
        pages.put("/imports", "import-result");
        pages.put("/health", "ingest-chart");
        pages.put("/projects", "snippet");
        pages.put("/populations", "population-builder");
        pages.put("/populations/" + buyers, "population-title");
        pages.put("/reports/trends", "report-form");
        pages.put("/reports/funnel", "funnel-steps");
        pages.put("/reports/retention", "report-form");
        pages.put("/reports/revenue", "revenue-stats");
        for (Map.Entry<String, String> page : pages.entrySet()) {
            browser.driver.get(server.url(page.getKey()));
            browser.await(By.id(page.getValue()));
            browser.waiting().until(d -> !d.findElement(By.id("main")).getText().contains("Loading"));
            Object overflow = browser.script("return document.documentElement.scrollWidth - window.innerWidth");
            if (((Number) overflow).longValue() > 0) {
                Object culprits = browser.script("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                        + " > window.innerWidth + 1 && !e.closest('.nav, .table-wrap')).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round("
                        + "e.getBoundingClientRect().right)).join(', ')");
                throw new AssertionError("horizontal overflow of " + overflow + "px on " + page.getKey() + ": " + culprits);
            }
            Object tooSmall = browser.script("return [...document.querySelectorAll('#main *')].filter(e => e.offsetParent !== null"
                    + " && e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())"
                    + " && parseFloat(getComputedStyle(e).fontSize) < 11).length");
            assertThat(((Number) tooSmall).intValue()).as("text smaller than 11px on " + page.getKey()).isZero();
            browser.screenshot("390" + page.getKey().replace('/', '-').replaceAll("-[0-9a-f-]{20,}", "-id"));
        }

        // Empty states name the next step.
        browser.driver.get(server.url("/activity?event=" + "No%20Such%20Event"));
        browser.awaitText(By.id("activity-list"), "No matching events yet");
        assertThat(text("activity-list")).contains("clear the filters");
        browser.driver.get(server.url("/imports"));
        browser.awaitText(By.id("import-result"), "Choose a CSV or JSONL file");
        browser.driver.get(server.url("/reports/funnel"));
        browser.awaitText(By.id("report-result"), "Fill in the form above");
    }

    @Test
    void xssPayloadsOnTheNewPagesAreShownAsText() {
        String payloadName = DashboardFixture.SCRIPT + DashboardFixture.IMG;
        String evil = createPopulation(payloadName, "{\"identity\": " + Json.MAPPER.valueToTree(DashboardFixture.MALLORY) + "}");
        String mallory = server.person(DashboardFixture.MALLORY).get("id").asText();

        browser.driver.get(server.url("/people/" + mallory));
        browser.awaitText(By.id("person-populations"), DashboardFixture.SCRIPT);
        assertThat(text("person-populations")).contains(DashboardFixture.IMG);
        assertThat(browser.driver.findElements(By.cssSelector("#main img, #main script"))).isEmpty();
        browser.assertNoScriptRan();

        browser.driver.get(server.url("/activity?population=" + evil));
        browser.awaitText(By.id("activity-list"), DashboardFixture.IMG);
        assertThat(new Select(browser.driver.findElement(By.id("activity-population"))).getFirstSelectedOption().getText())
                .isEqualTo(payloadName);
        assertThat(text("activity-list")).doesNotContain(DashboardFixture.ANN);
        browser.assertNoScriptRan();

        browser.driver.get(server.url("/reports/revenue"));
        new Select(browser.await(By.name("population"))).selectByVisibleText(payloadName);
        browser.driver.findElement(By.id("run-report")).click();
        browser.await(By.id("revenue-stats"));
        browser.assertNoScriptRan();

        String jsonl = "{\"type\": \"track\", \"userId\": " + Json.MAPPER.valueToTree(DashboardFixture.MALLORY) + ", \"event\": "
                + Json.MAPPER.valueToTree(DashboardFixture.IMG) + ", \"messageId\": \"imp-x1\", \"timestamp\": \"" + Instant.now() + "\"}\n"
                + DashboardFixture.SCRIPT + "\n"
                + "{\"type\": " + Json.MAPPER.valueToTree(DashboardFixture.IMG) + "}\n";
        importFile(file("payloads.jsonl", jsonl));
        assertThat(text("import-imported")).startsWith("1");
        assertThat(browser.driver.findElements(By.cssSelector("#import-rejected tbody tr"))).hasSize(2);
        assertThat(browser.driver.findElements(By.cssSelector("#main img, #main script"))).isEmpty();
        for (WebElement a : browser.driver.findElements(By.cssSelector("a[href]"))) {
            assertThat(a.getAttribute("href")).as("link targets").doesNotStartWithIgnoringCase("javascript:");
        }
        browser.screenshot("import-xss");
        browser.assertNoScriptRan();
    }
}
