package ctl

import (
	"context"
	"fmt"

	"tradein/agent/store"
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
