package dev.roster.people;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ingest.Command;
import dev.roster.ingest.WriteBuffer;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;

/**
 * The explicit admin merge of two persons (SPEC §2.3): the only way to join two identified users.
 * It goes through the write buffer like any link, so it is durable when it returns.
 */
public final class AdminMerge {
    private final PeopleService people;
    private final Database database;
    private final WriteBuffer writeBuffer;
    private final Clock clock;

    public AdminMerge(PeopleService people, Database database, WriteBuffer writeBuffer, Clock clock) {
        this.people = requireNonNull(people, "people is null");
        this.database = requireNonNull(database, "database is null");
        this.writeBuffer = requireNonNull(writeBuffer, "writeBuffer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public PersonRef merge(Project project, String personId, String otherId) {
        PersonRef person = people.require(project, personId);
        PersonRef other = people.require(project, otherId);
        if (person.key() == other.key()) {
            return person;
        }
        String identity = anyIdentity(project, person);
        String otherIdentity = anyIdentity(project, other);
        writeBuffer.submit(project, List.of(new Command.Link(identity, false, otherIdentity, Command.Strength.ADMIN, clock.instant())));
        return people.findByIdentity(project, identity).orElseThrow();
    }

    private String anyIdentity(Project project, PersonRef person) {
        return database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT identity FROM identities WHERE project_key = ? AND person_key = ? ORDER BY is_user DESC, created_at LIMIT 1")) {
                statement.setInt(1, project.key());
                statement.setLong(2, person.key());
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new RosterException(ErrorCode.NOT_FOUND, "person " + person.id() + " has no identity");
                    }
                    return rows.getString(1);
                }
            }
        });
    }
}
