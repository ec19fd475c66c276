package dev.roster.cli;

import dev.roster.Roster;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.privacy.PrivacyRequests;
import dev.roster.project.Project;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code roster privacy access|erase PERSON_ID}: GDPR/CCPA requests. */
@Command(name = "privacy", mixinStandardHelpOptions = true,
        description = "Privacy requests: 'access PERSON_ID' prints everything stored about a person as JSON; "
                + "'erase PERSON_ID' deletes the person everywhere (with an audit record without personal data).")
final class PrivacyCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "access or erase")
    String action;

    @Parameters(index = "1", description = "The person id")
    String personId;

    @Mixin
    Target target = new Target();

    @Override
    public Integer call() throws Exception {
        boolean erase = "erase".equals(action);
        if (!erase && !"access".equals(action)) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "privacy action must be 'access' or 'erase', not '" + action + "'");
        }
        if (target.remote()) {
            String path = "/api/people/" + java.net.URLEncoder.encode(personId, StandardCharsets.UTF_8) + (erase ? "" : "/export");
            HttpRequest.Builder request = target.request(path);
            HttpResponse<String> response = Target.http().send((erase ? request.DELETE() : request.GET()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the server answered " + response.statusCode() + ": "
                        + Target.errorMessage(response.body().getBytes(StandardCharsets.UTF_8)).orElse(response.body()));
            }
            System.out.println(response.body());
            return 0;
        }
        try (Roster roster = target.open()) {
            Project project = target.project(roster);
            if (erase) {
                PrivacyRequests.Erasure erasure = roster.privacy().erase(project, personId,
                        "cli:" + System.getProperty("user.name", "unknown"));
                System.out.println(Json.write(erasure));
            } else {
                System.out.println(Json.write(roster.privacy().access(project, personId)));
            }
        }
        return 0;
    }
}
