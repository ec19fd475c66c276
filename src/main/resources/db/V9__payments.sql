-- The revenue ledger: one row per event that carries a revenue amount under its project's current
-- revenue settings (negative amounts are refunds). Written in the same transaction as the events,
-- so revenue reports read a few hundred thousand typed rows instead of parsing every event's JSON.
-- person_key is the key the event was stored with; unfolded merges redirect it (resolved_payments)
-- until compaction folds them, exactly as for the events.
CREATE TABLE payments (
    project_key INTEGER NOT NULL,
    person_key BIGINT NOT NULL,
    event_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    ts TIMESTAMP NOT NULL,
    amount DOUBLE NOT NULL
);

-- The rule each project's ledger was built with (read properties and billing events, as JSON).
-- At start and on every revenue settings change a project whose rule differs is rebuilt.
CREATE TABLE payment_rules (
    project_key INTEGER NOT NULL,
    rule VARCHAR NOT NULL
);

CREATE VIEW resolved_payments AS
SELECT p.project_key, p.event_id, coalesce(m.to_key, p.person_key) AS person_key, p.name, p.ts, p.amount
FROM payments p
LEFT JOIN unfolded_merges m ON m.project_key = p.project_key AND m.from_key = p.person_key;
