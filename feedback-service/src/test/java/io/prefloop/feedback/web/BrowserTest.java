package io.prefloop.feedback.web;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prefloop.feedback.FeedbackIntegrationTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Tests that drive the pages in the system's headless Chromium through the system's
 * chromedriver (Debian's {@code chromium} and {@code chromium-driver}); nothing is downloaded.
 * Without them the tests are skipped, unless {@code PREFLOOP_BROWSER_TESTS=required} (set by
 * {@code .ci/run}) makes that a failure.
 */
public abstract class BrowserTest extends FeedbackIntegrationTest {

    protected static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final List<String> CHROMIUMS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");

    protected static WebDriver driver;

    @BeforeAll
    static void startBrowser() {
        String chromium = firstExisting(System.getenv("PREFLOOP_CHROMIUM"), CHROMIUMS);
        String chromedriver = firstExisting(System.getenv("PREFLOOP_CHROMEDRIVER"), List.of("/usr/bin/chromedriver"));
        if (chromium == null || chromedriver == null) {
            String why = "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)";
            if ("required".equals(System.getenv("PREFLOOP_BROWSER_TESTS"))) {
                fail(why + ", and PREFLOOP_BROWSER_TESTS=required");
            }
            assumeTrue(false, why + ": browser tests skipped; PREFLOOP_BROWSER_TESTS=required makes this a failure");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--force-device-scale-factor=1");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }

    private static String firstExisting(String configured, List<String> candidates) {
        if (configured != null && !configured.isBlank()) {
            return Files.isExecutable(Path.of(configured)) ? configured : null;
        }
        return candidates.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    protected String base() {
        return "http://localhost:" + port;
    }

    /** Opens a page with an empty session (no key kept from an earlier test). */
    protected void openFresh(String path) {
        driver.manage().window().setSize(new Dimension(1280, 1000));
        // clear the session on a page of the same origin that runs nothing, so that no key of an
        // earlier test opens the page (and leases pairs) first
        driver.get(base() + "/web/prefloop.css");
        js("sessionStorage.clear()");
        driver.get(base() + path);
    }

    protected Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    protected WebElement visible(By by) {
        return await("visible " + by, () -> driver.findElements(by).stream().filter(WebElement::isDisplayed)
                .findFirst().orElse(null));
    }

    /** Polls until the supplier gives something other than null or false. */
    protected static <T> T await(String what, Supplier<T> condition) {
        Instant deadline = Instant.now().plusSeconds(15);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                T value = condition.get();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("Timed out waiting for " + what + diagnosis(), last);
    }

    /** What the page showed and logged, for the message of a test that timed out. */
    private static String diagnosis() {
        try {
            screenshot("timed-out");
            StringBuilder out = new StringBuilder("\npage text: ")
                    .append(((JavascriptExecutor) driver).executeScript("return document.body.innerText"));
            driver.manage().logs().get("browser").forEach(entry -> out.append("\nconsole: ").append(entry.getMessage()));
            return out.toString();
        } catch (RuntimeException e) {
            return " (no diagnosis: " + e + ")";
        }
    }

    protected static Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
