-- 0002: tamper evidence (see tamper.go).
--
-- Staff rows carry a tag (HMAC under a key derived from field.key) over
-- every column, so that a role or PIN hash edited with a SQLite tool is
-- recognised; '' until the store tags the row when it opens the upgraded
-- database.
ALTER TABLE staff ADD COLUMN tag TEXT NOT NULL DEFAULT '';

-- Outbox items carry a tag too, over what is sent (kind, request_no,
-- order_no, the payload or the fact that it is the sale's record, the
-- creation time); attempts and errors change freely.
ALTER TABLE outbox ADD COLUMN tag TEXT NOT NULL DEFAULT '';

-- The seal: exactly one row once the store has sealed the database. It
-- holds the row counts of the tables whose rows are never removed except
-- by the app (sales, outbox, staff), the audit chain's head, and a tag over
-- all of them. The app updates it in the same transaction as every change;
-- a row deleted or added outside the app leaves a count that does not
-- match, a tail cut from the audit chain leaves a head that does not match.
-- broken is '' or the sticky reason the store found the seal inconsistent
-- while writing (it never seals over a mismatch it saw).
CREATE TABLE tamper_seal (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    sales_rows  INTEGER NOT NULL,
    outbox_rows INTEGER NOT NULL,
    staff_rows  INTEGER NOT NULL,
    audit_seq   INTEGER NOT NULL,
    audit_hash  TEXT    NOT NULL,
    broken      TEXT    NOT NULL,
    tag         TEXT    NOT NULL
);

-- The platform's last verdict on this terminal's audit-chain head
-- (sync/anchor): at most one row. flagged is the platform's sticky text
-- when it saw a chain shorter than or different from one reported before.
CREATE TABLE platform_anchor (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    verdict    TEXT    NOT NULL,
    flagged    TEXT    NOT NULL,
    audit_seq  INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
);
