package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A parsed request of a wire format that also carries group updates (PostHog, Mixpanel). */
public record ParsedWithGroups(ParsedRequest request, List<GroupUpdate> groups) {
    public ParsedWithGroups {
        requireNonNull(request, "request is null");
        groups = List.copyOf(groups);
    }
}
