-- Assets: equipment and software licences. The register entry (`AssetData`)
-- and what has happened to it (`AssetState`: holder, expected return,
-- condition, last maintenance, retirement) live as JSON; beside them the
-- columns lists filter on. `holder_id` and `status` change only together with
-- `state`, inside the write transaction that applied the domain rule.
CREATE TABLE assets (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    tag              TEXT NOT NULL,
    tag_key          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    vendor_id        TEXT REFERENCES vendors(id),
    holder_id        TEXT REFERENCES persons(id),
    status           TEXT NOT NULL,
    -- ISO date, when checked out; NULL when assigned for good or not out.
    expected_return  TEXT,
    data             TEXT NOT NULL,
    state            TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (org_id, tag_key),
    -- Out means held by someone; nobody holds an asset that is not out.
    CHECK ((holder_id IS NULL) = (status NOT IN ('assigned', 'checked_out')))
);
CREATE INDEX assets_holder ON assets(org_id, holder_id);

-- Everything that happened to an asset: created, edited, assigned, checked
-- out, checked in (with the condition), maintained (with cost and note),
-- retired — who, when, what.
CREATE TABLE asset_events (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    asset_id         TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    -- Whom it was assigned or checked out to, or who returned it.
    person_id        TEXT REFERENCES persons(id),
    person_label     TEXT NOT NULL,
    expected_return  TEXT,
    condition        TEXT,
    -- The day maintenance was done.
    on_date          TEXT,
    cost_minor       BIGINT,
    currency         TEXT,
    note             TEXT NOT NULL,
    by_id            TEXT REFERENCES persons(id),
    by_label         TEXT NOT NULL,
    at               BIGINT NOT NULL
);
CREATE INDEX asset_events_asset ON asset_events(asset_id, at);
