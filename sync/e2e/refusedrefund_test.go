package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/outbox"
)

// TestRefusedRefundReachesTheManagerAgain: a sale the manager had already
// reviewed (a fraud warning, say) is refunded locally, and the platform
// refuses the refund. The two sides now disagree (REFUNDED here, sold
// there), so the sale must be back on the review list: the refusal
// clears the earlier review, whatever it said. Before, the old review
// kept the refusal off the list and the sale stayed silently REFUNDED.
func TestRefusedRefundReachesTheManagerAgain(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	now := time.Now()
	v := issueVouchers(t, p, "RR", 1)[0]

	// A committed sale the platform never received (its commit is not
	// queued), reviewed by the manager earlier.
	s, _ := kit.offlineSale(t, 1, v, now)
	s.ReviewedBy, s.ReviewedAt, s.ReviewNote = "M1", now, "checked the ID card"
	if err := st.SaveSale(ctx, s, agent.AuditEntry{At: now, Actor: "CLERK01", Action: "sale.commit"}); err != nil {
		t.Fatal(err)
	}
	// The manager refunds it; the REFUND goes to the outbox.
	if err := s.TransitionTo(agent.SaleRefunded, now); err != nil {
		t.Fatal(err)
	}
	s.RefundNo, s.RefundReason = "RFN"+s.OrderNo, "consumer returned it"
	payload, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	item := agent.OutboxItem{Kind: agent.OutboxRefund, RequestNo: "RQR" + s.OrderNo, OrderNo: s.OrderNo,
		Payload: payload, CreatedAt: now, NextAttemptAt: now}
	if err := st.SaveSale(ctx, s, agent.AuditEntry{At: now, Actor: "M1", Action: "sale.refund"}, item); err != nil {
		t.Fatal(err)
	}

	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Retry: fastRetry, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if delivered, refused := drainAll(t, ctx, st, d, 10*time.Second); delivered != 0 || refused != 1 {
		t.Fatalf("delivered %d, refused %d; want the refund refused", delivered, refused)
	}
	got, err := st.Sale(ctx, s.OrderNo)
	if err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, w := range got.Warnings {
		warned = warned || w.Code == agent.WarnSyncRejected
	}
	if got.State != agent.SaleRefunded || !warned || got.RejectCode == "" {
		t.Fatalf("sale after the refused refund: %s, warnings %+v, reject %q", got.State, got.Warnings, got.RejectCode)
	}
	if !got.ReviewedAt.IsZero() || got.ReviewedBy != "" {
		t.Errorf("the refused refund kept the earlier review (%s at %s): it stays off the review list",
			got.ReviewedBy, got.ReviewedAt)
	}
}
