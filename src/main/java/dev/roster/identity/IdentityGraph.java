package dev.roster.identity;

import static java.util.Objects.requireNonNull;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.Optional;

/**
 * The identity graph of one project: identity → person, with merged persons redirected to their
 * survivor (a union-find). It answers "whose is this id?" and decides links, enforcing the guard
 * against joining two identified users (SPEC §2). It records every change in an
 * {@link IdentityChanges} so that the caller can persist them in the same transaction as the events.
 *
 * <p>Thread safety: not thread-safe. It is confined to the write buffer's thread; readers use the
 * database, which is the source of truth after each commit.
 */
public final class IdentityGraph {
    private static final long NONE = -1L;

    private final int projectKey;
    private final Object2LongOpenHashMap<String> personOf = new Object2LongOpenHashMap<>();
    private final Long2LongOpenHashMap mergedInto = new Long2LongOpenHashMap();
    /** Survivor person → one of its user ids (persons absent here are anonymous). */
    private final Long2ObjectOpenHashMap<String> userOf = new Long2ObjectOpenHashMap<>();
    /** Persons that other persons were merged into (a superset: merge rows may point at them). */
    private final LongOpenHashSet absorbers = new LongOpenHashSet();
    private long nextPersonKey;

    public IdentityGraph(int projectKey, long nextPersonKey) {
        this.projectKey = projectKey;
        this.nextPersonKey = nextPersonKey;
        personOf.defaultReturnValue(NONE);
        mergedInto.defaultReturnValue(NONE);
    }

    public int projectKey() {
        return projectKey;
    }

    /** Loads one stored identity (start-up). */
    public void loadIdentity(String identity, long personKey, boolean isUser) {
        personOf.put(identity, personKey);
        if (isUser) {
            userOf.putIfAbsent(personKey, identity);
        }
        nextPersonKey = Math.max(nextPersonKey, personKey + 1);
    }

    /** Loads one stored merge (start-up). */
    public void loadMerge(long fromKey, long toKey) {
        mergedInto.put(fromKey, toKey);
        absorbers.add(toKey);
        nextPersonKey = Math.max(nextPersonKey, Math.max(fromKey, toKey) + 1);
    }

    /** The current person of an identity, if it is known. */
    public Optional<Long> find(String identity) {
        long key = personOf.getLong(identity);
        return key == NONE ? Optional.empty() : Optional.of(survivor(key));
    }

    /** Follows merges to the surviving person key. */
    public long survivor(long personKey) {
        long current = personKey;
        long next = mergedInto.get(current);
        while (next != NONE) {
            current = next;
            next = mergedInto.get(current);
        }
        if (current != personKey && mergedInto.get(personKey) != current) {
            mergedInto.put(personKey, current);
        }
        return current;
    }

    /**
     * Returns the person of {@code identity}, creating it when new. An identified (user) id joins
     * nothing here; use {@link #link} for that.
     */
    public long ensure(String identity, boolean identified, IdentityChanges changes) {
        long key = personOf.getLong(identity);
        if (key == NONE) {
            key = nextPersonKey++;
            personOf.put(identity, key);
            changes.newPerson(key);
            changes.newIdentity(identity, key, identified);
            if (identified) {
                userOf.put(key, identity);
            }
            return key;
        }
        long person = survivor(key);
        if (identified && !userOf.containsKey(person)) {
            userOf.put(person, identity);
            changes.markedUser(identity);
        }
        return person;
    }

    /**
     * Links {@code other} into the person of {@code identity} (SPEC §2.1, §2.3, §2.4) and returns
     * the person {@code identity} belongs to afterwards. Placeholders never link; a link that would
     * join two persons with different user ids is refused unless the strength is admin.
     */
    public long link(String identity, boolean identified, String other, boolean adminStrength, IdentityChanges changes) {
        requireNonNull(identity, "identity is null");
        requireNonNull(other, "other is null");
        if (Identities.isPlaceholder(identity)) {
            changes.warn("placeholder_id", identity, other, "placeholder id '" + identity + "' is never linked");
            return ensure(identity, false, changes);
        }
        if (Identities.isPlaceholder(other)) {
            changes.warn("placeholder_id", other, identity, "placeholder id '" + other + "' is never linked");
            return ensure(identity, identified, changes);
        }
        if (identity.equals(other)) {
            return ensure(identity, identified, changes);
        }
        long otherPerson = personOf.getLong(other);
        long ownPerson = personOf.getLong(identity);
        if (ownPerson == NONE && otherPerson == NONE) {
            long key = ensure(identity, identified, changes);
            personOf.put(other, key);
            changes.newIdentity(other, key, false);
            return key;
        }
        if (ownPerson == NONE) {
            long target = survivor(otherPerson);
            String user = userOf.get(target);
            if (identified && user != null && !adminStrength) {
                changes.warn("refused_merge", identity, other, "'" + other + "' already belongs to user '" + user
                        + "'; '" + identity + "' was kept as a separate person");
                return ensure(identity, true, changes);
            }
            personOf.put(identity, target);
            changes.newIdentity(identity, target, identified);
            if (identified && user == null) {
                userOf.put(target, identity);
            }
            return target;
        }
        long own = ensure(identity, identified, changes);
        if (otherPerson == NONE) {
            personOf.put(other, own);
            changes.newIdentity(other, own, false);
            return own;
        }
        long theirs = survivor(otherPerson);
        if (own == theirs) {
            return own;
        }
        String ownUser = userOf.get(own);
        String theirUser = userOf.get(theirs);
        if (ownUser != null && theirUser != null && !adminStrength) {
            changes.warn("refused_merge", identity, other, "refused to merge user '" + ownUser + "' with user '"
                    + theirUser + "'; only an admin merge joins two identified persons");
            return own;
        }
        return merge(own, theirs, changes);
    }

    /**
     * Forgets erased identities and persons: an erased identity that sends again starts a new
     * person instead of resolving to the erased one.
     */
    public void forget(java.util.Collection<String> identities, java.util.Collection<Long> personKeys) {
        for (String identity : identities) {
            personOf.removeLong(identity);
        }
        for (long key : personKeys) {
            userOf.remove(key);
            mergedInto.remove(key);
        }
    }

    /** Merges two persons; the older (smaller key) survives. */
    private long merge(long a, long b, IdentityChanges changes) {
        long survivor = Math.min(a, b);
        long loser = Math.max(a, b);
        mergedInto.put(loser, survivor);
        String loserUser = userOf.remove(loser);
        if (loserUser != null) {
            userOf.putIfAbsent(survivor, loserUser);
        }
        // Stored merge rows pointing at the loser (if any) are redirected in this commit; it stays
        // in the set so that a loser that absorbed earlier in the same batch is still flagged.
        changes.merged(loser, survivor, absorbers.contains(loser));
        absorbers.add(survivor);
        return survivor;
    }
}
