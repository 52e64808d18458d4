package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AuditHead returns the seq and hash of the newest audit entry (0 and
// GenesisHash for an empty log): what sync/anchor reports to the platform.
func (s *Store) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	hash := GenesisHash
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("store: audit head: %w", err)
	}
	return seq, hash, nil
}

// AuditHashAt returns the hash of audit entry seq (GenesisHash for 0), or
// an error matching agent.ErrNotFound when the log has no such entry.
func (s *Store) AuditHashAt(ctx context.Context, seq int64) (string, error) {
	if seq == 0 {
		return GenesisHash, nil
	}
	var hash string
	err := s.r.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("audit entry %d", seq)
	}
	if err != nil {
		return "", fmt.Errorf("store: audit entry %d: %w", seq, err)
	}
	return hash, nil
}

// AnchorResult is the platform's last verdict on the audit head this
// terminal reported (sync/anchor), kept so that terminalctl status and
// doctor can show it without asking the platform.
type AnchorResult struct {
	Verdict   string // api.AnchorOK, AnchorShorter, AnchorDifferent
	Flagged   string // the platform's sticky finding; empty when none
	AuditSeq  int64  // the head reported
	CheckedAt time.Time
}

// SaveAnchorResult records the platform's latest verdict.
func (s *Store) SaveAnchorResult(ctx context.Context, r AnchorResult) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO platform_anchor (id, verdict, flagged, audit_seq, checked_at)
			VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET verdict = excluded.verdict,
			flagged = excluded.flagged, audit_seq = excluded.audit_seq, checked_at = excluded.checked_at`,
			r.Verdict, truncate(r.Flagged, 500), r.AuditSeq, nanos(r.CheckedAt))
		if err != nil {
			return fmt.Errorf("store: save anchor result: %w", err)
		}
		return nil
	})
}

// LastAnchorResult returns the verdict SaveAnchorResult kept; ok is false
// when the head was never anchored.
func (s *Store) LastAnchorResult(ctx context.Context) (r AnchorResult, ok bool, err error) {
	var at int64
	err = s.r.QueryRowContext(ctx, `SELECT verdict, flagged, audit_seq, checked_at FROM platform_anchor WHERE id = 1`).
		Scan(&r.Verdict, &r.Flagged, &r.AuditSeq, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: anchor result: %w", err)
	}
	r.CheckedAt = fromNanos(at)
	return r, true, nil
}
