-- Platform: organisations, people, logins, sessions, API tokens, delegations, audit.
-- Instants are BIGINT microseconds since the Unix epoch (UTC); ids are UUID text.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE persons (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    role        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX persons_org ON persons(org_id, name);

CREATE TABLE credentials (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    person_id       TEXT PRIMARY KEY REFERENCES persons(id),
    login           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    totp_secret     BYTEA,
    totp_last_step  BIGINT,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE sessions (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons(id),
    token_hash      TEXT NOT NULL UNIQUE,
    mfa_pending     BOOLEAN NOT NULL,
    acting_for      TEXT REFERENCES persons(id),
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions(org_id, person_id);

CREATE TABLE api_tokens (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons(id),
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX api_tokens_person ON api_tokens(org_id, person_id);

CREATE TABLE delegations (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    principal_id    TEXT NOT NULL REFERENCES persons(id),
    delegate_id     TEXT NOT NULL REFERENCES persons(id),
    scopes          TEXT NOT NULL,
    level           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (org_id, principal_id, delegate_id)
);
CREATE INDEX delegations_delegate ON delegations(org_id, delegate_id);

CREATE TABLE audit_log (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    at              BIGINT NOT NULL,
    actor_id        TEXT,
    actor_label     TEXT NOT NULL,
    on_behalf_of    TEXT,
    action          TEXT NOT NULL,
    item_type       TEXT NOT NULL,
    item_id         TEXT,
    details         TEXT NOT NULL
);
CREATE INDEX audit_log_org_at ON audit_log(org_id, at, id);

-- Failed sign-in attempts, keyed by account and by client address. Not tenant
-- data: a sign-in is throttled before anyone knows which organisation it is for.
CREATE TABLE login_failures (
    key     TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
