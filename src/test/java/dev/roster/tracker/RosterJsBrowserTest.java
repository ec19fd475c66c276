package dev.roster.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.roster.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * roster.js in a real headless Chromium: a page on another origin (a tiny local site) installs the
 * snippet, lands from a paid Google click, navigates with pushState, identifies and reloads. The
 * API must then show one person with the whole anonymous history, the pageviews with their utm
 * properties, and the Paid acquisition channel.
 */
class RosterJsBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private TestServer roster;
    private HttpServer site;
    private ChromeDriver browser;
    private Path profile;

    @BeforeEach
    void start() throws IOException {
        boolean chromium = Files.isExecutable(Path.of(CHROMIUM));
        boolean driver = Files.isExecutable(Path.of(CHROMEDRIVER));
        if (!chromium || !driver) {
            String missing = !chromium ? "chromium not installed: " + CHROMIUM : "chromedriver not installed: " + CHROMEDRIVER;
            System.out.println("SKIPPED RosterJsBrowserTest: " + missing + " (apt-get install chromium chromium-driver)");
            Assumptions.assumeTrue(false, missing);
        }
        roster = TestServer.start();
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            byte[] page = page().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        site.start();
        profile = Files.createTempDirectory("roster-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            dev.roster.web.Browser.deleteProfile(profile);
        }
        if (site != null) {
            site.stop(0);
        }
        if (roster != null) {
            roster.close();
        }
    }

    /** The customer's page: the documented snippet, with a call made before the script loads. */
    private String page() {
        return "<!doctype html><html><head><title>Acme</title>"
                + "<script async src=\"" + roster.url("/roster.js") + "\" data-write-key=\"" + roster.writeKey() + "\"></script>"
                + "<script>window.roster=window.roster||{q:[]};[\"track\",\"identify\",\"page\",\"alias\",\"reset\",\"trackClick\",\"trackSubmit\"]"
                + ".forEach(function(m){roster[m]=roster[m]||function(){roster.q.push([m].concat([].slice.call(arguments)))}});"
                + "roster.track('Snippet Queued', {early: true});roster.trackClick('#buy', 'Clicked Buy');</script>"
                + "</head><body><h1>Acme</h1><button id=\"buy\">Buy</button></body></html>";
    }

    private JavascriptExecutor js() {
        return browser;
    }

    private void waitForTracker() {
        await(() -> Boolean.TRUE.equals(js().executeScript("return !!(window.roster && window.roster.__loaded)")), "roster.js loaded");
    }

    private void flush() {
        js().executeScript("window.roster.flush()");
    }

    private static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private List<JsonNode> timeline(String personId) {
        List<JsonNode> events = new ArrayList<>();
        roster.get("/api/people/" + personId + "/timeline?limit=1000").json().get("events").forEach(events::add);
        return events;
    }

    @Test
    void paidLandingNavigationIdentifyAndReloadMakeOnePersonWithPaidAcquisition() {
        String siteUrl = "http://127.0.0.1:" + site.getAddress().getPort();
        browser.get(siteUrl + "/landing?utm_source=google&utm_medium=cpc&utm_campaign=x");
        waitForTracker();
        String anonymousId = (String) js().executeScript("return window.roster.anonymousId()");
        assertThat(browser.manage().getCookieNamed("roster_aid").getValue()).isEqualTo(anonymousId);
        assertThat(js().executeScript("return localStorage.getItem('roster_aid')")).isEqualTo(anonymousId);

        browser.findElement(org.openqa.selenium.By.id("buy")).click();
        js().executeScript("history.pushState({}, '', '/pricing')");
        await(() -> Boolean.TRUE.equals(js().executeScript("return location.pathname === '/pricing'")), "pushState");
        flush();
        await(() -> roster.get("/api/people?identity=" + anonymousId).status() == 200
                && roster.person(anonymousId).get("event_count").asInt() >= 4, "anonymous events stored");

        js().executeScript("window.roster.identify('user-42', {email: 'ann@example.com'})");
        flush();
        await(() -> roster.get("/api/people?identity=user-42").status() == 200, "identify stored");

        browser.navigate().refresh();
        waitForTracker();
        assertThat(js().executeScript("return window.roster.anonymousId()")).isEqualTo(anonymousId);
        flush();
        await(() -> roster.person("user-42").get("event_count").asInt() >= 5, "the reload's pageview");

        JsonNode person = roster.person("user-42");
        assertThat(roster.person(anonymousId).get("id")).as("one person").isEqualTo(person.get("id"));
        assertThat(person.get("display_name").asText()).isEqualTo("user-42");
        assertThat(person.get("properties").get("email").asText()).isEqualTo("ann@example.com");
        List<JsonNode> events = timeline(person.get("id").asText());
        List<JsonNode> pageviews = events.stream().filter(e -> e.get("name").asText().equals("$pageview")).toList();
        assertThat(pageviews).hasSize(3);
        JsonNode landing = pageviews.get(pageviews.size() - 1);
        assertThat(landing.get("properties").get("utm_source").asText()).isEqualTo("google");
        assertThat(landing.get("properties").get("utm_medium").asText()).isEqualTo("cpc");
        assertThat(landing.get("properties").get("utm_campaign").asText()).isEqualTo("x");
        assertThat(landing.get("properties").get("path").asText()).isEqualTo("/landing");
        assertThat(landing.get("properties").get("title").asText()).isEqualTo("Acme");
        assertThat(landing.get("identity").asText()).as("the landing was anonymous").isEqualTo(anonymousId);
        JsonNode navigation = pageviews.get(1);
        assertThat(navigation.get("properties").get("path").asText()).isEqualTo("/pricing");
        assertThat(navigation.get("properties").get("referrer").asText()).endsWith("/landing?utm_source=google&utm_medium=cpc&utm_campaign=x");
        assertThat(pageviews.get(0).get("identity").asText()).as("after identify").isEqualTo("user-42");
        assertThat(events).extracting(e -> e.get("name").asText()).contains("Snippet Queued", "Clicked Buy");
        assertThat(events).allSatisfy(e -> assertThat(e.get("properties").has("url")).isTrue());

        JsonNode acquisition = person.get("acquisition");
        assertThat(acquisition.get("channel").asText()).isEqualTo("Paid");
        assertThat(acquisition.get("utm_source").asText()).isEqualTo("google");
        assertThat(acquisition.get("utm_campaign").asText()).isEqualTo("x");
        assertThat(acquisition.get("landing_page").asText()).endsWith("/landing?utm_source=google&utm_medium=cpc&utm_campaign=x");
        assertThat(person.get("session_count").asInt()).isEqualTo(1);
    }

    @Test
    void resetStartsANewAnonymousVisitorAndKissmetricsLandingParametersWork() {
        String siteUrl = "http://127.0.0.1:" + site.getAddress().getPort();
        browser.get(siteUrl + "/?kmi=bob@example.com&kme=Opened%20Newsletter&km_campaign=spring");
        waitForTracker();
        String first = (String) js().executeScript("return window.roster.anonymousId()");
        flush();
        await(() -> roster.get("/api/people?identity=bob@example.com").status() == 200
                && roster.person("bob@example.com").get("event_count").asInt() >= 3, "KISSmetrics URL API");
        JsonNode bob = roster.person("bob@example.com");
        assertThat(bob.get("properties").get("campaign").asText()).isEqualTo("spring");
        assertThat(roster.person(first).get("id")).isEqualTo(bob.get("id"));
        assertThat(timeline(bob.get("id").asText())).extracting(e -> e.get("name").asText()).contains("Opened Newsletter");

        js().executeScript("window.roster.reset(); window.roster.track('After Logout')");
        String second = (String) js().executeScript("return window.roster.anonymousId()");
        assertThat(second).isNotEqualTo(first);
        assertThat(js().executeScript("return window.roster.userId()")).isNull();
        flush();
        await(() -> roster.get("/api/people?identity=" + second).status() == 200, "event after reset");
        assertThat(roster.person(second).get("id")).isNotEqualTo(bob.get("id"));
    }
}
