-- The office side: vendors, their contracts and the contracts' documents.
-- As elsewhere, each row keeps the domain's JSON in `data` and beside it the
-- columns queries filter on. Money lives inside `data` as integer minor units
-- with its ISO 4217 code; no column holds a float.

CREATE TABLE vendors (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- The name trimmed and case-folded: two vendors of one organisation may not share it.
    name_key    TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, name_key)
);

CREATE TABLE contracts (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    -- A vendor with contracts cannot be deleted.
    vendor_id        TEXT NOT NULL REFERENCES vendors(id),
    title            TEXT NOT NULL,
    owner_id         TEXT REFERENCES persons(id),
    data             TEXT NOT NULL,
    -- Notice given: the day (ISO date), by whom, and a note.
    notice_given_on  TEXT,
    notice_given_by  TEXT REFERENCES persons(id),
    notice_note      TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX contracts_vendor ON contracts(org_id, vendor_id);

CREATE TABLE contract_documents (
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    id            TEXT PRIMARY KEY,
    contract_id   TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    uploaded_by   TEXT REFERENCES persons(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX contract_documents_contract ON contract_documents(contract_id);

-- Supplies: the quantity on hand is a column (never negative), changed only
-- together with a row of `stock_movements` saying who moved how much, when.
CREATE TABLE stock_items (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    vendor_id   TEXT REFERENCES vendors(id),
    quantity    BIGINT NOT NULL CHECK (quantity >= 0),
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, name_key)
);

CREATE TABLE stock_movements (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL REFERENCES stock_items(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    -- What was typed: taken, received, or counted.
    amount          BIGINT NOT NULL,
    -- The change it made and the quantity after it.
    delta           BIGINT NOT NULL,
    quantity_after  BIGINT NOT NULL,
    by_id           TEXT REFERENCES persons(id),
    by_label        TEXT NOT NULL,
    note            TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX stock_movements_item ON stock_movements(item_id, at);

-- Purchasing: a request, once approved an order, then received. The lines
-- (with what arrived) live in `data`; the total is kept beside it for lists.
CREATE TABLE purchases (
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    id               TEXT PRIMARY KEY,
    -- PO-2026-0007: `seq` counts per organisation.
    seq              BIGINT NOT NULL,
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL,
    -- NULL when the stock rule drafted it.
    requested_by     TEXT REFERENCES persons(id),
    requested_label  TEXT NOT NULL,
    vendor_id        TEXT REFERENCES vendors(id),
    currency         TEXT NOT NULL,
    total_minor      BIGINT NOT NULL,
    data             TEXT NOT NULL,
    decided_by       TEXT REFERENCES persons(id),
    decided_label    TEXT NOT NULL DEFAULT '',
    decided_at       BIGINT,
    decision_note    TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX purchases_status ON purchases(org_id, status);

-- Invoices: registered, matched, approved, paid. The lines live in `data`;
-- beside them the columns lists and duplicate checks filter on.
CREATE TABLE invoices (
    org_id            TEXT NOT NULL REFERENCES organisations(id),
    id                TEXT PRIMARY KEY,
    vendor_id         TEXT NOT NULL REFERENCES vendors(id),
    number            TEXT NOT NULL,
    -- The number without case, spaces or punctuation, for duplicate checks.
    number_key        TEXT NOT NULL,
    issued_on         TEXT NOT NULL,
    due_on            TEXT NOT NULL,
    status            TEXT NOT NULL,
    currency          TEXT NOT NULL,
    gross_minor       BIGINT NOT NULL,
    purchase_id       TEXT REFERENCES purchases(id),
    -- A contract with invoices cannot be deleted.
    contract_id       TEXT REFERENCES contracts(id),
    data              TEXT NOT NULL,
    registered_by     TEXT REFERENCES persons(id),
    registered_label  TEXT NOT NULL,
    decided_by        TEXT REFERENCES persons(id),
    decided_label     TEXT NOT NULL DEFAULT '',
    decided_at        BIGINT,
    decision_note     TEXT NOT NULL DEFAULT '',
    paid_on           TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX invoices_vendor ON invoices(org_id, vendor_id, number_key);
CREATE INDEX invoices_status ON invoices(org_id, status, due_on);

-- Budgets: one amount per category and period (`2026-Q4`, `2026-12`, `2026`).
CREATE TABLE budgets (
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    id          TEXT PRIMARY KEY,
    category    TEXT NOT NULL,
    period      TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (org_id, category, period)
);
