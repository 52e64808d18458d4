package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/api"
	"tradein/sync/outbox"
)

// TestMixedQueueInOrder drains every kind of outbox item, in order, through
// faults: an online commit with a trade-in, a cancelled freeze, an offline
// sale, the recycler's pickup of the trade-in, the refund of the offline
// sale, and a pickup the platform refuses. The platform ends with exactly
// the effects of each item once.
func TestMixedQueueInOrder(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	now := time.Now()
	v := issueVouchers(t, p, "MX", 3)

	// 1. Online sale: the clerk's try froze the voucher; commit goes
	// through the outbox.
	s1, _ := kit.offlineSale(t, 1, v[0], now)
	s1.Offline = false
	s1.TradeIn = &agent.TradeIn{TicketNo: "TI2026000000001", Category: agent.CatPhone, Brand: "Apple",
		Model: "iPhone 11", Condition: "WORN", PriceFen: 30000}
	frozen, err := c.TryVoucher(ctx, agent.VoucherTry{RequestNo: "RQT-MX-1", AuthCode: v[0].Code, Category: agent.CatPhone,
		CountyCode: tc.County, Barcode: s1.Product.Barcode, SN: s1.SN, AmountFen: s1.FinalPriceFen})
	if err != nil {
		t.Fatalf("try: %v", err)
	}
	s1.FrozenNo, s1.FrozenUntil = frozen.FrozenNo, frozen.FrozenUntil
	if frozen.DiscountFen != s1.SubsidyFen {
		t.Fatalf("platform subsidy %s, terminal %s", frozen.DiscountFen, s1.SubsidyFen)
	}
	save(t, st, s1, agent.OutboxSaleCommit, "MX-1")

	// 2. A second consumer's freeze, abandoned.
	s2, _ := kit.offlineSale(t, 2, v[1], now)
	s2.Offline = false
	frozen2, err := c.TryVoucher(ctx, agent.VoucherTry{RequestNo: "RQT-MX-2", AuthCode: v[1].Code, Category: agent.CatPhone,
		CountyCode: tc.County, Barcode: s2.Product.Barcode, SN: s2.SN, AmountFen: s2.FinalPriceFen})
	if err != nil {
		t.Fatalf("try: %v", err)
	}
	s2.FrozenNo, s2.State = frozen2.FrozenNo, agent.SaleCancelled
	save(t, st, s2, agent.OutboxCancel, "MX-2")

	// 3. An offline sale, 4. the pickup of sale 1's old phone, 5. the
	// refund of the offline sale, 6. a pickup of a ticket nobody issued.
	s3, _ := kit.offlineSale(t, 3, v[2], now)
	save(t, st, s3, agent.OutboxSaleOffline, "MX-3")
	savePickup(t, st, agent.Pickup{ID: "PK-MX-1", TicketNo: s1.TradeIn.TicketNo, OrderNo: s1.OrderNo, RecyclerID: "REC01",
		Condition: "WORN", WeightGrams: 180, CertificateNo: "CERT-0001", At: now}, "MX-4")
	s3r := s3
	s3r.State, s3r.RefundNo, s3r.RefundReason = agent.SaleRefunded, "RF-MX-3", "consumer returned it"
	save(t, st, s3r, agent.OutboxRefund, "MX-5")
	savePickup(t, st, agent.Pickup{ID: "PK-MX-2", TicketNo: "TI2026999999999", OrderNo: s1.OrderNo, RecyclerID: "REC01",
		Condition: "BROKEN", WeightGrams: 200, CertificateNo: "CERT-0002", At: now}, "MX-6")

	// Through faults, and one item per request: the order matters (the
	// refund needs the sale, the pickup needs the commit).
	p.srv.SetFaults(sim.Faults{ErrorRate: 0.3, ResetRate: 0.1})
	p.chaos.Store(&chaos{LostAnswerRate: 0.2})
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Retry: fastRetry, BatchSize: 1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	delivered, refused := drainAll(t, ctx, st, d, 20*time.Second)
	p.srv.SetFaults(sim.Faults{})
	p.chaos.Store(nil)
	if delivered != 5 || refused != 1 {
		t.Fatalf("delivered %d, refused %d; want 5, 1", delivered, refused)
	}

	day := now.In(agent.ChinaTime).Format(api.DateLayout)
	sum, err := c.DaySummary(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sales != 2 || sum.Refunds != 1 || sum.Pickups != 1 || sum.TradeIns != 1 ||
		sum.SubsidyFen != s1.SubsidyFen+s3.SubsidyFen || sum.RefundedFen != s3.SubsidyFen {
		t.Fatalf("platform summary %+v", sum)
	}
	// The cancelled freeze released the voucher: it can be used again.
	if _, err := c.TryVoucher(ctx, agent.VoucherTry{RequestNo: "RQT-MX-2b", AuthCode: v[1].Code, Category: agent.CatPhone,
		CountyCode: tc.County, Barcode: s2.Product.Barcode, SN: s2.SN, AmountFen: s2.FinalPriceFen}); err != nil {
		t.Fatalf("voucher of the cancelled sale is still frozen: %v", err)
	}
	entries, err := st.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var pickupRefusals int
	for _, e := range entries {
		if e.Action == outbox.ActionPickupRefused {
			pickupRefusals++
		}
	}
	if pickupRefusals != 1 {
		t.Fatalf("%d pickup refusals in the audit log, want 1", pickupRefusals)
	}
}

// save stores s with one outbox item of kind, as the workflow does.
func save(t *testing.T, st *store.Store, s agent.Sale, kind agent.OutboxKind, key string) {
	t.Helper()
	payload, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	item := agent.OutboxItem{Kind: kind, RequestNo: "RQ-" + key, OrderNo: s.OrderNo, Payload: payload, CreatedAt: time.Now()}
	if err := st.SaveSale(context.Background(), s, agent.AuditEntry{At: time.Now(), Actor: "CLERK01", Action: "test." + string(kind), Subject: s.OrderNo}, item); err != nil {
		t.Fatal(err)
	}
}

// savePickup stores a pickup with its outbox item.
func savePickup(t *testing.T, st *store.Store, pk agent.Pickup, key string) {
	t.Helper()
	payload, err := json.Marshal(pk)
	if err != nil {
		t.Fatal(err)
	}
	item := agent.OutboxItem{Kind: agent.OutboxPickup, RequestNo: "RQ-" + key, OrderNo: pk.OrderNo, Payload: payload, CreatedAt: time.Now()}
	if err := st.SavePickup(context.Background(), pk, agent.AuditEntry{At: time.Now(), Actor: pk.RecyclerID, Action: "pickup.record", Subject: pk.TicketNo}, item); err != nil {
		t.Fatal(err)
	}
}
