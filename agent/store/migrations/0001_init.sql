-- 0001: the terminal's first schema.
--
-- Conventions (see the package comment in agent/store/store.go):
--   * money is INTEGER fen;
--   * times are INTEGER unix nanoseconds, UTC; 0 means "not set";
--   * booleans are INTEGER 0/1;
--   * enum values are the stable strings of package agent.

-- Marks the file as a terminal database ("TRI1"); Open refuses others.
PRAGMA application_id = 1414678833;

-- Product library cache. WITHOUT ROWID: a barcode lookup is one b-tree
-- search on the primary key, with the row stored in the index leaf.
CREATE TABLE products (
    barcode         TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    brand           TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    energy_grade    INTEGER NOT NULL,
    filed_price_fen INTEGER NOT NULL,
    sn_required     INTEGER NOT NULL,
    status          TEXT    NOT NULL
) WITHOUT ROWID;

-- The version of the library in products; exactly one row.
CREATE TABLE library_meta (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO library_meta (id, version, updated_at) VALUES (1, 0, 0);

-- A delta being downloaded (at most one row), and its staged products in
-- arrival order. CommitLibrary applies them in seq order, so a barcode that
-- appears on two pages ends with its later value.
CREATE TABLE library_staging (
    id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    from_version INTEGER NOT NULL,
    target       INTEGER NOT NULL,
    next_token   TEXT    NOT NULL,
    staged       INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE TABLE product_staging (
    seq             INTEGER NOT NULL PRIMARY KEY,
    barcode         TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    brand           TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    energy_grade    INTEGER NOT NULL,
    filed_price_fen INTEGER NOT NULL,
    sn_required     INTEGER NOT NULL,
    status          TEXT    NOT NULL
);

-- The cached rule set (GET /v1/rules); exactly one row once refreshed.
CREATE TABLE rules (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version  TEXT    NOT NULL,
    data     TEXT    NOT NULL, -- agent.Rules as JSON
    saved_at INTEGER NOT NULL
);

-- One row per sale. The columns are what lists, reports and fraud checks
-- select on; data is the whole agent.Sale as JSON with the consumer's auth
-- code and phone sealed by the field cipher, zstd-compressed with a fixed
-- dictionary (codec.go).
CREATE TABLE sales (
    order_no        TEXT    NOT NULL PRIMARY KEY,
    state           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    category        TEXT    NOT NULL,
    barcode         TEXT    NOT NULL,
    sn              TEXT    NOT NULL,
    cref            TEXT    NOT NULL,
    voucher_id      TEXT    NOT NULL,
    ticket_no       TEXT    NOT NULL,
    offline         INTEGER NOT NULL,
    final_price_fen INTEGER NOT NULL,
    subsidy_fen     INTEGER NOT NULL,
    pay_fen         INTEGER NOT NULL,
    data            BLOB    NOT NULL
);
CREATE INDEX sales_created_at ON sales (created_at);
CREATE INDEX sales_state      ON sales (state, created_at);
CREATE INDEX sales_sn         ON sales (sn, created_at);
CREATE INDEX sales_barcode    ON sales (barcode, created_at);
CREATE INDEX sales_cref       ON sales (cref, created_at);
CREATE INDEX sales_voucher    ON sales (voucher_id);
CREATE INDEX sales_ticket     ON sales (ticket_no) WHERE ticket_no <> '';

-- The old appliance handed in with a sale, by trade-in ticket number.
-- WITHOUT ROWID: the ticket number is the only key, one b-tree to write.
CREATE TABLE trade_ins (
    ticket_no  TEXT    NOT NULL PRIMARY KEY,
    order_no   TEXT    NOT NULL REFERENCES sales (order_no),
    category   TEXT    NOT NULL,
    brand      TEXT    NOT NULL,
    model      TEXT    NOT NULL,
    condition  TEXT    NOT NULL,
    price_fen  INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Recycler pickups; one per trade-in ticket.
CREATE TABLE pickups (
    id             TEXT    NOT NULL PRIMARY KEY,
    ticket_no      TEXT    NOT NULL UNIQUE,
    order_no       TEXT    NOT NULL,
    recycler_id    TEXT    NOT NULL,
    condition      TEXT    NOT NULL,
    weight_grams   INTEGER NOT NULL,
    certificate_no TEXT    NOT NULL,
    photo_sha256   TEXT    NOT NULL,
    at             INTEGER NOT NULL
);

-- Messages waiting for the platform, drained in seq order. AUTOINCREMENT:
-- a seq is never reused, even after the queue drained empty, so a stale
-- seq held by the sync loop can never complete a newer item.
-- No secondary index but request_no: the queue holds a few items (it
-- drains within minutes; the offline policy bounds what can pile up), so
-- scans are cheap, and every index is one more page written per sale.
CREATE TABLE outbox (
    seq             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    request_no      TEXT    NOT NULL UNIQUE,
    order_no        TEXT    NOT NULL,
    payload         BLOB,             -- JSON; consumer auth code and phone sealed
    shares_sale     INTEGER NOT NULL, -- 1: the payload is the record of sale order_no (outbox.go)
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT ''
);

-- Receipt print jobs for the spooler.
CREATE TABLE print_jobs (
    id         TEXT    NOT NULL PRIMARY KEY,
    order_no   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    reprint    INTEGER NOT NULL,
    data       BLOB    NOT NULL, -- encoded ESC/POS bytes
    state      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    last_error TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    printed_at INTEGER NOT NULL
);
CREATE INDEX print_jobs_state ON print_jobs (state, created_at);

-- Staff who can log in. pin_hash is an argon2id PHC string, never a PIN.
CREATE TABLE staff (
    id           TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    pin_hash     TEXT    NOT NULL CHECK (pin_hash LIKE '$argon2id$%'),
    failed_tries INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    active       INTEGER NOT NULL
);

-- Hash-chained audit log: hash = hex(sha256(prev_hash || canonical fields)),
-- see audit.go. seq is assigned by the store as the last seq + 1.
CREATE TABLE audit_log (
    seq       INTEGER NOT NULL PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
