-- Tasks and priorities: goals, meetings (agenda, minutes, decisions, attached
-- materials), tasks with their dependencies and shares, plans (task blocks
-- placed on a calendar in one go, undone in one go) and recurring duties.
-- As with events, each row keeps the domain's JSON in `data` (or `notes`) and
-- beside it the columns queries filter on.

CREATE TABLE goals (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES persons(id),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX goals_owner ON goals(org_id, owner_id);

-- The notes of one meeting: a single event, or one occurrence of a series
-- (`occurrence` is its recurrence id, '' for a single event).
CREATE TABLE meetings (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    occurrence  TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    goal_id     TEXT REFERENCES goals(id) ON DELETE SET NULL,
    tags        TEXT NOT NULL,
    notes       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (event_id, occurrence)
);
CREATE INDEX meetings_org ON meetings(org_id, starts_at);

CREATE TABLE materials (
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    id            TEXT PRIMARY KEY,
    meeting_id    TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BYTEA NOT NULL,
    uploaded_by   TEXT REFERENCES persons(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX materials_meeting ON materials(meeting_id);

CREATE TABLE tasks (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    owner_id         TEXT NOT NULL REFERENCES persons(id),
    -- Who does it: the delegate, else the owner.
    doer_id          TEXT NOT NULL REFERENCES persons(id),
    created_by       TEXT REFERENCES persons(id),
    title            TEXT NOT NULL,
    status           TEXT NOT NULL,
    -- The due moment (µs), for ordering and overdue lists.
    due_at           BIGINT,
    goal_id          TEXT REFERENCES goals(id) ON DELETE SET NULL,
    from_meeting_id  TEXT REFERENCES meetings(id) ON DELETE SET NULL,
    for_event_id     TEXT REFERENCES events(id) ON DELETE SET NULL,
    data             TEXT NOT NULL,
    completed_at     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX tasks_owner ON tasks(org_id, owner_id, status);
CREATE INDEX tasks_doer ON tasks(org_id, doer_id, status);
CREATE INDEX tasks_meeting ON tasks(from_meeting_id);
CREATE INDEX tasks_event ON tasks(for_event_id);

CREATE TABLE task_dependencies (
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    task_id        TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    depends_on_id  TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on_id)
);
CREATE INDEX task_dependencies_on ON task_dependencies(depends_on_id);

CREATE TABLE task_shares (
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    task_id    TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    person_id  TEXT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (task_id, person_id)
);
CREATE INDEX task_shares_person ON task_shares(org_id, person_id);

-- A plan: the blocks it placed are events carrying its id. `status`: applied,
-- superseded (a newer plan replaced its future blocks) or undone. `removed`
-- holds the blocks of the plan it replaced, so undoing it puts them back.
CREATE TABLE plans (
    org_id            TEXT NOT NULL REFERENCES organisations(id),
    id                TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES persons(id),
    status            TEXT NOT NULL,
    window_start      BIGINT NOT NULL,
    window_end        BIGINT NOT NULL,
    summary           TEXT NOT NULL,
    removed           TEXT NOT NULL,
    replaced_plan_id  TEXT REFERENCES plans(id),
    created_at        BIGINT NOT NULL,
    undone_at         BIGINT
);
CREATE INDEX plans_person ON plans(org_id, person_id, created_at);

ALTER TABLE events ADD COLUMN plan_id TEXT REFERENCES plans(id);
ALTER TABLE events ADD COLUMN task_id TEXT REFERENCES tasks(id) ON DELETE SET NULL;
CREATE INDEX events_plan ON events(plan_id);
CREATE INDEX events_task ON events(task_id);

CREATE TABLE duties (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    owner_id    TEXT REFERENCES persons(id),
    backup_id   TEXT REFERENCES persons(id),
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX duties_org ON duties(org_id, title);

CREATE TABLE duty_completions (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    duty_id     TEXT NOT NULL REFERENCES duties(id) ON DELETE CASCADE,
    due_on      TEXT NOT NULL,
    done_at     BIGINT NOT NULL,
    done_by     TEXT REFERENCES persons(id),
    note        TEXT NOT NULL,
    UNIQUE (duty_id, due_on)
);
