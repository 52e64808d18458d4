package ctl

import (
	"context"
	"fmt"
	"time"

	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/sync/anchor"
	"tradein/sync/api"
	"tradein/sync/client"
)

// tamperNames are doctor's words for each kind of edit store.CheckTamper
// finds: field support reads what was done, not a code.
var tamperNames = map[string]string{
	store.TamperSealMissing:      "seal deleted",
	store.TamperSealEdited:       "seal edited",
	store.TamperSealBroken:       "edit seen by the app while writing",
	store.TamperStaffEdited:      "staff record edited (role or PIN)",
	store.TamperStaffDeleted:     "staff deleted",
	store.TamperStaffAdded:       "staff added",
	store.TamperSalesDeleted:     "sales deleted",
	store.TamperSalesAdded:       "sales added",
	store.TamperOutboxDeleted:    "unsynced outbox items deleted",
	store.TamperOutboxAdded:      "outbox items added",
	store.TamperOutboxEdited:     "outbox item edited",
	store.TamperAuditTailDeleted: "newest audit entries deleted",
	store.TamperAuditAdded:       "audit entries added",
	store.TamperAuditReplaced:    "audit chain rewritten",
	store.TamperRolledBack:       "database replaced by an older copy",
	store.TamperHeadFileEdited:   "head file edited",
	store.TamperHeadFileMissing:  "head file missing",
}

// checkTamper reports every kind of edit made to the database outside the
// app (store.CheckTamper: staff tags, the seal's counts and audit head,
// the head file beside the database), one detail line per finding, named.
// A missing head file alone is a warning: it is also what a crash right
// after the first commit can leave.
func (c *cli) checkTamper(ctx context.Context, s *store.Store) check {
	ch := check{name: "篡改 Tamper evidence"}
	fs, err := s.CheckTamper(ctx)
	if err != nil {
		ch.verdict, ch.text = fail, "cannot be checked: "+err.Error()
		return ch
	}
	if len(fs) == 0 {
		ch.text = "staff records, row counts of sales/outbox/staff, the audit head and " +
			store.HeadFilePath("terminal.db") + " match the seal"
		return ch
	}
	ch.verdict = warn
	for _, f := range fs {
		if f.Kind != store.TamperHeadFileMissing {
			ch.verdict = fail
		}
		name := tamperNames[f.Kind]
		if name == "" {
			name = f.Kind
		}
		ch.details = append(ch.details, fmt.Sprintf("%s [%s]: %s", name, f.Kind, f.Detail))
	}
	if ch.verdict == fail {
		ch.text = fmt.Sprintf("EDITED OUTSIDE THE APP: %d finding(s)", len(fs))
		ch.details = append(ch.details, "keep this data directory as it is for investigation, report it to the platform operator, "+
			"and compare with the newest backup before restoring anything")
	} else {
		ch.text = fs[0].Detail
	}
	return ch
}

// checkAnchor asks the platform to compare the database's audit head with
// the head it anchored from this terminal's deliveries (sync/anchor),
// without anchoring anything. A
// chain shorter than, or different from, what the platform holds fails,
// and so does a flag the platform keeps from an earlier report. Without
// the platform, the verdict the app saved at its last delivery is shown.
func (c *cli) checkAnchor(ctx context.Context, cfg wiring.Config) check {
	ch := check{name: "审计锚 Platform copy of the audit head"}
	e, enrolled, err := wiring.LoadEnrollment(c.layout.Enrollment)
	if err != nil || !enrolled {
		ch.verdict, ch.text = skip, "not checked: the terminal is not enrolled"
		return ch
	}
	ci, err := c.lenientCipher()
	if err != nil {
		ch.verdict, ch.text = skip, "not checked: "+err.Error()
		return ch
	}
	s, err := c.openReadOnlyWith(ctx, ci)
	if err != nil {
		ch.verdict, ch.text = skip, "not checked: the database does not open"
		return ch
	}
	defer s.Close()
	secret, err := e.Secret(ci)
	var base *client.Client
	if err == nil {
		base, err = client.New(client.Config{BaseURL: cfg.PlatformURL, Clock: c.env.Clock, Timeout: platformTimeout,
			MaxAttempts: 1, Logger: c.log})
	}
	var r store.AnchorResult
	if err == nil {
		defer base.CloseIdleConnections()
		// Check, not Anchor: doctor changes nothing, here or at the platform.
		r, err = anchor.New(s, base.WithCredentials(e.Store.TerminalNo, secret), c.env.Clock, c.log).Check(ctx)
	}
	if err != nil {
		ch.verdict, ch.text = warn, "the platform could not be asked: "+explain(err)
		if last, ok, lerr := s.LastAnchorResult(ctx); lerr == nil && ok {
			ch.details = append(ch.details, fmt.Sprintf("the platform's last answer (%s): %s for audit head %d%s",
				last.CheckedAt.Local().Format(time.DateTime), last.Verdict, last.AuditSeq, flaggedSuffix(last.Flagged)))
			if last.Verdict != api.AnchorOK || last.Flagged != "" {
				ch.verdict = fail
			}
		}
		return ch
	}
	if r.Verdict == api.AnchorOK && r.Flagged == "" {
		ch.text = fmt.Sprintf("the platform's copy matches: the chain extends the anchored head (now entry %d)", r.AuditSeq)
		return ch
	}
	ch.verdict = fail
	switch r.Verdict {
	case api.AnchorShorter:
		ch.text = fmt.Sprintf("SHORTER than the platform's copy: the audit log ends at entry %d but the platform anchored a later head", r.AuditSeq)
	case api.AnchorDifferent:
		ch.text = "DIFFERENT from the platform's copy: the audit log no longer contains the head the platform anchored (rewritten)"
	default:
		ch.text = fmt.Sprintf("the platform flagged this terminal earlier (audit head %d matches now)", r.AuditSeq)
	}
	if r.Flagged != "" {
		ch.details = append(ch.details, "the platform's record: "+r.Flagged)
	}
	ch.details = append(ch.details, "the audit log was edited outside the app (or an older backup was restored): "+
		"report it to the platform operator, who keeps the flag")
	return ch
}

func flaggedSuffix(f string) string {
	if f == "" {
		return ""
	}
	return "; flagged: " + f
}
