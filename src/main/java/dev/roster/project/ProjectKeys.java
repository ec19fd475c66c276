package dev.roster.project;

import static java.util.Objects.requireNonNull;

/** What {@code roster project create} prints: the project and the keys to use it. */
public record ProjectKeys(Project project, String secretKey) {
    public ProjectKeys {
        requireNonNull(project, "project is null");
        requireNonNull(secretKey, "secretKey is null");
    }
}
