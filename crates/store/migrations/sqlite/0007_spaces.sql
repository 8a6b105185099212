-- Spaces: sites with their floors, resources placed on them (rooms, desks,
-- bookable equipment — still rows of `resources`, each with its calendar),
-- the booking rules per kind of space, and bookings with their check-in.
-- A booking holds its space through an event (so the calendar's rule that a
-- room is held by one busy event at a time covers desks and equipment too);
-- the row here keeps who booked, the check-in and how the booking ended.

CREATE TABLE sites (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    address     TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    -- The floors, in order, as a JSON list of names.
    floors      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, name_key)
);

ALTER TABLE resources ADD COLUMN site_id TEXT REFERENCES sites(id);
ALTER TABLE resources ADD COLUMN floor TEXT NOT NULL DEFAULT '';
-- An assigned desk's holder; only they book it.
ALTER TABLE resources ADD COLUMN assigned_to TEXT REFERENCES persons(id);

CREATE TABLE booking_rules (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

CREATE TABLE bookings (
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    id             TEXT PRIMARY KEY,
    resource_id    TEXT NOT NULL REFERENCES resources(id),
    kind           TEXT NOT NULL,
    person_id      TEXT NOT NULL REFERENCES persons(id),
    event_id       TEXT REFERENCES events(id) ON DELETE SET NULL,
    title          TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    status         TEXT NOT NULL,
    checked_in_at  BIGINT,
    -- Why it ended early: released for no check-in, cancelled by whom.
    end_note       TEXT NOT NULL DEFAULT '',
    booked_by      TEXT REFERENCES persons(id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX bookings_person ON bookings(org_id, person_id, starts_at);
CREATE INDEX bookings_resource ON bookings(org_id, resource_id, starts_at);
CREATE INDEX bookings_open ON bookings(status, starts_at);
CREATE INDEX bookings_event ON bookings(event_id);
