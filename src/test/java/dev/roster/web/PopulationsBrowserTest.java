package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The populations pages in a real browser (SPEC §6.6, §10). Enable once /api/populations is merged. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PopulationsBrowserTest {
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

    private void createPopulation(String name, String event) {
        browser.driver.get(server.url("/populations"));
        WebElement eventInput = browser.await(By.cssSelector("#population-builder .condition input"));
        eventInput.sendKeys(event);
        browser.awaitText(By.id("population-preview"), "3 people");
        browser.driver.findElement(By.id("population-name")).sendKeys(name);
        browser.driver.findElement(By.id("population-save")).click();
        browser.await(By.id("population-title"));
    }

    @Test
    void createAPopulationAndSeeItsCountAndMembers() {
        createPopulation("Pricing viewers", "Viewed Pricing");
        assertThat(browser.driver.findElement(By.id("population-title")).getText()).isEqualTo("Pricing viewers");
        browser.awaitText(By.id("population-count"), "3 people");
        browser.await(By.id("people-table"));
        assertThat(browser.driver.findElement(By.id("people-table")).getText())
                .contains(DashboardFixture.ANN).contains(DashboardFixture.BOB).contains(DashboardFixture.CAROL);
        browser.await(By.cssSelector("#population-history canvas"));
        browser.screenshot("population");
        browser.driver.get(server.url("/populations"));
        browser.awaitText(By.id("populations-table"), "Pricing viewers");
        browser.await(By.cssSelector("#populations-table .spark canvas"));
        assertThat(browser.driver.findElement(By.id("population-error")).getText()).as("no error before any input").isEmpty();
        browser.screenshot("populations");
    }

    @Test
    void aValidationErrorIsShownOnTheOffendingCondition() {
        browser.driver.get(server.url("/populations"));
        WebElement count = browser.await(By.cssSelector("#population-builder .condition input[type=number]"));
        count.clear();
        count.sendKeys("-1");
        browser.await(By.cssSelector("#population-builder .condition.invalid"));
        assertThat(browser.driver.findElement(By.id("population-error")).getText()).isNotBlank();
    }

    @Test
    void populationNamesWithScriptAreShownAsText() {
        createPopulation(DashboardFixture.IMG + DashboardFixture.SCRIPT, "Viewed Pricing");
        assertThat(browser.driver.findElement(By.id("population-title")).getText())
                .isEqualTo(DashboardFixture.IMG + DashboardFixture.SCRIPT);
        browser.driver.get(server.url("/populations"));
        browser.awaitText(By.id("populations-table"), "onerror");
        browser.driver.get(server.url("/reports/funnel"));
        browser.await(By.id("funnel-steps"));
        assertThat(browser.driver.findElements(By.cssSelector("#main img, #main script"))).isEmpty();
        browser.assertNoScriptRan();
    }
}
