package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"

	"tradein/agent"
)

// GenesisHash is the prev_hash of the first audit entry: the chain starts
// from this fixed value, so deleting the first entry is detected too.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// CodeAuditBroken is the error code VerifyAudit returns when the chain
// does not verify.
const CodeAuditBroken agent.Code = "AUDIT_CHAIN_BROKEN"

// ErrAuditBroken matches (errors.Is) a VerifyAudit failure.
var ErrAuditBroken = &agent.Error{Code: CodeAuditBroken}

// auditHash returns hex(sha256(prev_hash || canonical fields)). The
// canonical form writes seq, at (unix nanoseconds, UTC), actor, action,
// subject and detail each as a netstring "<byte length>:<bytes>,", so that
// no two different entries have the same encoding (moving text from one
// field to the next changes the lengths).
func auditHash(prevHash string, seq, atNanos int64, actor, action, subject, detail string) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	for _, f := range []string{
		strconv.FormatInt(seq, 10), strconv.FormatInt(atNanos, 10),
		actor, action, subject, detail,
	} {
		writeNetstring(h, f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeNetstring(h hash.Hash, s string) {
	h.Write([]byte(strconv.Itoa(len(s))))
	h.Write([]byte{':'})
	h.Write([]byte(s))
	h.Write([]byte{','})
}

// appendAudit appends a to the chain inside tx. The caller holds the write
// transaction, so "last seq + 1" cannot race: writes are serialised on the
// one write connection and BEGIN IMMEDIATE holds the database write lock.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, a agent.AuditEntry) (agent.AuditEntry, error) {
	if a.Action == "" {
		return a, agent.Errorf(agent.CodeInvalidRequest, "store: audit entry without an action")
	}
	if a.At.IsZero() {
		a.At = s.clock.Now()
	}
	if a.Actor == "" {
		a.Actor = "system"
	}
	var last int64
	prev := GenesisHash
	err := tx.StmtContext(ctx, s.lastAudit).QueryRowContext(ctx).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: audit: read chain head: %w", err)
	}
	a.Seq = last + 1
	a.PrevHash = prev
	at := nanos(a.At)
	a.At = fromNanos(at)
	a.Hash = auditHash(prev, a.Seq, at, a.Actor, a.Action, a.Subject, a.Detail)
	if _, err := tx.StmtContext(ctx, s.insAudit).ExecContext(ctx,
		a.Seq, at, a.Actor, a.Action, a.Subject, a.Detail, a.PrevHash, a.Hash); err != nil {
		return a, fmt.Errorf("store: audit: append %s: %w", a.Action, err)
	}
	s.changes.appended(last, prev, a.Seq, a.Hash)
	return a, nil
}

// Audit appends one entry to the audit log in its own transaction.
func (s *Store) Audit(ctx context.Context, a agent.AuditEntry) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := s.appendAudit(ctx, tx, a)
		return err
	})
}

// AuditEntries returns up to limit entries with seq > after, in seq order.
func (s *Store) AuditEntries(ctx context.Context, after int64, limit int) ([]agent.AuditEntry, error) {
	if limit <= 0 {
		limit = 1000
	}
	return queryAll(ctx, s.r, "audit entries", `SELECT seq, at, actor, action, subject, detail, prev_hash, hash
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, []any{after, limit},
		func(row scanner) (agent.AuditEntry, error) {
			var a agent.AuditEntry
			var at int64
			if err := row.Scan(&a.Seq, &at, &a.Actor, &a.Action, &a.Subject, &a.Detail, &a.PrevHash, &a.Hash); err != nil {
				return a, fmt.Errorf("store: audit entries: %w", err)
			}
			a.At = fromNanos(at)
			return a, nil
		})
}

// VerifyAudit recomputes the whole chain from GenesisHash and returns how
// many entries verified. When the chain is broken it returns an error
// matching ErrAuditBroken that names the first bad seq and why: an entry
// whose fields were edited (hash mismatch), a removed or reordered entry
// (prev_hash mismatch or a gap in seq).
//
// The chain proves the log was not edited in the middle; removing the
// newest entries leaves a shorter valid chain, which only a copy of the
// head kept elsewhere (a backup, the platform) can reveal.
func (s *Store) VerifyAudit(ctx context.Context) (entries int, err error) {
	return verifyAudit(ctx, s.r)
}

// verifyAudit is VerifyAudit on any connection (Restore checks a backup
// file with it before putting it in place).
func verifyAudit(ctx context.Context, db queryer) (entries int, err error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor, action, subject, detail, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	prev := GenesisHash
	var want int64 = 1
	for rows.Next() {
		var (
			seq, at                                           int64
			actor, action, subject, detail, prevHash, hashHex string
		)
		if err := rows.Scan(&seq, &at, &actor, &action, &subject, &detail, &prevHash, &hashHex); err != nil {
			return entries, fmt.Errorf("store: verify audit: %w", err)
		}
		switch {
		case seq != want:
			return entries, brokenAt(want, fmt.Sprintf("entry %d is missing (next entry is %d)", want, seq))
		case prevHash != prev:
			return entries, brokenAt(seq, "prev_hash does not match the previous entry's hash (entry removed or replaced)")
		case auditHash(prevHash, seq, at, actor, action, subject, detail) != hashHex:
			return entries, brokenAt(seq, "hash does not match the entry's content (entry edited)")
		}
		prev = hashHex
		want++
		entries++
	}
	if err := rows.Err(); err != nil {
		return entries, fmt.Errorf("store: verify audit: %w", err)
	}
	return entries, nil
}

func brokenAt(seq int64, why string) error {
	return &agent.Error{Code: CodeAuditBroken, Detail: fmt.Sprintf("audit chain broken at seq %d: %s", seq, why)}
}
