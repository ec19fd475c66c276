package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import dev.roster.common.Json;
import dev.roster.identity.IdentityChanges;
import dev.roster.identity.IdentityGraph;
import dev.roster.identity.Identities;
import dev.roster.people.ProfileState;
import dev.roster.store.CommitBatch;
import dev.roster.store.EventStore;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a group of submissions into one {@link CommitBatch}: deduplicates events, resolves every
 * identity through the project's {@link IdentityGraph}, and replays profile operations and merges
 * in order. Runs on the write buffer's thread only.
 */
final class BatchBuilder {
    private final EventStore store;
    private final Clock clock;
    private final Map<Integer, IdentityGraph> graphs;
    private final Map<Integer, EventIdIndex> eventIds;
    private final Map<Integer, LongOpenHashSet> profiled;

    /**
     * @param profiled per project, a superset of the persons with stored profile rows: persons
     *                 absent from it need no profile load and no delete before their first write
     */
    BatchBuilder(EventStore store, Clock clock, Map<Integer, IdentityGraph> graphs, Map<Integer, EventIdIndex> eventIds,
                 Map<Integer, LongOpenHashSet> profiled) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.graphs = graphs;
        this.eventIds = eventIds;
        this.profiled = profiled;
    }

    /** The batch to commit, and per submission how many events were stored or duplicates. */
    record Built(CommitBatch batch, List<IngestOutcome> outcomes, List<EventKey> newEventIds) {
    }

    record EventKey(int projectKey, String eventId) {
    }

    Built build(List<WriteBuffer.Submission> submissions) {
        Instant now = clock.instant();
        Set<EventKey> duplicates = findDuplicates(submissions);
        Set<EventKey> seenInBatch = new HashSet<>();
        Map<Integer, ProjectWork> work = new LinkedHashMap<>();
        List<IngestOutcome> outcomes = new ArrayList<>();
        List<EventKey> newEventIds = new ArrayList<>();
        List<PendingEvent> events = new ArrayList<>();

        for (WriteBuffer.Submission submission : submissions) {
            int projectKey = submission.project().key();
            ProjectWork project = work.computeIfAbsent(projectKey, k -> new ProjectWork(graph(k)));
            int stored = 0;
            int duplicate = 0;
            List<Command> commands = submission.commands();
            for (int i = 0; i < commands.size(); i++) {
                Command command = commands.get(i);
                if (command instanceof Command.Track track) {
                    EventKey key = new EventKey(projectKey, track.eventId());
                    if (duplicates.contains(key) || !seenInBatch.add(key)) {
                        duplicate++;
                        continue;
                    }
                    newEventIds.add(key);
                    stored++;
                }
                project.apply(command, submission.propertiesJson()[i], events);
            }
            outcomes.add(new IngestOutcome(stored, duplicate));
        }

        List<CommitBatch.EventRow> eventRows = new ArrayList<>(events.size());
        for (PendingEvent pending : events) {
            Command.Track track = pending.track();
            long person = graphs.get(pending.projectKey()).survivor(pending.personKey());
            eventRows.add(new CommitBatch.EventRow(pending.projectKey(), track.eventId(), pending.identity(), person,
                    track.name(), track.timestamp(), track.receivedAt(), track.sessionId().orElse(null),
                    pending.propertiesJson() != null ? pending.propertiesJson() : Json.write(track.properties())));
        }
        List<CommitBatch.PersonRow> persons = new ArrayList<>();
        List<CommitBatch.IdentityRow> identities = new ArrayList<>();
        List<CommitBatch.IdentityRef> users = new ArrayList<>();
        List<CommitBatch.MergeRow> merges = new ArrayList<>();
        List<CommitBatch.ProfileRow> profiles = new ArrayList<>();
        List<CommitBatch.WarningRow> warnings = new ArrayList<>();
        for (Map.Entry<Integer, ProjectWork> entry : work.entrySet()) {
            int projectKey = entry.getKey();
            ProjectWork project = entry.getValue();
            IdentityChanges changes = project.changes;
            for (long key : changes.newPersons()) {
                persons.add(new CommitBatch.PersonRow(projectKey, key, UUID.randomUUID().toString(), now));
            }
            for (IdentityChanges.NewIdentity identity : changes.newIdentities()) {
                identities.add(new CommitBatch.IdentityRow(projectKey, identity.identity(),
                        project.graph.survivor(identity.personKey()), identity.isUser(), now));
            }
            for (String identity : changes.markedUsers()) {
                users.add(new CommitBatch.IdentityRef(projectKey, identity));
            }
            LongOpenHashSet created = new LongOpenHashSet(changes.newPersons().size());
            changes.newPersons().forEach(created::add);
            for (IdentityChanges.Merge merge : changes.merges()) {
                merges.add(new CommitBatch.MergeRow(projectKey, merge.loser(), project.graph.survivor(merge.survivor()), now,
                        merge.loserHadAbsorbed(), !created.contains(merge.loser())));
            }
            Set<String> warned = new HashSet<>();
            for (IdentityChanges.Warning warning : changes.warnings()) {
                if (warned.add(warning.kind() + '\u0000' + warning.identity() + '\u0000' + warning.other())) {
                    warnings.add(new CommitBatch.WarningRow(projectKey, warning.kind(), warning.identity(),
                            warning.other(), warning.detail(), now));
                }
            }
            profiles.addAll(project.replayProfiles(projectKey));
        }
        CommitBatch batch = new CommitBatch(eventRows, persons, identities, users, merges, profiles, warnings);
        return new Built(batch, outcomes, newEventIds);
    }

    private IdentityGraph graph(int projectKey) {
        return graphs.computeIfAbsent(projectKey, k -> new IdentityGraph(k, 1));
    }

    /** Ids whose hash is in the index and that the store confirms. */
    private Set<EventKey> findDuplicates(List<WriteBuffer.Submission> submissions) {
        Map<Integer, Set<String>> candidates = new HashMap<>();
        for (WriteBuffer.Submission submission : submissions) {
            int projectKey = submission.project().key();
            EventIdIndex index = eventIds.get(projectKey);
            if (index == null) {
                continue;
            }
            for (Command command : submission.commands()) {
                if (command instanceof Command.Track track && index.mightContain(projectKey, track.eventId())) {
                    candidates.computeIfAbsent(projectKey, k -> new LinkedHashSet<>()).add(track.eventId());
                }
            }
        }
        Set<EventKey> confirmed = new HashSet<>();
        for (Map.Entry<Integer, Set<String>> entry : candidates.entrySet()) {
            for (String id : store.existingEventIds(entry.getKey(), entry.getValue())) {
                confirmed.add(new EventKey(entry.getKey(), id));
            }
        }
        return confirmed;
    }

    private record PendingEvent(int projectKey, long personKey, String identity, Command.Track track, String propertiesJson) {
    }

    /** A profile change in order: operations on a person, a merge, or a profile deletion. */
    private sealed interface ProfileStep permits Operations, Merged, Cleared {
    }

    private record Operations(long personKey, List<PropertyOperation> operations, Instant at) implements ProfileStep {
    }

    private record Merged(long loser, long survivor) implements ProfileStep {
    }

    private record Cleared(long personKey) implements ProfileStep {
    }

    /** The identity and profile work of one project within a batch. */
    private final class ProjectWork {
        private final IdentityGraph graph;
        private final IdentityChanges changes = new IdentityChanges();
        private final List<ProfileStep> steps = new ArrayList<>();

        ProjectWork(IdentityGraph graph) {
            this.graph = graph;
        }

        void apply(Command command, String propertiesJson, List<PendingEvent> events) {
            int mergesBefore = changes.merges().size();
            if (command instanceof Command.Track track) {
                String identity = track.identity();
                boolean identified = track.identified();
                String anonymous = track.anonymousId().orElse(null);
                if (Identities.isPlaceholder(identity) && anonymous != null && !Identities.isPlaceholder(anonymous)) {
                    changes.warn("placeholder_id", identity, anonymous, "placeholder id '" + identity
                            + "' ignored; the event was stored under '" + anonymous + "'");
                    identity = anonymous;
                    identified = false;
                    anonymous = null;
                } else if (Identities.isPlaceholder(identity)) {
                    changes.warn("placeholder_id", identity, null, "event stored under placeholder id '" + identity + "'");
                }
                long person = anonymous != null && !anonymous.equals(identity)
                        ? graph.link(identity, identified, anonymous, false, changes)
                        : graph.ensure(identity, identified && !Identities.isPlaceholder(identity), changes);
                recordMerges(mergesBefore);
                events.add(new PendingEvent(graph.projectKey(), person, identity, track, propertiesJson));
                if (!track.personOperations().isEmpty()) {
                    steps.add(new Operations(person, track.personOperations(), track.timestamp()));
                }
            } else if (command instanceof Command.Link link) {
                graph.link(link.identity(), link.identified(), link.other(),
                        link.strength() == Command.Strength.ADMIN, changes);
                recordMerges(mergesBefore);
            } else if (command instanceof Command.UpdateProfile update) {
                long person = graph.ensure(update.identity(),
                        update.identified() && !Identities.isPlaceholder(update.identity()), changes);
                steps.add(new Operations(person, update.operations(), update.timestamp()));
            } else if (command instanceof Command.DeleteProfile delete) {
                long person = graph.ensure(delete.identity(), false, changes);
                steps.add(new Cleared(person));
            }
        }

        private void recordMerges(int from) {
            List<IdentityChanges.Merge> merges = changes.merges();
            for (int i = from; i < merges.size(); i++) {
                steps.add(new Merged(merges.get(i).loser(), merges.get(i).survivor()));
            }
        }

        /** Replays profile steps in order over the stored profiles; returns the rewritten ones. */
        List<CommitBatch.ProfileRow> replayProfiles(int projectKey) {
            if (steps.isEmpty()) {
                return List.of();
            }
            Set<Long> keys = new LinkedHashSet<>();
            for (ProfileStep step : steps) {
                if (step instanceof Operations operations) {
                    keys.add(operations.personKey());
                } else if (step instanceof Merged merged) {
                    keys.add(merged.loser());
                    keys.add(merged.survivor());
                } else if (step instanceof Cleared cleared) {
                    keys.add(cleared.personKey());
                }
            }
            LongOpenHashSet stored = profiled.getOrDefault(projectKey, new LongOpenHashSet());
            List<Long> toLoad = keys.stream().filter(stored::contains).toList();
            Map<Long, ProfileState> states = new HashMap<>();
            store.loadProfiles(projectKey, toLoad).forEach((person, properties) -> {
                ProfileState state = new ProfileState();
                properties.forEach((key, value) -> state.load(key, value.value(), value.updatedAt()));
                states.put(person, state);
            });
            for (ProfileStep step : steps) {
                if (step instanceof Operations operations) {
                    ProfileState state = states.computeIfAbsent(operations.personKey(), k -> new ProfileState());
                    for (PropertyOperation operation : operations.operations()) {
                        state.apply(operation, operations.at());
                    }
                } else if (step instanceof Merged merged) {
                    ProfileState loser = states.computeIfAbsent(merged.loser(), k -> new ProfileState());
                    states.computeIfAbsent(merged.survivor(), k -> new ProfileState()).mergeFrom(loser);
                    loser.clear();
                } else if (step instanceof Cleared cleared) {
                    states.computeIfAbsent(cleared.personKey(), k -> new ProfileState()).clear();
                }
            }
            List<CommitBatch.ProfileRow> rows = new ArrayList<>();
            states.forEach((person, state) -> {
                boolean replacesStored = stored.contains(person);
                if (state.changed() && (replacesStored || !state.values().isEmpty())) {
                    Map<String, CommitBatch.StoredProperty> properties = new LinkedHashMap<>();
                    state.values().forEach((key, value) -> properties.put(key,
                            new CommitBatch.StoredProperty(value.value(), value.updatedAt())));
                    rows.add(new CommitBatch.ProfileRow(projectKey, person, properties, replacesStored));
                }
            });
            return rows;
        }
    }
}
