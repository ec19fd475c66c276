package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard shell's loading order: every module is preloaded (so the import graph is fetched
 * in one round instead of one per import level), and the chart library is a deferred script after
 * the app, so its download and start-up do not hold up the first requests. The server names them
 * by a fingerprint of their content, which browsers keep without asking again.
 */
class PageShellTest {
    private static final Pattern PRELOAD = Pattern.compile("<link rel=\"modulepreload\" href=\"/assets/js/([^\"]+)\">");

    @Test
    void theShellPreloadsEveryModuleOfTheDashboard() throws Exception {
        String shell = shell();
        List<String> preloaded = PRELOAD.matcher(shell).results().map(m -> m.group(1)).toList();

        assertThat(preloaded).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(modules());
    }

    @Test
    void everyFileOfTheAppIsNamedByAShellSoTheFingerprintCoversIt() throws Exception {
        String pages = shell() + page("/web/pages/login.html");
        List<String> named = Pattern.compile("\"/assets/([^\"]+)\"").matcher(pages).results().map(m -> m.group(1)).distinct().toList();

        assertThat(named).containsExactlyInAnyOrderElementsOf(files(f -> true));
    }

    @Test
    void theChartLibraryIsDeferredAfterTheAppModule() throws Exception {
        String shell = shell();
        Matcher echarts = Pattern.compile("<script defer id=\"echarts-script\" src=\"/webjars/echarts/[^\"]+\"></script>").matcher(shell);

        assertThat(echarts.find()).as("a deferred echarts script with the id charts.js waits on").isTrue();
        assertThat(shell.indexOf("<script type=\"module\" src=\"/assets/js/main.js\">")).isPositive().isLessThan(echarts.start());
        assertThat(Pattern.compile("<script(?![^>]*\\b(defer|type=\"module\"))[^>]*src=").matcher(shell).find())
                .as("no parser-blocking script").isFalse();
    }

    @Test
    void theServedShellNamesFingerprintedAssetsThatBrowsersKeep() {
        try (TestServer server = DashboardFixture.start()) {
            DashboardFixture.Login login = DashboardFixture.login(server);
            String shell = DashboardFixture.get(server, "/people", login.cookie()).body();
            Matcher main = Pattern.compile("/assets/(v-[0-9a-f]{12})/js/main.js").matcher(shell);
            assertThat(main.find()).as(shell).isTrue();
            assertThat(shell).doesNotContain("\"/assets/js/").contains("/assets/" + main.group(1) + "/app.css");
            assertThat(DashboardFixture.get(server, "/login", null).body()).contains("/assets/" + main.group(1) + "/js/login.js");

            HttpResponse<String> versioned = DashboardFixture.get(server, main.group(), null);
            assertThat(versioned.statusCode()).isEqualTo(200);
            assertThat(versioned.headers().firstValue("Cache-Control").orElseThrow()).contains("immutable").contains("max-age=31536000");
            HttpResponse<String> plain = DashboardFixture.get(server, "/assets/js/main.js", null);
            assertThat(versioned.body()).isEqualTo(plain.body());
            assertThat(plain.headers().firstValue("Cache-Control").orElseThrow()).isEqualTo("no-cache");
            assertThat(DashboardFixture.get(server, "/assets/" + main.group(1) + "/js/pages/reports.js", null).statusCode())
                    .as("a relative import resolves under the same prefix").isEqualTo(200);
        }
    }

    /** The dashboard's modules (the login page's own script is not part of the app). */
    private static List<String> modules() throws IOException, URISyntaxException {
        return files(name -> name.startsWith("js/") && name.endsWith(".js") && !name.equals("js/login.js")).stream()
                .map(name -> name.substring("js/".length())).toList();
    }

    /** The files under /web/app (served at /assets), as paths relative to it. */
    private static List<String> files(Predicate<String> keep) throws IOException, URISyntaxException {
        Path root = Path.of(PageShellTest.class.getResource("/web/app").toURI());
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString().replace('\\', '/')).filter(keep).toList();
        }
    }

    private static String shell() throws IOException {
        return page("/web/pages/index.html");
    }

    private static String page(String resource) throws IOException {
        try (InputStream in = PageShellTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
