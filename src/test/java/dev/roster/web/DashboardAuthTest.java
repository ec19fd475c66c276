package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.auth.AdminAccounts;
import dev.roster.auth.LoginRateLimiter;
import dev.roster.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain-HTTP checks of who may read what: sessions, keys, CSRF, the login's brute-force limit. */
class DashboardAuthTest {
    private static final List<String> API_READS = List.of(
            "/api/people", "/api/people?q=ann", "/api/identity-warnings", "/api/projects", "/api/activity",
            "/api/ingestion/health");
    private static final List<String> PAGES = List.of(
            "/", "/people", "/people/some-id", "/activity", "/health", "/projects", "/reports/funnel",
            "/reports/retention", "/reports/trends", "/reports/revenue", "/populations", "/report-people");

    private TestServer server;

    @BeforeEach
    void start() {
        server = DashboardFixture.start();
        DashboardFixture.seed(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyApiReadNeedsASessionOrASecretKeyAndRefusesTheWriteKey() {
        DashboardFixture.Login login = DashboardFixture.login(server);
        String personId = server.person(DashboardFixture.ANN).get("id").asText();
        List<String> paths = new java.util.ArrayList<>(API_READS);
        paths.add("/api/people/" + personId);
        paths.add("/api/people/" + personId + "/timeline");
        for (String path : paths) {
            assertThat(DashboardFixture.get(server, path, null).statusCode()).as("anonymous " + path).isEqualTo(401);
            assertThat(server.get(path, "Bearer " + server.writeKey()).status()).as("write key " + path).isEqualTo(403);
            assertThat(server.get(path, "Bearer sk_wrong").status()).as("unknown key " + path).isEqualTo(401);
            assertThat(DashboardFixture.get(server, path, "roster_session=forged").statusCode()).as("forged cookie " + path).isEqualTo(401);
            assertThat(server.get(path).status()).as("secret key " + path).isEqualTo(200);
            assertThat(DashboardFixture.get(server, path, login.cookie()).statusCode()).as("session " + path).isEqualTo(200);
        }
    }

    @Test
    void pagesRedirectToTheLoginWithoutASessionAndServeTheAppWithOne() {
        DashboardFixture.Login login = DashboardFixture.login(server);
        for (String page : PAGES) {
            HttpResponse<String> anonymous = DashboardFixture.get(server, page, null);
            assertThat(anonymous.statusCode()).as(page).isEqualTo(302);
            assertThat(anonymous.headers().firstValue("Location").orElseThrow()).startsWith("/login?next=");
            HttpResponse<String> withSecretKeyOnly = DashboardFixture.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.url(page))).header("Authorization", "Bearer " + server.secretKey()).build());
            assertThat(withSecretKeyOnly.statusCode()).as("pages are for people, not keys: " + page).isEqualTo(302);
            HttpResponse<String> loggedIn = DashboardFixture.get(server, page, login.cookie());
            assertThat(loggedIn.statusCode()).as(page).isEqualTo(200);
            assertThat(loggedIn.body()).containsPattern("/assets/v-[0-9a-f]{12}/js/main.js");
            assertThat(loggedIn.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
        }
        assertThat(DashboardFixture.get(server, "/login", null).statusCode()).isEqualTo(200);
        assertThat(DashboardFixture.get(server, "/auth/session", null).statusCode()).isEqualTo(401);
    }

    @Test
    void sessionCookieIsHttpOnlyAndSameSiteStrict() {
        HttpResponse<String> response = DashboardFixture.post(server, "/auth/login",
                "{\"username\": \"admin\", \"password\": \"" + DashboardFixture.PASSWORD + "\"}", null, null);
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("roster_session=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/");
        assertThat(DashboardFixture.json(response).get("csrf_token").asText()).hasSizeGreaterThan(30);
    }

    @Test
    void wrongPasswordIsRefusedAndBruteForceIsRateLimitedEvenForTheRightPassword() {
        for (int i = 0; i < LoginRateLimiter.PER_ADDRESS_FAILURES; i++) {
            HttpResponse<String> wrong = DashboardFixture.post(server, "/auth/login", "{\"password\": \"guess-" + i + "\"}", null, null);
            assertThat(wrong.statusCode()).as("attempt " + i).isEqualTo(401);
            assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        }
        HttpResponse<String> limited = DashboardFixture.post(server, "/auth/login",
                "{\"password\": \"" + DashboardFixture.PASSWORD + "\"}", null, null);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        assertThat(DashboardFixture.json(limited).get("error").asText()).isEqualTo("rate_limited");
        assertThat(limited.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void stateChangingSessionRequestsWithoutTheCsrfTokenAreRejected() {
        DashboardFixture.Login login = DashboardFixture.login(server);
        String ann = server.person(DashboardFixture.ANN).get("id").asText();
        String bob = server.person(DashboardFixture.BOB).get("id").asText();
        String mergeBody = "{\"other\": \"" + bob + "\"}";

        HttpResponse<String> noToken = DashboardFixture.post(server, "/api/people/" + ann + "/merge", mergeBody, login.cookie(), null);
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(DashboardFixture.json(noToken).get("error").asText()).isEqualTo("csrf");
        HttpResponse<String> wrongToken = DashboardFixture.post(server, "/api/people/" + ann + "/merge", mergeBody, login.cookie(), "nope");
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(server.person(DashboardFixture.BOB).get("id").asText()).as("not merged").isEqualTo(bob);

        assertThat(DashboardFixture.post(server, "/api/projects", "{\"name\": \"Sneaky\"}", login.cookie(), null).statusCode()).isEqualTo(403);
        assertThat(server.roster().projects().all()).hasSize(1);
        assertThat(DashboardFixture.post(server, "/auth/logout", "{}", login.cookie(), null).statusCode()).isEqualTo(403);
        assertThat(DashboardFixture.get(server, "/api/people", login.cookie()).statusCode()).as("still logged in").isEqualTo(200);

        HttpResponse<String> merged = DashboardFixture.post(server, "/api/people/" + ann + "/merge", mergeBody, login.cookie(), login.csrf());
        assertThat(merged.statusCode()).as(merged.body()).isEqualTo(200);
        assertThat(server.person(DashboardFixture.BOB).get("id").asText()).isEqualTo(server.person(DashboardFixture.ANN).get("id").asText());
    }

    @Test
    void logoutEndsTheSessionForPagesAndApi() {
        DashboardFixture.Login login = DashboardFixture.login(server);
        assertThat(DashboardFixture.post(server, "/auth/logout", "{}", login.cookie(), login.csrf()).statusCode()).isEqualTo(200);
        assertThat(DashboardFixture.get(server, "/api/people", login.cookie()).statusCode()).isEqualTo(401);
        assertThat(DashboardFixture.get(server, "/people", login.cookie()).statusCode()).isEqualTo(302);
    }

    @Test
    void creatingAProjectNeedsASessionAndTheSessionChoosesTheProjectByHeader() {
        DashboardFixture.Login login = DashboardFixture.login(server);
        assertThat(server.api("/api/projects", "{\"name\": \"By key\"}").status()).as("a secret key cannot create projects").isEqualTo(403);

        HttpResponse<String> created = DashboardFixture.post(server, "/api/projects", "{\"name\": \"Second site\"}", login.cookie(), login.csrf());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode project = DashboardFixture.json(created);
        assertThat(project.get("project").asText()).isEqualTo("second-site");
        assertThat(project.get("write_key").asText()).startsWith("wk_");
        assertThat(project.get("secret_key").asText()).startsWith("sk_");

        // Default: the first project, which has people; the new one is empty and chosen by header or query.
        assertThat(DashboardFixture.json(DashboardFixture.get(server, "/api/people", login.cookie())).get("people").size()).isEqualTo(3);
        HttpResponse<String> second = DashboardFixture.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/api/people")))
                .header("Cookie", login.cookie()).header("X-Roster-Project", "second-site").build());
        assertThat(DashboardFixture.json(second).get("people").size()).isZero();
        assertThat(DashboardFixture.json(DashboardFixture.get(server, "/api/people?project=second-site", login.cookie())).get("people").size()).isZero();
        assertThat(DashboardFixture.get(server, "/api/people?project=nope", login.cookie()).statusCode()).isEqualTo(404);

        JsonNode projects = DashboardFixture.json(DashboardFixture.get(server, "/api/projects", login.cookie())).get("projects");
        assertThat(projects).hasSize(2);
        JsonNode byKey = DashboardFixture.json(DashboardFixture.get(server, "/api/projects?x=1", null));
        assertThat(byKey.get("error").asText()).isEqualTo("missing_key");
        assertThat(server.get("/api/projects").json().get("projects")).as("a secret key sees only its project").hasSize(1);
    }

    @Test
    void adminPasswordIsGeneratedOnceAndStoredOnlyAsASlowHash() {
        try (TestServer fresh = TestServer.start()) {
            AdminAccounts admins = fresh.roster().admins();
            AdminAccounts.Setup first = admins.ensureAdmin(Optional.empty());
            assertThat(first.created()).isTrue();
            String generated = first.generatedPassword().orElseThrow();
            assertThat(generated).hasSizeGreaterThanOrEqualTo(16);
            AdminAccounts.Setup second = admins.ensureAdmin(Optional.of("ignored-because-admin-exists"));
            assertThat(second.created()).isFalse();
            assertThat(second.generatedPassword()).isEmpty();
            assertThat(admins.verify("admin", generated)).isTrue();
            assertThat(admins.verify("admin", "ignored-because-admin-exists")).isFalse();
            String stored = fresh.roster().database().read(connection -> {
                try (var statement = connection.createStatement();
                        var rows = statement.executeQuery("SELECT password_hash FROM admin_users")) {
                    rows.next();
                    return rows.getString(1);
                }
            });
            assertThat(stored).startsWith("pbkdf2-sha256$600000$").doesNotContain(generated);
        }
        try (TestServer fresh = TestServer.start()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.roster().admins().ensureAdmin(Optional.of("short")))
                    .hasMessageContaining("at least 8 characters");
        }
    }
}
