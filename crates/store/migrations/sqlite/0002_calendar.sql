-- Calendar: resources (rooms), calendars of people and resources, events with
-- their overridden occurrences and attendees, availability, travel times,
-- meeting requests with their holds, iTIP messages, polls and feeds.
-- An event's description lives in `data` (JSON of the domain's EventData); the
-- columns beside it are what queries filter on. Instants are BIGINT µs (UTC).

CREATE TABLE resources (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    capacity    BIGINT NOT NULL,
    equipment   TEXT NOT NULL,
    location    TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    bookable    BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE calendars (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    owner_person_id TEXT REFERENCES persons(id),
    resource_id     TEXT REFERENCES resources(id),
    name            TEXT NOT NULL,
    time_zone       TEXT NOT NULL,
    is_default      BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK ((owner_person_id IS NULL) <> (resource_id IS NULL))
);
CREATE UNIQUE INDEX calendars_default ON calendars(org_id, owner_person_id) WHERE is_default;
CREATE UNIQUE INDEX calendars_resource ON calendars(resource_id);
CREATE INDEX calendars_owner ON calendars(org_id, owner_person_id);

CREATE TABLE meeting_requests (
    org_id              TEXT NOT NULL REFERENCES organisations(id),
    id                  TEXT PRIMARY KEY,
    calendar_id         TEXT NOT NULL REFERENCES calendars(id),
    organiser_id        TEXT NOT NULL REFERENCES persons(id),
    title               TEXT NOT NULL,
    data                TEXT NOT NULL,
    room_id             TEXT REFERENCES resources(id),
    status              TEXT NOT NULL,
    confirmed_event_id  TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX meeting_requests_org ON meeting_requests(org_id, created_at);

CREATE TABLE events (
    org_id              TEXT NOT NULL REFERENCES organisations(id),
    id                  TEXT PRIMARY KEY,
    calendar_id         TEXT NOT NULL REFERENCES calendars(id),
    uid                 TEXT NOT NULL,
    data                TEXT NOT NULL,
    overrides           TEXT NOT NULL,
    starts_at           BIGINT NOT NULL,
    -- The largest BIGINT when the series never ends (so range tests need no NULL).
    ends_at             BIGINT NOT NULL,
    room_id             TEXT REFERENCES resources(id),
    meeting_request_id  TEXT REFERENCES meeting_requests(id),
    sequence            BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (calendar_id, uid)
);
CREATE INDEX events_calendar_range ON events(calendar_id, ends_at, starts_at, id);
CREATE INDEX events_room_range ON events(room_id, ends_at, starts_at);
CREATE INDEX events_request ON events(meeting_request_id);

CREATE TABLE event_attendees (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    person_id   TEXT NOT NULL REFERENCES persons(id),
    rsvp        TEXT NOT NULL,
    -- The event's span, copied so a person's agenda is read from this index alone.
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_attendees_person ON event_attendees(person_id, ends_at, starts_at, event_id, rsvp);

CREATE TABLE availability (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    person_id   TEXT PRIMARY KEY REFERENCES persons(id),
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE travel_times (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    from_location   TEXT NOT NULL,
    to_location     TEXT NOT NULL,
    minutes         BIGINT NOT NULL,
    PRIMARY KEY (org_id, from_location, to_location)
);

CREATE TABLE calendar_settings (
    org_id                  TEXT PRIMARY KEY REFERENCES organisations(id),
    default_travel_minutes  BIGINT NOT NULL
);

CREATE TABLE itip_messages (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    event_uid   TEXT NOT NULL,
    event_id    TEXT,
    method      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    summary     TEXT NOT NULL,
    ics         TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX itip_messages_event ON itip_messages(org_id, event_uid, created_at);

CREATE TABLE polls (
    org_id              TEXT NOT NULL REFERENCES organisations(id),
    id                  TEXT PRIMARY KEY,
    calendar_id         TEXT NOT NULL REFERENCES calendars(id),
    organiser_id        TEXT NOT NULL REFERENCES persons(id),
    title               TEXT NOT NULL,
    data                TEXT NOT NULL,
    room_id             TEXT REFERENCES resources(id),
    status              TEXT NOT NULL,
    meeting_request_id  TEXT REFERENCES meeting_requests(id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX polls_org ON polls(org_id, created_at);

CREATE TABLE poll_options (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    poll_id     TEXT NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL
);
CREATE INDEX poll_options_poll ON poll_options(poll_id, position);

CREATE TABLE poll_participants (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    poll_id     TEXT NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    email       TEXT,
    person_id   TEXT REFERENCES persons(id),
    token_hash  TEXT UNIQUE,
    responded_at BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX poll_participants_poll ON poll_participants(poll_id);

CREATE TABLE poll_answers (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    participant_id  TEXT NOT NULL REFERENCES poll_participants(id) ON DELETE CASCADE,
    option_id       TEXT NOT NULL REFERENCES poll_options(id) ON DELETE CASCADE,
    answer          TEXT NOT NULL,
    PRIMARY KEY (participant_id, option_id)
);

CREATE TABLE calendar_feeds (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    calendar_id TEXT NOT NULL REFERENCES calendars(id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX calendar_feeds_calendar ON calendar_feeds(calendar_id);

-- A version per agenda (a person's or a resource's, keyed by its id), raised in
-- the same transaction as any change to what that agenda holds, so app servers
-- may cache expanded busy time and know exactly when to reload it.
CREATE TABLE agenda_versions (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    agenda_key  TEXT NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (org_id, agenda_key)
);
