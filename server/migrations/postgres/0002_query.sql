-- Query tables for lists and filters (the review inbox), kept in step with each case's
-- document in the transaction that stores its changes. Rows stored before this migration
-- have NULL status until the server recomputes them from their documents at start-up.

ALTER TABLE cases ADD COLUMN status TEXT;
ALTER TABLE cases ADD COLUMN tier TEXT;
ALTER TABLE cases ADD COLUMN category TEXT;
ALTER TABLE cases ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN reporter TEXT;
ALTER TABLE cases ADD COLUMN source TEXT;
-- The reporting device's clock at creation (from the document's origin).
ALTER TABLE cases ADD COLUMN created_at BIGINT;
-- The earliest open deadline (MIN of case_deadlines.due_at), NULL when none runs.
ALTER TABLE cases ADD COLUMN next_due_at BIGINT;

-- Inbox order is updated_at DESC, id DESC, per scope; these make each scope an index range.
CREATE INDEX cases_inbox_all ON cases (updated_at, id);
CREATE INDEX cases_inbox_grid ON cases (grid, updated_at, id);
CREATE INDEX cases_inbox_community ON cases (community, updated_at, id);
CREATE INDEX cases_inbox_community_status ON cases (community, status, updated_at, id);
CREATE INDEX cases_inbox_street ON cases (street, updated_at, id);
-- Overdue-only lists: the few cases with a running deadline, by community.
CREATE INDEX cases_due_by_community ON cases (community, next_due_at)
    WHERE next_due_at IS NOT NULL;

-- Photo hashes (main images and thumbnails) each case references: who may read a blob.
CREATE TABLE case_evidence (
    case_id TEXT NOT NULL REFERENCES cases (id),
    hash    TEXT NOT NULL,
    PRIMARY KEY (case_id, hash)
);
CREATE INDEX case_evidence_by_hash ON case_evidence (hash, case_id);

-- Workflow events and when the server first stored each (its clock): deadlines count from
-- this, never from the phone's claim. Written once, never updated.
CREATE TABLE case_events (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    event_id    TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, event_id)
);

-- Deadlines still running, recomputed on each commit: due_at = received_at(anchor) + within.
CREATE TABLE case_deadlines (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL,
    department TEXT,
    due_at     BIGINT NOT NULL
);
CREATE INDEX case_deadlines_by_case ON case_deadlines (case_id);
