package dev.roster.identity;

import java.util.ArrayList;
import java.util.List;

/**
 * What an {@link IdentityGraph} changed while processing one commit batch, in order. The write
 * path persists it together with the events.
 */
public final class IdentityChanges {
    private final List<NewIdentity> newIdentities = new ArrayList<>();
    private final List<Long> newPersons = new ArrayList<>();
    private final List<String> markedUsers = new ArrayList<>();
    private final List<Merge> merges = new ArrayList<>();
    private final List<Warning> warnings = new ArrayList<>();

    void newIdentity(String identity, long personKey, boolean isUser) {
        newIdentities.add(new NewIdentity(identity, personKey, isUser));
    }

    void newPerson(long personKey) {
        newPersons.add(personKey);
    }

    void markedUser(String identity) {
        markedUsers.add(identity);
    }

    void merged(long loser, long survivor, boolean loserHadAbsorbed) {
        merges.add(new Merge(loser, survivor, loserHadAbsorbed));
    }

    public void warn(String kind, String identity, String other, String detail) {
        warnings.add(new Warning(kind, identity, other, detail));
    }

    public List<NewIdentity> newIdentities() {
        return newIdentities;
    }

    public List<Long> newPersons() {
        return newPersons;
    }

    public List<String> markedUsers() {
        return markedUsers;
    }

    public List<Merge> merges() {
        return merges;
    }

    public List<Warning> warnings() {
        return warnings;
    }

    /** An identity seen for the first time, with the person it joined. */
    public record NewIdentity(String identity, long personKey, boolean isUser) {
    }

    /**
     * Person {@code loser} was merged into {@code survivor}. {@code loserHadAbsorbed} is true when
     * other persons may already have been merged into the loser, so stored merge rows pointing at
     * it must be redirected; false guarantees none point at it.
     */
    public record Merge(long loser, long survivor, boolean loserHadAbsorbed) {
    }

    /** A refused merge or placeholder id, shown to admins. */
    public record Warning(String kind, String identity, String other, String detail) {
    }
}
