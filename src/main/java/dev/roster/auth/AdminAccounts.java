package dev.roster.auth;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.store.Database;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The dashboard's admin account ({@code admin_users}). On the first start the password comes from
 * {@code ROSTER_ADMIN_PASSWORD} or is generated and shown once; only a slow hash is stored.
 *
 * <p>Thread safety: safe for concurrent use; writes serialise on the writer connection.
 */
public final class AdminAccounts {
    public static final String ADMIN = "admin";
    public static final String PASSWORD_ENVIRONMENT_VARIABLE = "ROSTER_ADMIN_PASSWORD";
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final Clock clock;

    public AdminAccounts(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * What {@link #ensureAdmin} did: {@code created} when the account was made now, and the
     * generated password when none was given (to be printed once, never stored in clear).
     */
    public record Setup(String username, boolean created, Optional<String> generatedPassword) {
        public Setup {
            requireNonNull(username, "username is null");
            requireNonNull(generatedPassword, "generatedPassword is null");
        }
    }

    /**
     * Creates the admin account if there is none. {@code password} (e.g. from the environment)
     * is used when present and non-blank; otherwise a random one is generated and returned.
     * An existing account is left alone, whatever the password says.
     */
    public synchronized Setup ensureAdmin(Optional<String> password) {
        if (exists(ADMIN)) {
            return new Setup(ADMIN, false, Optional.empty());
        }
        Optional<String> given = password.filter(p -> !p.isBlank());
        String chosen = given.orElseGet(AdminAccounts::generate);
        setPassword(ADMIN, chosen);
        return new Setup(ADMIN, true, given.isPresent() ? Optional.empty() : Optional.of(chosen));
    }

    /** {@link #ensureAdmin} with the password from {@code ROSTER_ADMIN_PASSWORD}. */
    public Setup ensureAdminFromEnvironment() {
        return ensureAdmin(Optional.ofNullable(System.getenv(PASSWORD_ENVIRONMENT_VARIABLE)));
    }

    /** Sets (or replaces) a user's password. */
    public synchronized void setPassword(String username, String password) {
        requireNonNull(username, "username is null");
        if (password == null || password.length() < 8) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the admin password (" + PASSWORD_ENVIRONMENT_VARIABLE
                    + ") must have at least 8 characters");
        }
        String hash = PasswordHasher.hash(password);
        Connection connection = database.writer();
        synchronized (connection) {
            try {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM admin_users WHERE username = ?")) {
                    delete.setString(1, username);
                    delete.execute();
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO admin_users (username, password_hash, created_at) VALUES (?, ?, ?)")) {
                    insert.setString(1, username);
                    insert.setString(2, hash);
                    insert.setObject(3, LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                    insert.execute();
                }
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot store the admin password: " + e.getMessage(), e);
            }
        }
    }

    /** True when the user exists and the password matches its hash. Slow on purpose. */
    public boolean verify(String username, String password) {
        Optional<String> hash = database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT password_hash FROM admin_users WHERE username = ?")) {
                statement.setString(1, username);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
                }
            }
        });
        if (hash.isEmpty()) {
            // Spend the same time as a real check so that timing does not reveal user names.
            PasswordHasher.verify(password == null ? "" : password, DUMMY_HASH);
            return false;
        }
        return PasswordHasher.verify(password, hash.get());
    }

    private boolean exists(String username) {
        return database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM admin_users WHERE username = ?")) {
                statement.setString(1, username);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    private static final String DUMMY_HASH = PasswordHasher.hash("not-a-real-password");

    private static String generate() {
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
