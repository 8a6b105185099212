-- Mail: each person's mailbox (mail imported from files or synced over IMAP),
-- its messages triaged with their reasons, the senders the owner screened,
-- screening rules, the classifiers learned from corrections, reply templates,
-- drafts with their approval, and contacts with their keep-in-touch cadence.

CREATE TABLE mailboxes (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    person_id        TEXT NOT NULL REFERENCES persons(id),
    -- The owner's address as mail shows it (lower case).
    address          TEXT NOT NULL,
    -- IMAP, when the mailbox syncs from a server; the password sealed with the server's key.
    imap_host        TEXT,
    imap_port        BIGINT,
    imap_tls         BOOLEAN NOT NULL DEFAULT TRUE,
    imap_username    TEXT,
    imap_password    TEXT,
    imap_folder      TEXT NOT NULL DEFAULT 'INBOX',
    uidvalidity      BIGINT,
    last_sync_at     BIGINT,
    last_sync_error  TEXT NOT NULL DEFAULT '',
    -- Days without a reply before a sent message surfaces as a follow-up.
    followup_days    BIGINT NOT NULL DEFAULT 3,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (org_id, person_id)
);

CREATE TABLE mail_messages (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    mailbox_id       TEXT NOT NULL REFERENCES mailboxes(id),
    thread_id        TEXT NOT NULL,
    -- The Message-ID header, or `sha256:<digest>` of the raw bytes without one: a message is stored once.
    dedupe_key       TEXT NOT NULL,
    message_id       TEXT,
    in_reply_to      TEXT,
    -- JSON list of Message-IDs.
    refs             TEXT NOT NULL,
    imap_uid         BIGINT,
    flags            TEXT NOT NULL DEFAULT '[]',
    -- `in` (received) or `out` (sent by the owner).
    direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    from_addr        TEXT NOT NULL,
    from_name        TEXT NOT NULL,
    -- JSON lists of {name, email}.
    to_addrs         TEXT NOT NULL,
    cc_addrs         TEXT NOT NULL,
    recipient_count  BIGINT NOT NULL,
    subject          TEXT NOT NULL,
    sent_at          BIGINT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT,
    attachments      TEXT NOT NULL,
    warnings         TEXT NOT NULL,
    raw              BYTEA NOT NULL,
    size             BIGINT NOT NULL,
    category         TEXT NOT NULL CHECK (category IN ('act', 'reply', 'waiting', 'read', 'fyi', 'newsletter', 'suspect')),
    priority         BIGINT NOT NULL,
    reasons          TEXT NOT NULL,
    office           TEXT,
    -- Set when a person chose the category (a correction the classifier learned).
    corrected        BOOLEAN NOT NULL DEFAULT FALSE,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    snoozed_until    BIGINT,
    snooze_until_reply BOOLEAN NOT NULL DEFAULT FALSE,
    -- For sent messages: days to wait for a reply (none: the mailbox's default), and whether it is settled.
    followup_days    BIGINT,
    followup_done    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,
    UNIQUE (mailbox_id, dedupe_key)
);
CREATE UNIQUE INDEX mail_messages_uid ON mail_messages(mailbox_id, imap_uid);
CREATE INDEX mail_messages_list ON mail_messages(org_id, mailbox_id, archived, sent_at);
CREATE INDEX mail_messages_thread ON mail_messages(mailbox_id, thread_id);
CREATE INDEX mail_messages_msgid ON mail_messages(mailbox_id, message_id);
CREATE INDEX mail_messages_from ON mail_messages(mailbox_id, from_addr);

-- What the owner decided about a sender; a sender with no row is unknown
-- (their mail waits in the screening list).
CREATE TABLE mail_senders (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    mailbox_id  TEXT NOT NULL REFERENCES mailboxes(id),
    address     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('accepted', 'vip', 'blocked')),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (mailbox_id, address)
);

-- Screening rules: the organisation's (no mailbox) or one mailbox's.
CREATE TABLE mail_rules (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    mailbox_id  TEXT REFERENCES mailboxes(id),
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    action      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX mail_rules_org ON mail_rules(org_id, mailbox_id);

-- Classifiers learned from corrections: the organisation's (scope `org`) and each person's (their id).
CREATE TABLE mail_models (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    scope       TEXT NOT NULL,
    model       TEXT NOT NULL,
    examples    BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, scope)
);

CREATE TABLE mail_templates (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, name_key)
);

CREATE TABLE mail_drafts (
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    id             TEXT PRIMARY KEY,
    -- Whose name it goes out in.
    mailbox_id     TEXT NOT NULL REFERENCES mailboxes(id),
    author_id      TEXT REFERENCES persons(id),
    author_label   TEXT NOT NULL,
    reply_to_id    TEXT REFERENCES mail_messages(id),
    event_id       TEXT REFERENCES events(id) ON DELETE SET NULL,
    to_addrs       TEXT NOT NULL,
    cc_addrs       TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'rejected', 'sent', 'failed')),
    decided_label  TEXT NOT NULL DEFAULT '',
    decision_note  TEXT NOT NULL DEFAULT '',
    sent_message_id TEXT REFERENCES mail_messages(id),
    error          TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX mail_drafts_mailbox ON mail_drafts(org_id, mailbox_id, status);

-- A person's contacts, one row per person they correspond or meet with.
CREATE TABLE contacts (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES persons(id),
    name            TEXT NOT NULL,
    organization    TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    phones          TEXT NOT NULL DEFAULT '[]',
    notes           TEXT NOT NULL DEFAULT '',
    cadence_days    BIGINT,
    stakeholder     BOOLEAN NOT NULL DEFAULT FALSE,
    last_in_at      BIGINT,
    last_out_at     BIGINT,
    last_met_at     BIGINT,
    next_meeting_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX contacts_owner ON contacts(org_id, owner_id);

-- A contact's addresses: an address belongs to one contact of an owner.
CREATE TABLE contact_addresses (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    owner_id    TEXT NOT NULL REFERENCES persons(id),
    address     TEXT NOT NULL,
    contact_id  TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (owner_id, address)
);
CREATE INDEX contact_addresses_contact ON contact_addresses(contact_id);
