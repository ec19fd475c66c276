package dev.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.demo.DemoManifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code roster demo}: generates once, reuses a finished dataset, and never wipes real data. */
class DemoCommandTest {
    @TempDir
    Path directory;

    private record Run(int exitCode, String output) {
    }

    private static Run run(String... args) {
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(stream);
        System.setErr(stream);
        try {
            int code = Main.run(args);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
    }

    @Test
    void generatesOnceThenReusesTheFinishedDatasetOfTheSameSizeAndSeed() {
        Path data = directory.resolve("demo");
        Run first = run("demo", "--people", "150", "--seed", "3", "--data", data.toString(), "--generate-only");
        assertThat(first.exitCode()).isZero();
        assertThat(first.output()).contains("Generating the demo dataset: 150 people").contains("compacted and ready");
        DemoManifest manifest = DemoManifest.read(data).orElseThrow();
        assertThat(manifest.complete()).isTrue();
        assertThat(manifest.matches(150, 3)).isTrue();
        assertThat(manifest.events()).isGreaterThan(500);

        Run second = run("demo", "--people", "150", "--seed", "3", "--data", data.toString(), "--generate-only");
        assertThat(second.exitCode()).isZero();
        assertThat(second.output()).contains("Reusing the demo dataset").doesNotContain("Generating");

        Run resized = run("demo", "--people", "60", "--seed", "3", "--data", data.toString(), "--generate-only");
        assertThat(resized.exitCode()).isZero();
        assertThat(resized.output()).contains("Generating the demo dataset: 60 people");
        assertThat(DemoManifest.read(data).orElseThrow().people()).isEqualTo(60);
    }

    @Test
    void refusesToOverwriteADirectoryWithRealData() throws Exception {
        Path data = directory.resolve("real");
        assertThat(run("project", "create", "Real", "--data", data.toString()).exitCode()).isZero();
        long size = Files.size(data.resolve("roster.duckdb"));

        Run demo = run("demo", "--people", "20", "--data", data.toString(), "--generate-only");
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.output()).contains("not a demo").contains(data.toString());
        assertThat(Files.size(data.resolve("roster.duckdb"))).isEqualTo(size);
        assertThat(Files.exists(data.resolve(DemoManifest.FILE_NAME))).isFalse();
    }
}
