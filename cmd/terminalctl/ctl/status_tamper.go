package ctl

import (
	"context"
	"time"

	"tradein/agent/store"
	"tradein/sync/api"
)

// writeTamperStatus adds status's lines about edits made outside the app:
// what the store's seal, staff tags and head file show (store.CheckTamper,
// local and quick), and the platform's verdict on the audit head at the
// app's last delivery (sync/anchor). It reports false when either shows
// tampering; doctor gives the details.
func writeTamperStatus(ctx context.Context, s *store.Store, line func(label, format string, a ...any)) bool {
	ok := true
	fs, err := s.CheckTamper(ctx)
	switch {
	case err != nil:
		line("篡改 Tamper evidence:", "UNREADABLE: %v", err)
		ok = false
	case len(fs) == 0:
		line("篡改 Tamper evidence:", "none (seal, staff records and head file match)")
	default:
		for i, f := range fs {
			label := ""
			if i == 0 {
				label = "篡改 Tamper evidence:"
			}
			if f.Kind != store.TamperHeadFileMissing {
				ok = false
			}
			line(label, "%s: %s", f.Kind, f.Detail)
		}
		line("", "run terminalctl doctor for what to do")
	}
	r, found, err := s.LastAnchorResult(ctx)
	switch {
	case err != nil:
		line("平台审计锚 Platform anchor:", "UNREADABLE: %v", err)
		ok = false
	case !found:
		line("平台审计锚 Platform anchor:", "not yet (the app reports the audit head after each delivery)")
	case r.Verdict == api.AnchorOK && r.Flagged == "":
		line("平台审计锚 Platform anchor:", "OK at audit entry %d (%s)", r.AuditSeq, r.CheckedAt.Local().Format(time.DateTime))
	default:
		line("平台审计锚 Platform anchor:", "FLAGGED BY THE PLATFORM: %s at audit entry %d (%s)%s", r.Verdict, r.AuditSeq,
			r.CheckedAt.Local().Format(time.DateTime), flaggedSuffix(r.Flagged))
		ok = false
	}
	return ok
}
