package dev.roster.demo;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.roster.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code demo.json} in a demo data directory: what was generated there, and whether generation
 * finished. A directory whose manifest is complete and matches the requested size, seed and
 * generator version is reused as it is.
 */
public record DemoManifest(int version, int people, long seed, String project, boolean complete, long events,
                           @JsonProperty("generated_at") String generatedAt) {
    public static final String FILE_NAME = "demo.json";
    /** Bumped whenever the generator's output changes, so old demo directories are regenerated. */
    public static final int GENERATOR_VERSION = 1;

    public boolean matches(int people, long seed) {
        return complete && version == GENERATOR_VERSION && this.people == people && this.seed == seed;
    }

    public static Optional<DemoManifest> read(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(Files.readString(file, StandardCharsets.UTF_8), DemoManifest.class));
        } catch (IOException | RuntimeException e) {
            // An unreadable manifest is an unfinished demo: it will be regenerated.
            return Optional.of(new DemoManifest(0, 0, 0, "", false, 0, null));
        }
    }

    public void write(Path directory) {
        try {
            Path temporary = directory.resolve(FILE_NAME + ".tmp");
            Files.writeString(temporary, Json.write(this), StandardCharsets.UTF_8);
            Files.move(temporary, directory.resolve(FILE_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + directory.resolve(FILE_NAME), e);
        }
    }
}
