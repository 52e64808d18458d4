package sim

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"

	"tradein/sync/api"
)

// The platform's copy of each terminal's audit-chain head. Editing a
// terminal's database can cut the newest entries off its chain or rewrite
// the whole chain consistently; neither can change what the terminal
// already reported here. A terminal reports its head after every delivery
// (POST /v1/terminals/audit-head); a head that is shorter than the
// anchored one, or a chain that does not contain the anchored head, is
// flagged: the answer says so, and the flag stays on the terminal's record
// for the platform operator.

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) handleAuditHead(c *call) (any, error) {
	var req api.AuditHeadRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	if req.AuditSeq < 0 || req.SinceSeq < 0 || req.SinceSeq > req.AuditSeq {
		return nil, invalid("audit_seq and since_seq must be >= 0 with since_seq <= audit_seq")
	}
	if !hexHash.MatchString(req.AuditHash) || !hexHash.MatchString(req.SinceHash) {
		return nil, invalid("audit_hash and since_hash must be 64 lowercase hex digits")
	}
	ctx := c.r.Context()
	now := s.clock.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var seq int64
	var hash, flagged string
	err = tx.QueryRowContext(ctx, "SELECT audit_seq, audit_hash, flagged FROM audit_anchors WHERE terminal_no = ?",
		c.terminal.No).Scan(&seq, &hash, &flagged)
	first := errors.Is(err, sql.ErrNoRows)
	if err != nil && !first {
		return nil, err
	}
	verdict := api.AnchorOK
	switch {
	case first:
	case req.AuditSeq < seq:
		verdict = api.AnchorShorter
	case req.AuditSeq == seq:
		if req.AuditHash != hash {
			verdict = api.AnchorDifferent
		}
	case req.SinceSeq != seq:
		// The terminal does not know which head to prove against.
		return api.AuditHeadResponse{Verdict: api.AnchorProofNeeded, AnchoredSeq: seq, Flagged: flagged}, nil
	case req.SinceHash != hash:
		verdict = api.AnchorDifferent
	}
	if req.CheckOnly {
		if first {
			return api.AuditHeadResponse{Verdict: api.AnchorOK, AnchoredSeq: 0, Flagged: ""}, nil
		}
		return api.AuditHeadResponse{Verdict: verdict, AnchoredSeq: seq, Flagged: flagged}, nil
	}
	if verdict != api.AnchorOK && flagged == "" {
		flagged = fmt.Sprintf("%s: reported audit head %d after head %d had been anchored", verdict, req.AuditSeq, seq)
		if verdict == api.AnchorDifferent {
			flagged = fmt.Sprintf("%s: reported a chain that does not contain the anchored entry %d", verdict, seq)
		}
		s.log.Warn("audit chain of a terminal flagged", "terminal_no", c.terminal.No, "finding", flagged)
	}
	// The reported head becomes the anchor even when flagged: later heads
	// are compared with the chain the terminal has now, and the flag keeps
	// the record of what happened.
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_anchors (terminal_no, audit_seq, audit_hash, anchored_at, flagged, flagged_at)
		VALUES (?, ?, ?, ?, ?, CASE WHEN ? = '' THEN 0 ELSE ? END)
		ON CONFLICT (terminal_no) DO UPDATE SET audit_seq = excluded.audit_seq, audit_hash = excluded.audit_hash,
			anchored_at = excluded.anchored_at, flagged = excluded.flagged,
			flagged_at = CASE WHEN audit_anchors.flagged_at = 0 THEN excluded.flagged_at ELSE audit_anchors.flagged_at END`,
		c.terminal.No, req.AuditSeq, req.AuditHash, now, flagged, flagged, now); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return api.AuditHeadResponse{Verdict: verdict, AnchoredSeq: req.AuditSeq, Flagged: flagged}, nil
}
