package ctl

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/width"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/sync/outbox"
)

// runStatus prints what field support asks first: which program, which
// data directory, which shop, and whether sales are reaching the platform.
func (c *cli) runStatus(ctx context.Context, args []string) error {
	fs := newFlagSet("status")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("status", pos, 0); err != nil {
		return err
	}
	if !c.writeStatus(ctx, c.env.Stdout) {
		return errProblem
	}
	return nil
}

// writeStatus writes the status report to w and reports whether every
// part could be read (an unreadable database is a problem).
func (c *cli) writeStatus(ctx context.Context, w io.Writer) bool {
	ok := true
	line := func(label, format string, a ...any) {
		fmt.Fprintf(w, "%s %s\n", padRight(label, 30), fmt.Sprintf(format, a...))
	}
	line("版本 Version:", "%s", agent.Version)
	line("数据目录 Data dir:", "%s", c.layout.Dir)
	if running, err := c.appRunning(); err == nil {
		line("收银程序 App running:", "%s", yesNo(running, "yes (terminal.lock held)", "no"))
	}
	if cfg, err := wiring.LoadConfig(c.layout.Config); err != nil {
		line("配置 Config:", "UNREADABLE: %v", err)
		ok = false
	} else {
		line("平台 Platform URL:", "%s", cfg.PlatformURL)
	}
	e, enrolled, err := wiring.LoadEnrollment(c.layout.Enrollment)
	switch {
	case err != nil:
		line("注册 Enrollment:", "UNREADABLE: %v", err)
		ok = false
	case !enrolled:
		line("注册 Enrollment:", "not enrolled (enroll on the support screen 运维 → 注册终端)")
	default:
		line("注册 Enrollment:", "terminal %s, store %s (merchant %s, county %s)",
			e.Store.TerminalNo, e.Store.StoreName, e.Store.MerchantNo, e.Store.CountyCode)
		line("", "enrolled %s at %s", e.EnrolledAt.Local().Format(time.DateTime), e.PlatformURL)
	}

	s, err := c.openReadOnly(ctx)
	if err != nil {
		line("数据库 Database:", "CANNOT OPEN: %v", err)
		return false
	}
	defer s.Close()
	if v, err := s.SchemaVersion(ctx); err != nil {
		line("数据库 Schema version:", "UNREADABLE: %v", err)
		ok = false
	} else {
		line("数据库 Schema version:", "%d", v)
	}
	now := c.env.Clock.Now()
	if p, err := s.Pending(ctx); err != nil {
		line("待同步 Queue:", "UNREADABLE: %v", err)
		ok = false
	} else {
		line("待同步 Queue:", "%d item(s) waiting for the platform", p.Items)
		if p.Items > 0 {
			line("最早待同步 Oldest pending:", "%s (%s ago)", p.OldestPendingSince.Local().Format(time.DateTime),
				age(now.Sub(p.OldestPendingSince)))
		}
		line("离线销售 Offline sales:", "%d, subsidy %s", p.OfflineSales, p.OfflineSubsidyFen)
	}
	if at, found, err := lastSync(ctx, s); err != nil {
		line("最近同步 Last sync:", "UNREADABLE: %v", err)
		ok = false
	} else if found {
		line("最近同步 Last sync:", "%s (%s ago; newest %q entry of the audit log in the store)",
			at.Local().Format(time.DateTime), age(now.Sub(at)), outbox.ActionDelivered)
	} else {
		line("最近同步 Last sync:", "never (no %q entry in the newest %d audit log entries)",
			outbox.ActionDelivered, lastSyncScan)
	}
	if v, err := s.LibraryVersion(ctx); err != nil {
		line("商品库 Library version:", "UNREADABLE: %v", err)
		ok = false
	} else {
		n, _ := s.LibraryProducts(ctx)
		line("商品库 Library version:", "%d (%d products)", v, n)
	}
	if r, err := s.Rules(ctx); err == nil {
		line("规则 Rules version:", "%s", r.Versions())
	} else {
		line("规则 Rules version:", "none cached yet (the app downloads them once enrolled and online)")
	}
	return writeTamperStatus(ctx, s, line) && ok
}

// lastSyncScan bounds how many of the newest audit entries lastSync reads.
// A shop writes a few hundred entries a day, so 20,000 covers weeks.
const lastSyncScan = 20000

// lastSync returns the time of the newest "sync.delivered" audit entry:
// the last time the platform confirmed an outbox item. The app keeps its
// connection state in memory only and does not log successful deliveries,
// so the audit log in the store is the durable record. It finds the head
// of the chain with O(log n) one-row reads, then reads backwards in pages.
func lastSync(ctx context.Context, s *store.Store) (time.Time, bool, error) {
	head, err := auditHead(ctx, s)
	if err != nil {
		return time.Time{}, false, err
	}
	const page = 500
	for read := int64(0); head > 0 && read < lastSyncScan; read += page {
		after := max(0, head-page)
		es, err := s.AuditEntries(ctx, after, int(head-after))
		if err != nil {
			return time.Time{}, false, err
		}
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].Action == outbox.ActionDelivered {
				return es[i].At, true, nil
			}
		}
		head = after
	}
	return time.Time{}, false, nil
}

// auditHead returns the highest audit seq (0 for an empty log), found by
// exponential then binary search over "is there an entry after x".
func auditHead(ctx context.Context, s *store.Store) (int64, error) {
	after := func(x int64) (bool, error) {
		es, err := s.AuditEntries(ctx, x, 1)
		return len(es) > 0, err
	}
	lo, hi := int64(0), int64(1) // invariant once found: after(lo) true, after(hi) false
	if ok, err := after(0); err != nil || !ok {
		return 0, err
	}
	for {
		ok, err := after(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := after(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, nil
}

// age formats a duration for people: "3m", "5h12m", "2d4h".
func age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// padRight pads s with spaces to n terminal columns, counting Chinese
// characters as two columns, so that the values line up.
func padRight(s string, n int) string {
	w := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w += 2
		default:
			w++
		}
	}
	if w >= n {
		return s
	}
	return s + strings.Repeat(" ", n-w)
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
