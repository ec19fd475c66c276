package dev.roster.project;

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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Projects and their keys. Keys are cached in memory because every request looks one up.
 *
 * <p>Thread safety: safe for concurrent use; creation is serialised.
 */
public final class Projects {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database database;
    private final Clock clock;
    private final Map<String, Project> byWriteKey = new ConcurrentHashMap<>();
    private final Map<String, Project> bySecretKey = new ConcurrentHashMap<>();
    private final Map<String, Project> byId = new ConcurrentHashMap<>();

    public Projects(Database database, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
        reload();
    }

    private void reload() {
        database.read(connection -> {
            List<Project> projects = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT project_key, id, name, write_key, time_zone FROM projects ORDER BY project_key");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    projects.add(new Project(rows.getInt(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), ZoneId.of(rows.getString(5))));
                }
            }
            for (Project project : projects) {
                byWriteKey.put(project.writeKey(), project);
                byId.put(project.id(), project);
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT project_key, secret_key FROM secret_keys");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    int key = rows.getInt(1);
                    String secret = rows.getString(2);
                    projects.stream().filter(p -> p.key() == key).findFirst()
                            .ifPresent(p -> bySecretKey.put(secret, p));
                }
            }
            return null;
        });
    }

    /** Creates a project with a fresh write key and secret key. */
    public synchronized ProjectKeys create(String name) {
        String trimmed = requireNonNull(name, "name is null").trim();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "project name must be 1 to 100 characters");
        }
        String id = uniqueId(slug(trimmed));
        String writeKey = "wk_" + randomHex(16);
        String secretKey = "sk_" + randomHex(24);
        Connection connection = database.writer();
        synchronized (connection) {
            try {
                int key;
                try (PreparedStatement statement = connection.prepareStatement("SELECT coalesce(max(project_key), 0) + 1 FROM projects");
                        ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    key = rows.getInt(1);
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO projects (project_key, id, name, write_key, time_zone, created_at) VALUES (?, ?, ?, ?, 'UTC', ?)")) {
                    insert.setInt(1, key);
                    insert.setString(2, id);
                    insert.setString(3, trimmed);
                    insert.setString(4, writeKey);
                    insert.setObject(5, java.time.LocalDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
                    insert.execute();
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO secret_keys VALUES (?, ?, ?)")) {
                    insert.setInt(1, key);
                    insert.setString(2, secretKey);
                    insert.setObject(3, java.time.LocalDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
                    insert.execute();
                }
                Project project = new Project(key, id, trimmed, writeKey, ZoneId.of("UTC"));
                byWriteKey.put(writeKey, project);
                bySecretKey.put(secretKey, project);
                byId.put(id, project);
                return new ProjectKeys(project, secretKey);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create project: " + e.getMessage(), e);
            }
        }
    }

    public Optional<Project> findByWriteKey(String writeKey) {
        return writeKey == null ? Optional.empty() : Optional.ofNullable(byWriteKey.get(writeKey));
    }

    public Optional<Project> findBySecretKey(String secretKey) {
        return secretKey == null ? Optional.empty() : Optional.ofNullable(bySecretKey.get(secretKey));
    }

    public Optional<Project> findById(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
    }

    public List<Project> all() {
        return byId.values().stream().sorted(java.util.Comparator.comparingInt(Project::key)).toList();
    }

    /** The secret keys of a project, for the dashboard's setup page. */
    public List<String> secretKeys(Project project) {
        return bySecretKey.entrySet().stream()
                .filter(e -> e.getValue().key() == project.key())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private String uniqueId(String base) {
        String candidate = base;
        for (int i = 2; byId.containsKey(candidate); i++) {
            candidate = base + "-" + i;
        }
        return candidate;
    }

    private static String slug(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return slug.isEmpty() ? "project" : slug;
    }

    private static String randomHex(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }
}
