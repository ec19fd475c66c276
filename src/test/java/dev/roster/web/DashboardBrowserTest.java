package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Clicks through the dashboard as a person would, in headless chromium, on a seeded dataset. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    private TestServer server;
    private Browser browser;

    @BeforeAll
    void startServer() {
        Browser.assumeAvailable();
        server = DashboardFixture.start();
        DashboardFixture.seed(server);
        DashboardFixture.seedXss(server);
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
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private String base() {
        return server.url("");
    }

    @Test
    void logInSearchByEmailAndSeeTheEventsFromBeforeIdentification() {
        browser.driver.get(base() + "/people");
        assertThat(browser.driver.getCurrentUrl()).as("pages need a login").contains("/login?next=%2Fpeople");
        browser.screenshot("login");
        browser.login(base(), DashboardFixture.PASSWORD);
        assertThat(browser.driver.getCurrentUrl()).endsWith("/people");
        browser.await(By.id("people-table"));
        browser.screenshot("people");

        WebElement search = browser.driver.findElement(By.id("people-search"));
        search.clear();
        search.sendKeys(DashboardFixture.ANN + "\n");
        browser.waiting().until(d -> d.getCurrentUrl().contains("q=ann%40example.com"));
        browser.awaitText(By.id("people-table"), DashboardFixture.ANN);
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#people-table tbody tr"));
        assertThat(rows).hasSize(1);
        rows.get(0).findElement(By.tagName("a")).click();

        browser.awaitText(By.id("person-name"), DashboardFixture.ANN);
        browser.awaitText(By.id("timeline"), "Purchased");
        String identities = browser.driver.findElement(By.id("identities")).getText();
        assertThat(identities).contains(DashboardFixture.ANN).contains(DashboardFixture.ANN_ANONYMOUS);
        // The anonymous page view and pricing view, three days before she signed up, are on her timeline.
        WebElement pricing = browser.driver.findElement(By.cssSelector("#timeline .event-row[data-event='Viewed Pricing']"));
        assertThat(pricing.getText()).contains("as " + DashboardFixture.ANN_ANONYMOUS);
        assertThat(browser.driver.findElements(By.cssSelector("#timeline .event-row[data-event='$pageview']"))).hasSize(1);
        assertThat(browser.driver.findElements(By.cssSelector("#timeline .session")).size()).as("two days, two sessions").isGreaterThanOrEqualTo(2);
        pricing.click();
        assertThat(pricing.findElement(By.cssSelector(".event-props")).getText()).contains("plan").contains("pro");
        assertThat(browser.driver.findElement(By.id("person-properties")).getText()).contains("Ann Example");
        browser.screenshot("person");

        WebElement filter = browser.driver.findElement(By.id("timeline-filter"));
        filter.sendKeys("Signed Up\n");
        browser.waiting().until(d -> d.findElements(By.cssSelector("#timeline .event-row")).size() == 1);
        assertThat(browser.driver.findElement(By.cssSelector("#timeline .event-row")).getAttribute("data-event")).isEqualTo("Signed Up");
        browser.assertNoScriptRan();
    }

    @Test
    void xssPayloadsInEventsPropertiesAndIdentitiesAreShownAsText() {
        browser.login(base(), DashboardFixture.PASSWORD);
        browser.driver.get(base() + "/people");
        browser.await(By.id("people-table"));
        String table = browser.driver.findElement(By.id("people-table")).getText();
        assertThat(table).as("the display name is the user id, shown literally").contains(DashboardFixture.MALLORY);
        browser.assertNoScriptRan();

        String mallory = server.person(DashboardFixture.MALLORY).get("id").asText();
        browser.driver.get(base() + "/people/" + mallory);
        browser.awaitText(By.id("timeline"), "onerror");
        for (WebElement row : browser.driver.findElements(By.cssSelector("#timeline .event-row"))) {
            row.click();
        }
        String page = browser.driver.findElement(By.id("main")).getText();
        assertThat(page).contains(DashboardFixture.SCRIPT).contains(DashboardFixture.IMG).contains(DashboardFixture.JS_URL);
        assertThat(browser.driver.findElements(By.cssSelector("#main img, #main script"))).as("no markup from data").isEmpty();
        for (WebElement a : browser.driver.findElements(By.cssSelector("a[href]"))) {
            assertThat(a.getAttribute("href")).as("link targets").doesNotStartWithIgnoringCase("javascript:");
        }
        browser.screenshot("person-xss");
        browser.assertNoScriptRan();

        for (String path : List.of("/activity", "/health", "/projects", "/people?q=" + java.net.URLEncoder.encode("mallory<", java.nio.charset.StandardCharsets.UTF_8))) {
            browser.driver.get(base() + path);
            browser.await(By.cssSelector("#main .panel, #main .empty"));
            browser.waiting().until(d -> !d.findElement(By.id("main")).getText().contains("Loading"));
            browser.assertNoScriptRan();
        }
        browser.driver.get(base() + "/activity");
        browser.awaitText(By.id("activity-list"), DashboardFixture.IMG);
        assertThat(browser.driver.findElements(By.cssSelector("#main img, #main script"))).isEmpty();
        browser.assertNoScriptRan();
    }

    @Test
    void activityStreamShowsNewEventsLiveAndLinksToThePerson() {
        browser.login(base(), DashboardFixture.PASSWORD);
        browser.driver.get(base() + "/activity");
        browser.await(By.id("activity-list"));
        browser.awaitText(By.id("activity-list"), "Viewed Pricing");
        browser.screenshot("activity");
        String event = "Live Event " + System.nanoTime();
        TestServer.Response response = server.segment("track", "{\"userId\": \"" + DashboardFixture.BOB + "\", \"event\": \"" + event + "\"}");
        assertThat(response.status()).isEqualTo(200);
        browser.awaitText(By.id("activity-list"), event);
        WebElement row = browser.driver.findElement(By.cssSelector("#activity-list .event-row[data-event='" + event + "']"));
        row.findElement(By.tagName("a")).click();
        browser.awaitText(By.id("person-name"), DashboardFixture.BOB);
    }

    @Test
    void healthSetupAndEmptyReportPagesRender() {
        server.segment("track", "{\"userId\": \"null\", \"event\": \"From a placeholder\"}");
        server.roster().flush();
        browser.login(base(), DashboardFixture.PASSWORD);
        browser.driver.get(base() + "/health");
        browser.await(By.id("ingest-chart"));
        browser.awaitText(By.id("main"), "Identity warnings");
        browser.screenshot("health");
        browser.driver.get(base() + "/projects");
        browser.await(By.id("snippet"));
        assertThat(browser.driver.findElement(By.id("snippet")).getText()).contains("/roster.js").contains(server.writeKey());
        assertThat(browser.driver.findElement(By.id("main")).getText()).contains("posthog.init").contains("mixpanel.init").contains("KISSmetrics")
                .contains(server.secretKey());
        browser.screenshot("setup");
        browser.driver.get(base() + "/reports/funnel");
        browser.await(By.id("funnel-steps"));
        browser.screenshot("funnel-builder");
        browser.assertNoScriptRan();
    }

    @Test
    void createAProjectInTheDashboardAndSeeItsSnippet() {
        browser.login(base(), DashboardFixture.PASSWORD);
        browser.driver.get(base() + "/projects");
        browser.await(By.id("new-project-name")).sendKeys("Docs site");
        browser.driver.findElement(By.cssSelector("#create-project button")).click();
        // The setup page already shows the current project's secret key, so wait for the new project itself.
        browser.waiting().until(d -> server.roster().projects().findById("docs-site").isPresent());
        browser.awaitText(By.id("main"), "Docs site");
        String writeKey = server.roster().projects().findById("docs-site").orElseThrow().writeKey();
        browser.driver.get(base() + "/");
        browser.awaitText(By.id("main"), "No events yet — paste this snippet");
        assertThat(browser.driver.findElement(By.id("snippet")).getText()).contains(writeKey);
        browser.screenshot("empty-project");
        // Back to the seeded project for the other tests.
        browser.script("localStorage.removeItem('roster.project')");
    }

    @Test
    void adminMergeOfTwoIdentifiedPersonsAsksForConfirmationFirst() {
        server.segment("identify", "{\"userId\": \"dave@example.com\", \"traits\": {\"name\": \"Dave\"}}");
        server.segment("track", "{\"userId\": \"dave.work@example.com\", \"event\": \"Logged In\"}");
        server.roster().flush();
        String dave = server.person("dave@example.com").get("id").asText();
        browser.login(base(), DashboardFixture.PASSWORD);
        browser.driver.get(base() + "/people/" + dave);
        browser.await(By.id("merge-open")).click();
        browser.await(By.id("merge-other")).sendKeys("dave.work@example.com\n");
        browser.await(By.id("dialog-cancel")).click();
        assertThat(server.person("dave.work@example.com").get("id").asText()).as("cancel keeps them apart").isNotEqualTo(dave);

        browser.driver.findElement(By.cssSelector("#merge-other + button")).click();
        browser.await(By.id("dialog-confirm"));
        browser.screenshot("merge-confirm");
        browser.driver.findElement(By.id("dialog-confirm")).click();
        browser.awaitText(By.id("identities"), "dave.work@example.com");
        assertThat(server.person("dave.work@example.com").get("id").asText()).isEqualTo(server.person("dave@example.com").get("id").asText());
        browser.awaitText(By.id("timeline"), "Logged In");
    }

    @Test
    void readableAt390PixelsWide() {
        browser.close();
        browser = Browser.open(390, 844);
        browser.login(base(), DashboardFixture.PASSWORD);
        String ann = server.person(DashboardFixture.ANN).get("id").asText();
        for (Map.Entry<String, String> page : Map.of("/people", "people-table", "/people/" + ann, "timeline", "/activity", "activity-list").entrySet()) {
            browser.driver.get(base() + page.getKey());
            browser.await(By.id(page.getValue()));
            Object overflow = browser.script("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(((Number) overflow).longValue()).as("horizontal overflow on " + page.getKey()).isLessThanOrEqualTo(0);
        }
        browser.driver.get(base() + "/people/" + ann);
        browser.awaitText(By.id("timeline"), "Purchased");
        browser.screenshot("person-390");
    }

    @Test
    void logOutThenPagesAndApiAreRefused() {
        browser.login(base(), DashboardFixture.PASSWORD);
        browser.driver.get(base() + "/people");
        browser.await(By.id("people-table"));
        browser.driver.findElement(By.id("logout")).click();
        browser.waiting().until(d -> d.getCurrentUrl().contains("/login"));
        browser.driver.get(base() + "/people");
        browser.waiting().until(d -> d.getCurrentUrl().contains("/login"));
        assertThat(browser.driver.findElements(By.id("people-table"))).isEmpty();
        Object status = browser.script("const done = arguments[arguments.length - 1];"
                + "fetch('/api/people').then(r => done(r.status)).catch(e => done(String(e)));");
        assertThat(status).isNull();
        Object asyncStatus = ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch('/api/people').then(r => done(r.status));");
        assertThat(((Number) asyncStatus).intValue()).isEqualTo(401);
    }
}
