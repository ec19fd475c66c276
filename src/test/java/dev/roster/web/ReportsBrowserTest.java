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
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The report pages in a real browser, against the report APIs of SPEC §10. The seeded funnel
 * Viewed Pricing → Signed Up → Purchased has 3, 2 and 1 people (Ann, Bob, Carol; see
 * {@link DashboardFixture}). Enable each test once its API is merged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsBrowserTest {
    private TestServer server;
    private Browser browser;

    @BeforeAll
    void startServer() {
        Browser.assumeAvailable();
        server = DashboardFixture.start();
        DashboardFixture.seed(server);
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

    private void buildFunnel(List<String> steps) {
        browser.driver.get(server.url("/reports/funnel"));
        browser.await(By.id("funnel-steps"));
        for (int i = 0; i < steps.size(); i++) {
            if (i >= 2) {
                browser.driver.findElement(By.id("funnel-add-step")).click();
            }
            WebElement input = browser.await(By.name("step-" + i));
            input.clear();
            input.sendKeys(steps.get(i));
        }
        browser.driver.findElement(By.id("run-report")).click();
        browser.await(By.id("funnel-table"));
    }

    private String cell(String id) {
        return browser.driver.findElement(By.id(id)).getText();
    }

    @Test
    void threeStepFunnelShowsTheExpectedCountsAndKeepsItsSettingsInTheUrl() {
        buildFunnel(List.of("Viewed Pricing", "Signed Up", "Purchased"));
        assertThat(cell("funnel-count-0")).isEqualTo("3");
        assertThat(cell("funnel-count-1")).isEqualTo("2");
        assertThat(cell("funnel-count-2")).isEqualTo("1");
        assertThat(browser.driver.findElement(By.id("funnel-table")).getText()).contains("66.7%").contains("50%");
        browser.screenshot("funnel");
        String bookmark = browser.driver.getCurrentUrl();
        assertThat(bookmark).contains("/reports/funnel?s=");
        browser.driver.get(bookmark);
        browser.await(By.id("funnel-table"));
        assertThat(cell("funnel-count-2")).as("the bookmarked report reruns").isEqualTo("1");
        browser.assertNoScriptRan();
    }

    @Test
    void clickingAFunnelNumberLandsOnThosePeopleAndTheyCanBeSavedAsAPopulation() {
        buildFunnel(List.of("Viewed Pricing", "Signed Up", "Purchased"));
        browser.driver.findElement(By.id("funnel-count-1")).click();
        browser.await(By.id("report-people"));
        browser.awaitText(By.id("report-people-count"), "2 people");
        browser.await(By.id("people-table"));
        String people = browser.driver.findElement(By.id("people-table")).getText();
        assertThat(people).contains(DashboardFixture.ANN).contains(DashboardFixture.CAROL).doesNotContain(DashboardFixture.BOB);
        browser.screenshot("funnel-people");

        WebElement name = browser.driver.findElement(By.id("population-name"));
        name.clear();
        name.sendKeys("Signed up after pricing");
        browser.driver.findElement(By.id("save-population")).click();
        browser.awaitText(By.id("report-people"), "Saved");
        browser.driver.findElement(By.cssSelector("#report-people .good a")).click();
        browser.awaitText(By.id("population-count"), "2 people");
    }

    @Test
    void retentionMatrixOpensWithCohortsAndClickableCells() {
        browser.driver.get(server.url("/reports/retention"));
        browser.await(By.id("retention-cohort")).sendKeys("Signed Up");
        browser.driver.findElement(By.id("run-report")).click();
        browser.await(By.id("retention-matrix"));
        List<WebElement> cohorts = browser.driver.findElements(By.cssSelector("#retention-matrix tbody tr"));
        assertThat(cohorts.size()).as("cohort rows plus the average row").isGreaterThanOrEqualTo(2);
        assertThat(browser.driver.findElement(By.id("retention-matrix")).getText()).contains("Weighted average");
        browser.screenshot("retention");
        browser.assertNoScriptRan();
    }

    @Test
    void trendsShowsAChartAndTheTable() {
        browser.driver.get(server.url("/reports/trends"));
        WebElement event = browser.await(By.name("events-0"));
        event.clear();
        event.sendKeys("Viewed Pricing");
        browser.driver.findElement(By.name("compare_from")).sendKeys("Viewed Pricing");
        browser.driver.findElement(By.name("compare_to")).sendKeys("Signed Up");
        browser.driver.findElement(By.id("run-report")).click();
        browser.await(By.id("trends-table"));
        browser.await(By.id("trends-chart"));

        // Viewed Pricing: Ann (3 days ago), Carol (yesterday), Bob (an hour ago), each in their own session.
        assertThat(browser.driver.findElement(By.cssSelector("#trends-totals tbody")).getText())
                .as("events, people, sessions, events per person over the range")
                .contains("Viewed Pricing 3 3 3 1");
        assertThat(browser.driver.findElement(By.cssSelector("#trends-table tfoot")).getText()).contains("3");

        // Ann converted two days later (another session), Carol in the same session, Bob never:
        // 2 of 3 people but 1 of 3 sessions, so sessions undercount it 2x.
        WebElement comparison = browser.await(By.id("people-vs-sessions"));
        assertThat(browser.driver.findElement(By.id("pvs-people")).getText()).contains("66.7%").contains("2 of 3 people");
        assertThat(browser.driver.findElement(By.id("pvs-sessions")).getText()).contains("33.3%").contains("1 of 3 sessions");
        assertThat(browser.driver.findElement(By.id("pvs-ratio")).getText()).contains("2× too low");
        ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeScript("window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY - 70)", comparison);
        browser.screenshot("trends");
        browser.assertNoScriptRan();

        // A number in the table leads to the people behind it.
        WebElement cell = browser.await(By.cssSelector("#trends-table tbody a.clickable"));
        String count = cell.getText();
        cell.click();
        browser.awaitText(By.id("report-people-count"), count + " people");
        browser.await(By.id("people-table"));
        String people = browser.driver.findElement(By.id("people-table")).getText();
        assertThat(people).containsAnyOf(DashboardFixture.ANN, DashboardFixture.BOB, DashboardFixture.CAROL);
    }

    @Test
    void revenuePageShowsTotalsAndTopCustomers() {
        browser.driver.get(server.url("/reports/revenue"));
        browser.await(By.id("run-report")).click();
        browser.await(By.id("revenue-stats"));
        browser.awaitText(By.id("revenue-stats"), "$49.50");
        assertThat(browser.driver.findElement(By.id("top-customers")).getText()).contains(DashboardFixture.ANN);
        // the chart library is a deferred script after the app (PageShellTest); the charts are drawn
        browser.await(By.cssSelector("#revenue-periods canvas"));
        browser.await(By.cssSelector("#revenue-curves canvas"));
        browser.screenshot("revenue");
    }

    @Test
    void chartsOfAReportThatArrivesBeforeTheChartLibraryAreDrawnWhenItDoes() {
        ChromeDriver chrome = (ChromeDriver) browser.driver;
        chrome.executeCdpCommand("Network.enable", Map.of());
        chrome.executeCdpCommand("Network.clearBrowserCache", Map.of());   // the login left the library cached
        // a slow line: the 1 MB library takes seconds, the report's small answer does not
        chrome.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 20,
                "downloadThroughput", 100_000, "uploadThroughput", 100_000));
        browser.driver.get(server.url("/reports/revenue?s=" + java.net.URLEncoder.encode("{}", java.nio.charset.StandardCharsets.UTF_8)));
        browser.awaitText(By.id("revenue-stats"), "$49.50");
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(60))
                .until(d -> !d.findElements(By.cssSelector("#revenue-periods canvas")).isEmpty());
        assertThat(browser.driver.findElements(By.cssSelector("#revenue-curves canvas"))).isNotEmpty();

        @SuppressWarnings("unchecked")
        List<Number> ends = (List<Number>) ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeScript(
                "const end = (part) => performance.getEntriesByType('resource').find((r) => r.name.includes(part)).responseEnd;"
                        + "return [end('/api/reports/revenue'), end('echarts')];");
        assertThat(ends.get(1).doubleValue()).as("the library arrived after the report (so the charts waited for it)")
                .isGreaterThan(ends.get(0).doubleValue());
        assertThat(browser.driver.findElement(By.id("revenue-periods")).getText()).doesNotContain("unavailable");
    }

    @Test
    void aReportWhoseChartLibraryDoesNotLoadStillShowsItsNumbers() {
        ChromeDriver chrome = (ChromeDriver) browser.driver;
        chrome.executeCdpCommand("Network.enable", Map.of());
        chrome.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*echarts*")));
        browser.driver.get(server.url("/reports/revenue"));
        browser.await(By.id("run-report")).click();
        browser.awaitText(By.id("revenue-stats"), "$49.50");
        browser.awaitText(By.id("revenue-periods"), "Charts are unavailable");
        assertThat(browser.driver.findElement(By.id("top-customers")).getText()).contains(DashboardFixture.ANN);
        assertThat(browser.driver.findElements(By.cssSelector("#report-result canvas"))).isEmpty();
    }
}
