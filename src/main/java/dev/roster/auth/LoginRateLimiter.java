package dev.roster.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force protection for the login. Two limits, both on failed attempts in a sliding window:
 * <ul>
 *   <li>per client address: after {@link #PER_ADDRESS_FAILURES} failures in
 *       {@link #WINDOW}, that address is refused (429) until the oldest failure leaves the window;
 *   <li>globally: after {@link #GLOBAL_FAILURES} failures from all addresses in {@link #WINDOW},
 *       every login is refused for a while, which slows a distributed guesser to a crawl.
 * </ul>
 * Refused attempts are not checked against the password at all, so they cost the server nothing
 * and teach the attacker nothing. A successful login clears its address's failures.
 *
 * <p>Thread safety: safe for concurrent use (one lock; logins are rare).
 */
public final class LoginRateLimiter {
    public static final int PER_ADDRESS_FAILURES = 5;
    public static final int GLOBAL_FAILURES = 100;
    public static final Duration WINDOW = Duration.ofMinutes(15);

    private final Clock clock;
    private final Map<String, Deque<Instant>> failuresByAddress = new ConcurrentHashMap<>();
    private final Deque<Instant> globalFailures = new ArrayDeque<>();

    public LoginRateLimiter(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** How long this address must wait before trying again, or empty when it may try now. */
    public synchronized Optional<Duration> retryAfter(String address) {
        Instant now = clock.instant();
        Instant horizon = now.minus(WINDOW);
        prune(globalFailures, horizon);
        if (globalFailures.size() >= GLOBAL_FAILURES) {
            return Optional.of(Duration.between(horizon, globalFailures.peekFirst()).plusSeconds(1));
        }
        Deque<Instant> failures = failuresByAddress.get(address);
        if (failures == null) {
            return Optional.empty();
        }
        prune(failures, horizon);
        if (failures.isEmpty()) {
            failuresByAddress.remove(address);
            return Optional.empty();
        }
        if (failures.size() >= PER_ADDRESS_FAILURES) {
            return Optional.of(Duration.between(horizon, failures.peekFirst()).plusSeconds(1));
        }
        return Optional.empty();
    }

    public synchronized void recordFailure(String address) {
        Instant now = clock.instant();
        failuresByAddress.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(now);
        globalFailures.addLast(now);
        if (failuresByAddress.size() > 10_000) {
            Instant horizon = now.minus(WINDOW);
            failuresByAddress.values().forEach(d -> prune(d, horizon));
            failuresByAddress.values().removeIf(Deque::isEmpty);
        }
    }

    public synchronized void recordSuccess(String address) {
        failuresByAddress.remove(address);
    }

    private static void prune(Deque<Instant> failures, Instant horizon) {
        while (!failures.isEmpty() && !failures.peekFirst().isAfter(horizon)) {
            failures.pollFirst();
        }
    }
}
