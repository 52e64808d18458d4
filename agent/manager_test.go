package agent_test

import (
	"testing"
	"time"

	"tradein/agent"
)

func TestRefundQueuesRefundAndPrintsRefundReceipt(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	sn := f.sellableSN(imei("86012345678901"))
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatPhone), product: phone, sn: sn, price: agent.Yuan(3000)})
	f.platform.Deliver(t, f.store)

	mgr := f.login("M1")
	_, err := mgr.Refund(f.ctx, sale.OrderNo, "")
	wantCode(t, err, agent.CodeInvalidRequest)
	refunded, err := mgr.Refund(f.ctx, sale.OrderNo, "屏幕坏点 screen defect")
	if err != nil {
		t.Fatal(err)
	}
	if refunded.State != agent.SaleRefunded || refunded.RefundNo == "" {
		t.Fatalf("refunded %+v", refunded.State)
	}
	out := f.outbox()
	if len(out) != 1 || out[0].Kind != agent.OutboxRefund || out[0].OrderNo != sale.OrderNo {
		t.Fatalf("outbox %+v", out)
	}
	if r := f.printer.last(); r.Kind != agent.ReceiptRefund || r.Sale.RefundNo != refunded.RefundNo {
		t.Fatalf("receipt %s", r.Kind)
	}
	_, err = mgr.Refund(f.ctx, sale.OrderNo, "again")
	wantCode(t, err, agent.CodeIllegalState)
	_, err = mgr.Refund(f.ctx, "NO-SUCH-ORDER", "x")
	wantCode(t, err, agent.CodeNotFound)

	// The refund unlocks the SN at the platform and locally: it sells again,
	// with a warning that it was seen before.
	f.platform.Deliver(t, f.store)
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatPhone), product: phone, sn: sn, price: agent.Yuan(2500)})
	if s := d.Sale(); !hasWarning(s.Warnings, agent.WarnSNSeenBefore) {
		t.Fatalf("warnings %+v lack SN_SEEN_BEFORE", s.Warnings)
	}

	// Reprint of a refunded sale prints the refund receipt, marked.
	if _, err := mgr.Reprint(f.ctx, sale.OrderNo); err != nil {
		t.Fatal(err)
	}
	if r := f.printer.last(); r.Kind != agent.ReceiptRefund || !r.Reprint {
		t.Fatalf("reprint kind %s reprint %v", r.Kind, r.Reprint)
	}
}

func TestReviewListHoldsRejectedSales(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	f.platform.SetDown(true)
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})

	// sync/ hears the platform reject the offline sale: the sale moves to
	// REVIEW with the reason, in the same transaction as the outbox removal.
	items := f.outbox()
	rejected := sale
	if err := rejected.TransitionTo(agent.SaleReview, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	rejected.RejectCode, rejected.RejectReason = string(agent.CodeVoucherUsed), "voucher used at another store"
	if err := f.store.CompleteOutbox(f.ctx, items[0].Seq, &rejected, agent.AuditEntry{At: f.clock.Now(), Actor: "system", Action: "sync.rejected", Subject: sale.OrderNo}); err != nil {
		t.Fatal(err)
	}

	mgr := f.login("M1")
	list, err := mgr.ReviewList(f.ctx)
	if err != nil || len(list) != 1 || list[0].State != agent.SaleReview || list[0].RejectCode != "VOUCHER_USED" {
		t.Fatalf("review list %+v %v", list, err)
	}
	if list[0].Consumer.AuthCode != "" {
		t.Fatal("review list shows the auth code")
	}
	rep, err := mgr.DailyReport(f.ctx, f.clock.Now())
	if err != nil || rep.InReview != 1 || rep.SubsidyFen != 0 {
		t.Fatalf("report %+v %v", rep, err)
	}
	// The manager refunds the rejected sale (the consumer pays the
	// difference or returns the goods) and notes the decision.
	if _, err := mgr.Refund(f.ctx, sale.OrderNo, "subsidy rejected; goods returned"); err != nil {
		t.Fatal(err)
	}
	if list, _ := mgr.ReviewList(f.ctx); len(list) != 0 {
		t.Fatalf("review list after refund: %d", len(list))
	}
}

func TestDailyReportTotals(t *testing.T) {
	f := newFixture(t)
	clerk, mgr := f.login("C1"), f.login("M1")
	// Yesterday's sale is not in today's report.
	f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(5000)})
	f.clock.Advance(24 * time.Hour)

	a, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})   // 749.85
	b, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(12000)}) // 1,500.00 (capped)
	c, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(2000)})  // 300.00
	ti := &agent.TradeIn{Category: agent.CatEBike, Condition: agent.ConditionGood}
	e, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatEBike), product: ebike, tradeIn: ti, price: agent.Yuan(3000)}) // 500.00
	if _, err := mgr.Refund(f.ctx, c.OrderNo, "returned"); err != nil {
		t.Fatal(err)
	}
	// Cancelled drafts do not count.
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(100)})
	d.Cancel(f.ctx, "test")

	rep, err := mgr.DailyReport(f.ctx, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	wantSubsidy := a.SubsidyFen + b.SubsidyFen + e.SubsidyFen
	wantFinal := a.FinalPriceFen + b.FinalPriceFen + e.FinalPriceFen
	if rep.Sales != 4 || rep.Refunds != 1 || rep.TradeIns != 1 || rep.SubsidyFen != wantSubsidy || rep.FinalPriceFen != wantFinal ||
		rep.PayFen+rep.SubsidyFen != rep.FinalPriceFen || wantSubsidy != 749_85+1500_00+500_00 {
		t.Fatalf("report %+v", rep)
	}
	if rep.PendingSync != 4 {
		t.Fatalf("pending sync %d, want 4 (nothing delivered yet)", rep.PendingSync)
	}
	want := map[agent.Category]agent.Fen{agent.CatFridge: 749_85, agent.CatTV: 1500_00, agent.CatEBike: 500_00}
	if len(rep.ByCategory) != len(want) {
		t.Fatalf("by category %+v", rep.ByCategory)
	}
	for _, ct := range rep.ByCategory {
		if want[ct.Category] != ct.SubsidyFen || ct.Sales != 1 {
			t.Fatalf("category %s: %+v", ct.Category, ct)
		}
	}
	if !rep.Day.Equal(agent.BusinessDay(f.clock.Now())) {
		t.Fatalf("day %v", rep.Day)
	}
	f.platform.Deliver(t, f.store)
	if rep, _ := mgr.DailyReport(f.ctx, f.clock.Now()); rep.PendingSync != 0 {
		t.Fatalf("pending after delivery %d", rep.PendingSync)
	}
	if _, err := mgr.PrintDailyReport(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := f.printer.last(); r.Kind != agent.ReceiptDaily || r.Daily == nil || r.Daily.SubsidyFen != wantSubsidy {
		t.Fatalf("daily receipt %+v", r.Kind)
	}
}

func TestSalesListMasksPersonalData(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	wantCode(t, d.SetConsumerPhone("12-34"), agent.CodeInvalidRequest)
	if err := d.SetConsumerPhone("138 1234 5678"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}
	wantCode(t, d.SetConsumerPhone("13800000000"), agent.CodeIllegalState)
	if _, err := d.SetPaymentRef(f.ctx, "P1"); err != nil {
		t.Fatal(err)
	}
	sale, _, err := d.Commit(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stored, _ := f.store.Sale(f.ctx, sale.OrderNo); stored.Consumer.Phone != "13812345678" {
		t.Fatalf("stored phone %q", stored.Consumer.Phone)
	}
	if r := f.printer.last(); r.Sale.Consumer.Phone != "138****5678" || r.Sale.Consumer.AuthCode != "" {
		t.Fatalf("receipt consumer %+v", r.Sale.Consumer)
	}
	list, err := clerk.Sales(f.ctx, agent.SaleFilter{Query: sale.OrderNo})
	if err != nil || len(list) != 1 {
		t.Fatalf("sales %v %v", list, err)
	}
	if list[0].Consumer.AuthCode != "" || list[0].Consumer.Phone != "138****5678" {
		t.Fatalf("sales list consumer %+v", list[0].Consumer)
	}
	got, err := clerk.Sale(f.ctx, sale.OrderNo)
	if err != nil || got.Consumer.AuthCode != "" || got.Consumer.Phone != "138****5678" {
		t.Fatalf("sale %+v %v", got.Consumer, err)
	}
}

// A refusal that arrives after the sale was refunded locally cannot move it
// to REVIEW; sync/ marks it SYNC_REJECTED and the manager still sees it.
func TestReviewListHoldsSalesRejectedAfterRefund(t *testing.T) {
	f := newFixture(t)
	clerk, mgr := f.login("C1"), f.login("M1")
	f.platform.SetDown(true)
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	refunded, err := mgr.Refund(f.ctx, sale.OrderNo, "returned before sync")
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := mgr.ReviewList(f.ctx); len(list) != 0 {
		t.Fatalf("review list before the refusal: %d", len(list))
	}
	stored, err := f.store.Sale(f.ctx, refunded.OrderNo)
	if err != nil {
		t.Fatal(err)
	}
	stored.RejectCode, stored.RejectReason = string(agent.CodeVoucherUsed), "voucher used at another store"
	stored.Warnings = append(stored.Warnings, agent.Warning{Code: agent.WarnSyncRejected, Detail: "VOUCHER_USED"})
	if err := f.store.SaveSale(f.ctx, stored, agent.AuditEntry{At: f.clock.Now(), Actor: "system", Action: "sale.review", Subject: stored.OrderNo}); err != nil {
		t.Fatal(err)
	}
	list, err := mgr.ReviewList(f.ctx)
	if err != nil || len(list) != 1 || list[0].State != agent.SaleRefunded || list[0].RejectCode != "VOUCHER_USED" {
		t.Fatalf("review list %+v %v", list, err)
	}
	// Still listed when the sale is older than the review window: the two
	// sides disagree until a person decides, however old the sale.
	f.clock.Advance(120 * 24 * time.Hour)
	mgr = f.login("M1")
	if list, err := mgr.ReviewList(f.ctx); err != nil || len(list) != 1 {
		t.Fatalf("review list 120 days later: %d sales, %v; want the refused refund", len(list), err)
	}
	if err := mgr.ResolveReview(f.ctx, sale.OrderNo, "consumer repaid the subsidy"); err != nil {
		t.Fatal(err)
	}
	if list, _ := mgr.ReviewList(f.ctx); len(list) != 0 {
		t.Fatalf("review list after resolving: %d", len(list))
	}
}
