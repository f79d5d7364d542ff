-- Accounts, devices, actors, tokens, cases, their changes, the feed and deliveries.
-- Ids are canonical UUID text; codes are text; roles are their wire names; scopes are the
-- JSON of their serde form; times are Unix milliseconds; change hashes are 32 raw bytes.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    scope         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    verifying_key BLOB NOT NULL CHECK (length(verifying_key) = 32),
    enrolled_at   INTEGER NOT NULL,
    revoked       BOOLEAN NOT NULL DEFAULT FALSE
);

-- An automerge actor is bound once, forever, to one user on one device.
CREATE TABLE actors (
    actor     BLOB PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL REFERENCES devices (id)
);
CREATE INDEX actors_by_device ON actors (device_id, user_id);

-- Keyed by the SHA-256 of the token's secret: the secret itself is never stored.
CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY CHECK (length(hash) = 32),
    user_id    TEXT NOT NULL REFERENCES users (id),
    device_id  TEXT REFERENCES devices (id),
    expires_at INTEGER NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX tokens_by_user ON tokens (user_id, device_id);

-- The feed's one counter: the highest position handed out (and committed).
CREATE TABLE feed_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL
);
INSERT INTO feed_head (id, position) VALUES (1, 0);

-- Per case: the compacted snapshot, the latest feed position, the query columns.
CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    snapshot   BLOB NOT NULL,
    position   INTEGER NOT NULL UNIQUE,
    grid       TEXT NOT NULL,
    community  TEXT NOT NULL,
    street     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX cases_by_grid ON cases (grid, position);
CREATE INDEX cases_by_community ON cases (community, position);
CREATE INDEX cases_by_street ON cases (street, position);

-- Changes accepted since the snapshot; `seq` keeps them in the order they were stored.
CREATE TABLE case_changes (
    case_id TEXT NOT NULL REFERENCES cases (id),
    hash    BLOB NOT NULL CHECK (length(hash) = 32),
    bytes   BLOB NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (case_id, hash)
);

-- Departments called or dispatched to a case (for department scopes).
CREATE TABLE case_departments (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    department TEXT NOT NULL,
    PRIMARY KEY (case_id, department)
);
CREATE INDEX case_departments_by_department ON case_departments (department, case_id);

-- Heads of a case given to a device in the response that carried `response_cursor`.
CREATE TABLE deliveries (
    device_id       TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    response_cursor INTEGER NOT NULL,
    heads           BLOB NOT NULL,
    PRIMARY KEY (device_id, case_id, response_cursor)
);
