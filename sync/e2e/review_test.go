package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/api"
	"tradein/sync/outbox"
	"tradein/sync/status"
)

// TestUsedElsewhereGoesToReview: while terminal A was offline, terminal B
// redeemed one of A's vouchers and sold one of A's serial numbers. After
// A syncs, those two sales are REJECTED by the platform and sit on the
// review list (state REVIEW, code and reason, audit entry); every other
// sale is delivered, and nothing is dropped.
func TestUsedElsewhereGoesToReview(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tcA, tcB := enroll(t, p), enroll(t, p)
	cA, cB := newClient(t, p, tcA, clientOpts{}), newClient(t, p, tcB, clientOpts{})
	kitA, kitB := newSaleKit(t, cA, tcA), newSaleKit(t, cB, tcB)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	now := time.Now()
	vouchers := issueVouchers(t, p, "RV", 20)
	sales := queueOfflineSales(t, st, kitA, vouchers, now)
	const voucherTaken, snTaken = 5, 12

	// Terminal B, online meanwhile: one sale with A's 5th voucher (its own
	// SN), one sale of A's 12th serial number (its own voucher).
	extra := issueVouchers(t, p, "RB", 1)[0]
	b1, _ := kitB.offlineSale(t, 900, vouchers[voucherTaken], now)
	b2, _ := kitB.offlineSale(t, 901, extra, now)
	b2.Product, b2.SN = sales[snTaken].Product, sales[snTaken].SN
	b2.FinalPriceFen, b2.SubsidyFen, b2.PayFen = sales[snTaken].FinalPriceFen, sales[snTaken].SubsidyFen, sales[snTaken].PayFen
	res, err := cB.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: "RQB-REVIEW-1", Items: []api.Transaction{
		api.TransactionFromSale(b1, "RQB-1"), api.TransactionFromSale(b2, "RQB-2")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Items {
		if r.Status != api.ItemAccepted {
			t.Fatalf("terminal B's sale: %+v", r)
		}
	}

	tracker := status.NewTracker(nil)
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: cA, Retry: fastRetry, Status: tracker, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	delivered, refused := drainAll(t, ctx, st, d, 30*time.Second)
	if delivered != 18 || refused != 2 {
		t.Fatalf("delivered %d, refused %d; want 18, 2", delivered, refused)
	}
	if !tracker.State().Online {
		t.Fatal("refusals are answers: the platform must read online")
	}

	review, err := st.Sales(ctx, agent.SaleFilter{States: []agent.SaleState{agent.SaleReview}})
	if err != nil {
		t.Fatal(err)
	}
	byOrder := map[string]agent.Sale{}
	for _, s := range review {
		byOrder[s.OrderNo] = s
	}
	for i, code := range map[int]agent.Code{voucherTaken: agent.CodeVoucherUsed, snTaken: agent.CodeSNUsed} {
		s, ok := byOrder[sales[i].OrderNo]
		if !ok {
			t.Fatalf("sale %d (%s) is not on the review list; review list: %d sales", i, code, len(review))
		}
		if s.RejectCode != string(code) || s.RejectReason == "" {
			t.Fatalf("sale %d: reject %q %q, want %s with a reason", i, s.RejectCode, s.RejectReason, code)
		}
	}
	if len(review) != 2 {
		t.Fatalf("%d sales in review, want 2", len(review))
	}

	// The refusals are in the audit log, chained.
	entries, err := st.AuditEntries(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	reviewed := 0
	for _, e := range entries {
		if e.Action == outbox.ActionReview {
			reviewed++
			if !strings.Contains(e.Detail, "VOUCHER_USED") && !strings.Contains(e.Detail, "SN_USED") {
				t.Fatalf("review audit entry without the code: %q", e.Detail)
			}
		}
	}
	if reviewed != 2 {
		t.Fatalf("%d review audit entries, want 2", reviewed)
	}
	if _, err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}

	// The platform's totals are A's accepted sales, to the fen.
	var accepted []agent.Sale
	for i, s := range sales {
		if i != voucherTaken && i != snTaken {
			accepted = append(accepted, s)
		}
	}
	if got, want := platformTotals(t, cA, sales), sumSales(accepted); got != want {
		t.Fatalf("platform totals %+v, want the accepted sales' %+v", got, want)
	}
}

// TestClockSkew: the client signs with the terminal's clock. Within the
// platform's 300 s window the outbox drains; beyond it the platform answers
// UNAUTHORIZED, which the drainer and the status tracker surface as such,
// and nothing is lost — once the clock is fixed, everything is delivered
// exactly once.
func TestClockSkew(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	vouchers := issueVouchers(t, p, "SK", 40)
	first := queueOfflineSales(t, st, kit, vouchers[:20], time.Now())

	// 4 minutes fast: inside the window.
	skewed := newClient(t, p, tc, clientOpts{clock: offsetClock(240 * time.Second)})
	drainAll(t, ctx, st, newDrainer(t, st, skewed, 0), 10*time.Second)
	assertExactlyOnce(t, st, c, first)

	// 10 minutes slow: refused.
	kit2 := kit
	second := make([]agent.Sale, 0, 20)
	for i, v := range vouchers[20:] {
		s, item := kit2.offlineSale(t, 100+i, v, time.Now())
		if err := st.SaveSale(ctx, s, agent.AuditEntry{At: s.CreatedAt, Actor: s.StaffID, Action: "sale.commit", Subject: s.OrderNo}, item); err != nil {
			t.Fatal(err)
		}
		second = append(second, s)
	}
	tracker := status.NewTracker(nil)
	late := newClient(t, p, tc, clientOpts{clock: offsetClock(-600 * time.Second)})
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: late, Retry: fastRetry, Status: tracker, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		res, err := d.DrainNow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Delivered != 0 || res.Refused != 0 || agent.CodeOf(res.LastErr) != agent.CodeUnauthorized {
			t.Fatalf("drain with a 10-minute skew: %+v", res)
		}
	}
	if s := tracker.State(); s.Online || !s.AuthProblem() || s.LastError == "" {
		t.Fatalf("tracker must show the refused signature clearly: %+v", s)
	}
	items, err := st.OutboxItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 20 || items[0].Attempts != 3 || !strings.Contains(items[0].LastError, string(agent.CodeUnauthorized)) {
		t.Fatalf("outbox after refused signatures: %d items, head %+v", len(items), items[0])
	}
	for _, s := range second {
		got, err := st.Sale(ctx, s.OrderNo)
		if err != nil || got.State != agent.SaleCommitted {
			t.Fatalf("sale %s after UNAUTHORIZED: %+v %v (must stay COMMITTED, not go to review)", s.OrderNo, got.State, err)
		}
	}

	// The clock is fixed.
	drainAll(t, ctx, st, newDrainer(t, st, c, 0), 10*time.Second)
	assertExactlyOnce(t, st, c, append(first, second...))
}

// offsetClock is the system clock shifted by d: a terminal whose clock is off.
type offsetClock time.Duration

func (o offsetClock) Now() time.Time { return time.Now().Add(time.Duration(o)) }
