package e2e

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/sync/anchor"
	"tradein/sync/api"
	"tradein/sync/outbox"
)

// TestDeliveriesAnchorTheAuditHead: every drain pass that delivers reports
// the audit head to the platform; after the chain's newest entries are cut
// off outside the app, the next delivery is answered SHORTER and flagged,
// and the terminal keeps the platform's verdict where status and doctor
// read it.
func TestDeliveriesAnchorTheAuditHead(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	path := filepath.Join(t.TempDir(), "terminal.db")
	st := openStore(t, path)
	vouchers := issueVouchers(t, p, "AN", 4)
	now := time.Now()
	queueOfflineSales(t, st, kit, vouchers[:3], now)

	a := anchor.New(st, c, nil, quiet)
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Retry: fastRetry, Logger: quiet,
		AfterDelivery: func(ctx context.Context) {
			if _, err := a.Anchor(ctx); err != nil {
				t.Errorf("anchor: %v", err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if delivered, _ := drainAll(t, ctx, st, d, 30*time.Second); delivered != 3 {
		t.Fatalf("delivered %d", delivered)
	}
	head, _, err := st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, ok, err := st.LastAnchorResult(ctx)
	if err != nil || !ok || r.Verdict != api.AnchorOK || r.AuditSeq != head || r.Flagged != "" {
		t.Fatalf("after delivering: %+v %v %v (head %d)", r, ok, err, head)
	}

	// The newest entries are deleted with a SQLite tool; the app goes on.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq > 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Order numbers come from the time and the index: a second later.
	queueOfflineSales(t, st, kit, vouchers[3:], now.Add(time.Second))
	if delivered, _ := drainAll(t, ctx, st, d, 30*time.Second); delivered != 1 {
		t.Fatalf("delivered %d", delivered)
	}
	r, ok, err = st.LastAnchorResult(ctx)
	if err != nil || !ok || r.Verdict != api.AnchorShorter || r.Flagged == "" {
		t.Fatalf("after the cut: %+v %v %v", r, ok, err)
	}
}
