package dev.roster.auth;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dashboard login sessions, held in memory: a restart logs everyone out, which is acceptable for
 * a single-admin tool and keeps session tokens off disk. Each session has its own CSRF token,
 * which state-changing requests must echo in a header.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class DashboardSessions {
    /** A session expires after this much inactivity. */
    public static final Duration IDLE_TIMEOUT = Duration.ofHours(12);
    /** ... and at the latest this long after login. */
    public static final Duration ABSOLUTE_TIMEOUT = Duration.ofDays(7);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public DashboardSessions(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** One logged-in browser. */
    public static final class Session {
        private final String id;
        private final String username;
        private final String csrfToken;
        private final Instant created;
        private volatile Instant lastSeen;

        Session(String id, String username, String csrfToken, Instant created) {
            this.id = id;
            this.username = username;
            this.csrfToken = csrfToken;
            this.created = created;
            this.lastSeen = created;
        }

        public String id() {
            return id;
        }

        public String username() {
            return username;
        }

        public String csrfToken() {
            return csrfToken;
        }

        /** Constant-time comparison of a request's CSRF header with this session's token. */
        public boolean csrfMatches(String token) {
            return token != null && MessageDigest.isEqual(csrfToken.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    public Session create(String username) {
        Instant now = clock.instant();
        Session session = new Session(token(), requireNonNull(username, "username is null"), token(), now);
        sessions.put(session.id(), session);
        if (sessions.size() % 64 == 0) {
            sessions.values().removeIf(s -> expired(s, now));
        }
        return session;
    }

    /** The live session with this id, touching its idle timer. */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        session.lastSeen = now;
        return Optional.of(session);
    }

    public void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private static boolean expired(Session session, Instant now) {
        return now.isAfter(session.lastSeen.plus(IDLE_TIMEOUT)) || now.isAfter(session.created.plus(ABSOLUTE_TIMEOUT));
    }

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
