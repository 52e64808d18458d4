-- Platform-sim schema v1. The simulator owns this database file alone.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE stores (
    store_id    TEXT PRIMARY KEY,
    merchant_no TEXT NOT NULL,
    name        TEXT NOT NULL,
    uniscid     TEXT NOT NULL,
    county_code TEXT NOT NULL
);

CREATE TABLE enrollment_codes (
    code     TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(store_id),
    max_uses INTEGER NOT NULL,
    uses     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE terminals (
    terminal_no  TEXT PRIMARY KEY,
    store_id     TEXT NOT NULL REFERENCES stores(store_id),
    code         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    hmac_secret  BLOB NOT NULL,
    enrolled_at  INTEGER NOT NULL,
    UNIQUE (code, fingerprint)
);

-- version is the library version at which the row last changed; a delta
-- from version v holds the rows with version > v.
CREATE TABLE products (
    barcode         TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    brand           TEXT NOT NULL,
    model           TEXT NOT NULL,
    category        TEXT NOT NULL,
    energy_grade    INTEGER NOT NULL,
    filed_price_fen INTEGER NOT NULL,
    sn_required     INTEGER NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX products_version ON products(version, barcode);

CREATE TABLE consumers (
    cref   TEXT PRIMARY KEY,
    masked TEXT NOT NULL
);

-- A voucher is spent once (status USED) unless a refund restores it.
-- auth_code is set for opaque (unsigned) codes; signed codes name the
-- voucher by its vid claim.
CREATE TABLE vouchers (
    voucher_id TEXT PRIMARY KEY,
    cref       TEXT NOT NULL REFERENCES consumers(cref),
    category   TEXT NOT NULL,
    region     TEXT NOT NULL,
    auth_code  TEXT UNIQUE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status     TEXT NOT NULL
);

-- A freeze holds a voucher for one terminal's sale until frozen_until.
CREATE TABLE freezes (
    frozen_no    TEXT PRIMARY KEY,
    voucher_id   TEXT NOT NULL REFERENCES vouchers(voucher_id),
    terminal_no  TEXT NOT NULL,
    barcode      TEXT NOT NULL,
    sn           TEXT NOT NULL,
    amount_fen   INTEGER NOT NULL,
    discount_fen INTEGER NOT NULL,
    frozen_until INTEGER NOT NULL,
    status       TEXT NOT NULL
);
CREATE INDEX freezes_voucher ON freezes(voucher_id, status);

CREATE TABLE sales (
    terminal_no     TEXT NOT NULL,
    order_no        TEXT NOT NULL,
    request_no      TEXT NOT NULL,
    voucher_id      TEXT NOT NULL,
    cref            TEXT NOT NULL,
    category        TEXT NOT NULL,
    barcode         TEXT NOT NULL,
    sn              TEXT NOT NULL,
    final_price_fen INTEGER NOT NULL,
    subsidy_fen     INTEGER NOT NULL,
    pay_fen         INTEGER NOT NULL,
    trade_in        TEXT NOT NULL,
    payment_ref     TEXT NOT NULL,
    offline         INTEGER NOT NULL,
    trans_time      INTEGER NOT NULL,
    committed_at    INTEGER NOT NULL,
    day             TEXT NOT NULL,
    status          TEXT NOT NULL,
    refund_no       TEXT NOT NULL DEFAULT '',
    refund_reason   TEXT NOT NULL DEFAULT '',
    refunded_at     INTEGER NOT NULL DEFAULT 0,
    refund_day      TEXT NOT NULL DEFAULT '',
    quota_restored  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (terminal_no, order_no)
);
CREATE INDEX sales_consumer ON sales(cref, category);
CREATE INDEX sales_day ON sales(terminal_no, day);

-- One row per subsidised serial number that is locked by a sale.
CREATE TABLE sn_locks (
    sn          TEXT PRIMARY KEY,
    terminal_no TEXT NOT NULL,
    order_no    TEXT NOT NULL,
    locked_at   INTEGER NOT NULL
);

-- Serial numbers the manufacturers' registry does not know (void).
CREATE TABLE sn_void (
    sn TEXT PRIMARY KEY
);

CREATE TABLE pickups (
    terminal_no    TEXT NOT NULL,
    id             TEXT NOT NULL,
    request_no     TEXT NOT NULL,
    ticket_no      TEXT NOT NULL,
    order_no       TEXT NOT NULL,
    recycler_id    TEXT NOT NULL,
    condition      TEXT NOT NULL,
    weight_grams   INTEGER NOT NULL,
    certificate_no TEXT NOT NULL,
    photo_sha256   TEXT NOT NULL,
    at             INTEGER NOT NULL,
    recorded_at    INTEGER NOT NULL,
    day            TEXT NOT NULL,
    PRIMARY KEY (terminal_no, id)
);

-- The idempotency record of every mutating request (and batch item): the
-- hash of its body and the exact answer sent.
CREATE TABLE idempotency (
    terminal_no TEXT NOT NULL,
    scope       TEXT NOT NULL,
    request_no  TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    status      INTEGER NOT NULL,
    response    BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (terminal_no, scope, request_no)
);
