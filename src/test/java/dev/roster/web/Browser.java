package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian chromium driven by Selenium, with the system chromedriver (no downloads). Tests
 * call {@link #assumeAvailable()} first, which skips them visibly when either tool is missing.
 */
public final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    public final WebDriver driver;
    private final Path profile;

    private Browser(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static void assumeAvailable() {
        for (Path tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(tool)) {
                String message = tool.getFileName() + " not installed: " + tool
                        + " is missing (apt-get install -y chromium chromium-driver); skipping the browser test";
                System.out.println("SKIPPED: " + message);
                Assumptions.assumeTrue(false, message);
            }
        }
    }

    public static Browser open(int width, int height) {
        try {
            Path profile = Files.createTempDirectory("roster-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                    "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--hide-scrollbars");
            options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
            WebDriver driver = new ChromeDriver(service, options);
            driver.manage().window().setSize(new Dimension(width, height));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(15));
    }

    public WebElement await(By by) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(By by, String text) {
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    public void login(String baseUrl, String password) {
        if (!driver.getCurrentUrl().contains("/login")) {
            driver.get(baseUrl + "/login");
        }
        await(By.id("password")).sendKeys(password);
        driver.findElement(By.id("login-button")).click();
        // The password hash is slow on purpose; give a busy machine a minute.
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> !d.getCurrentUrl().contains("/login"));
        await(By.id("project-select"));
    }

    public Object script(String js, Object... args) {
        return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(js, args);
    }

    /** No injected script ran: the payloads' global flag is unset and no alert is open. */
    void assertNoScriptRan() {
        assertThat(script("return typeof window.__xss === 'undefined' ? null : String(window.__xss)")).as("window.__xss").isNull();
        try {
            String text = driver.switchTo().alert().getText();
            throw new AssertionError("an alert is open: " + text);
        } catch (NoAlertPresentException expected) {
            // good
        }
    }

    public void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteProfile(profile);
        }
    }

    /**
     * Deletes a chromium user-data directory. Chromium's helper processes may still be writing
     * into it for a moment after quit, so a failed pass is retried for up to two seconds.
     */
    public static void deleteProfile(Path profile) {
        for (int attempt = 0; attempt < 20 && Files.exists(profile); attempt++) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // a file vanished or appeared while walking: try again
            }
            if (Files.exists(profile)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (Files.exists(profile)) {
            System.out.println("WARNING: could not delete the chromium profile " + profile);
        }
    }
}
