-- Import jobs (HTTP uploads and CLI runs): the summary a client polls. Rejected rows are kept as a
-- JSON array of {"line", "reason"} (bounded by the import's rejection limit).
CREATE TABLE import_jobs (
    id VARCHAR PRIMARY KEY,
    project_key INTEGER NOT NULL,
    format VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    imported BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    rejected_count BIGINT NOT NULL,
    rejected JSON NOT NULL,
    error VARCHAR,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- Erasure audit (GDPR/CCPA): no personal data, only who erased, when, and a SHA-256 of the person id.
CREATE TABLE erasure_audit (
    project_key INTEGER NOT NULL,
    person_id_sha256 VARCHAR NOT NULL,
    erased_by VARCHAR NOT NULL,
    erased_at TIMESTAMP NOT NULL,
    events BIGINT NOT NULL,
    identities INTEGER NOT NULL
);
