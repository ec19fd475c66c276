-- Saved populations (SPEC §6.6). A dynamic population stores its definition and is evaluated at
-- query time; a static one ("save report people as a population") stores its members.
CREATE TABLE populations (
    project_key INTEGER NOT NULL,
    id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    definition JSON,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Members of static populations, by the person key they had when saved; reads follow
-- person_merges to the survivor.
CREATE TABLE population_members (
    project_key INTEGER NOT NULL,
    population_id VARCHAR NOT NULL,
    person_key BIGINT NOT NULL
);
