package dev.roster.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard's HTML pages with fingerprinted asset addresses. The pages name their scripts and
 * styles as {@code /assets/...} (every file under {@code /web/app} is named by one of them, which
 * PageShellTest checks, so the hash covers them all); they are
 * served as {@code /assets/v-<hash>/...}, where the hash covers the content of every file the
 * pages name, and that path is cached by browsers for a year without asking again. A module's
 * relative imports resolve under the same prefix. A new build with changed assets has a new
 * hash, so browsers fetch them again.
 *
 * <p>Thread safety: immutable.
 */
final class Assets {
    /** Where the files of {@code /web/app} are served, unversioned (revalidated on every use). */
    static final String HOSTED = "/assets";
    private static final Pattern REFERENCE = Pattern.compile("\"" + HOSTED + "/([^\"]+)\"");

    private final String version;
    private final byte[] shell;
    private final byte[] loginPage;

    private Assets(String version, byte[] shell, byte[] loginPage) {
        this.version = version;
        this.shell = shell;
        this.loginPage = loginPage;
    }

    static Assets load() {
        String shell = text("/web/pages/index.html");
        String login = text("/web/pages/login.html");
        TreeSet<String> files = new TreeSet<>();
        for (String page : new String[] {shell, login}) {
            Matcher reference = REFERENCE.matcher(page);
            while (reference.find()) {
                files.add(reference.group(1));
            }
        }
        MessageDigest digest = sha256();
        for (String file : files) {
            digest.update(file.getBytes(StandardCharsets.UTF_8));
            digest.update(bytes("/web/app/" + file));
        }
        String version = "v-" + HexFormat.of().formatHex(digest.digest(), 0, 6);
        return new Assets(version, versioned(shell, version), versioned(login, version));
    }

    /** The path the fingerprinted files are served at, e.g. {@code /assets/v-0a1b2c3d4e5f}. */
    String hostedPath() {
        return HOSTED + "/" + version;
    }

    byte[] shell() {
        return shell.clone();
    }

    byte[] loginPage() {
        return loginPage.clone();
    }

    private static byte[] versioned(String page, String version) {
        return REFERENCE.matcher(page).replaceAll(m -> Matcher.quoteReplacement("\"" + HOSTED + "/" + version + "/" + m.group(1) + "\""))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String path) {
        try (InputStream in = Assets.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing dashboard resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
