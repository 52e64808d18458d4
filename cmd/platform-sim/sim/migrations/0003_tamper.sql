-- 0002: single-use enrollment answers and audit-chain anchors.

-- sha256 of the enrollment_proof the enrolling process sent with its
-- first request for (code, fingerprint): only a retry that carries the
-- same proof gets the terminal's secret again (handleEnroll).
ALTER TABLE terminals ADD COLUMN proof_hash BLOB NOT NULL DEFAULT x'';

-- The newest audit-chain head each terminal reported (anchor.go), and
-- the sticky finding when a terminal reported a chain that is shorter
-- than, or different from, what it reported before.
CREATE TABLE audit_anchors (
    terminal_no TEXT    PRIMARY KEY REFERENCES terminals(terminal_no),
    audit_seq   INTEGER NOT NULL,
    audit_hash  TEXT    NOT NULL,
    anchored_at INTEGER NOT NULL,
    flagged     TEXT    NOT NULL DEFAULT '',
    flagged_at  INTEGER NOT NULL DEFAULT 0
);
