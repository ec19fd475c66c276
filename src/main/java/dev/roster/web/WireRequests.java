package dev.roster.web;

import dev.roster.ingest.GroupUpdate;
import dev.roster.ingest.Ingestion;
import dev.roster.ingest.ParsedRequest;
import dev.roster.project.Project;
import dev.roster.store.DuckDbGroupStore;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the PostHog and Mixpanel handlers share: query parameters, and ingesting persons plus groups. */
final class WireRequests {
    private WireRequests() {
    }

    /** The first value of every query parameter. */
    static Map<String, String> query(Context ctx) {
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((key, values) -> {
            if (!values.isEmpty()) {
                query.put(key, values.get(0));
            }
        });
        return query;
    }

    /**
     * Authenticates, stores the group updates, then ingests the person commands. A request of only
     * group updates succeeds without touching the write buffer.
     */
    static Ingestion.Result ingest(Ingestion ingestion, DuckDbGroupStore groups, ParsedRequest request,
                                   List<GroupUpdate> groupUpdates, String source) {
        Project project = ingestion.authenticate(request.writeKey());
        groups.apply(project.key(), groupUpdates);
        if (request.commands().isEmpty() && !groupUpdates.isEmpty()) {
            return new Ingestion.Result(0, 0, request.rejections());
        }
        return ingestion.ingest(project, request, source);
    }
}
