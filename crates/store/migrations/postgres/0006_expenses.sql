-- Expenses: filed by (or for) a person, grouped into reports that are
-- submitted, approved or rejected, and reimbursed. A report's status changes
-- only by `UPDATE … WHERE status IN (…)` inside the write transaction.

CREATE TABLE expense_reports (
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    id              TEXT PRIMARY KEY,
    -- EXP-2026-0007: `seq` counts per organisation.
    seq             BIGINT NOT NULL,
    number          TEXT NOT NULL,
    -- Whose expenses these are: who is paid back.
    person_id       TEXT NOT NULL REFERENCES persons(id),
    title           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'reimbursed')),
    created_by      TEXT REFERENCES persons(id),
    created_label   TEXT NOT NULL,
    submitted_label TEXT NOT NULL DEFAULT '',
    submitted_at    BIGINT,
    decided_by      TEXT REFERENCES persons(id),
    decided_label   TEXT NOT NULL DEFAULT '',
    decided_at      BIGINT,
    decision_note   TEXT NOT NULL DEFAULT '',
    reimbursed_label TEXT NOT NULL DEFAULT '',
    reimbursed_at   BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX expense_reports_status ON expense_reports(org_id, status);
CREATE INDEX expense_reports_person ON expense_reports(org_id, person_id);

CREATE TABLE expenses (
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES persons(id),
    report_id     TEXT REFERENCES expense_reports(id),
    spent_on      TEXT NOT NULL,
    merchant      TEXT NOT NULL,
    category      TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    project       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    created_by    TEXT REFERENCES persons(id),
    created_label TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX expenses_person ON expenses(org_id, person_id, spent_on);
CREATE INDEX expenses_report ON expenses(report_id);

-- At most one receipt per expense, kept in the database like contract documents.
CREATE TABLE expense_receipts (
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    id            TEXT PRIMARY KEY,
    expense_id    TEXT NOT NULL UNIQUE REFERENCES expenses(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    content       BYTEA NOT NULL,
    uploaded_by   TEXT REFERENCES persons(id),
    created_at    BIGINT NOT NULL
);

-- The policy: per category (or `default`) and currency, a limit and the
-- amount above which a receipt is required.
CREATE TABLE expense_policies (
    org_id              TEXT NOT NULL REFERENCES organisations(id),
    category            TEXT NOT NULL,
    currency            TEXT NOT NULL,
    limit_minor         BIGINT,
    receipt_above_minor BIGINT,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (org_id, category, currency)
);
