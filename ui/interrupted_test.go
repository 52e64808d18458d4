package ui

import (
	"testing"

	"tradein/agent"
	"tradein/ui/i18n"
)

// TestInterruptedSalesAreExplained: after a crash the clerk does not find
// an empty sale screen. A paid sale the start finished is reported as
// done with a reprint button (which reprints its receipt), an unpaid one
// as cancelled with "serve the consumer again"; 知道了 dismisses each.
func TestInterruptedSalesAreExplained(t *testing.T) {
	f := newFixture(t)
	sess, err := f.term.Login(f.ctx, "C1", "1234")
	if err != nil {
		t.Fatal(err)
	}
	wizard := func(sn string, pay bool) string {
		t.Helper()
		w, err := sess.NewSale(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.platform.SetSN(sn, agent.SNSellable)
		steps := []func() error{
			func() error { _, err := w.SetConsumerCode(f.ctx, f.code(agent.CatPhone)); return err },
			func() error { _, _, err := w.ScanProduct(f.ctx, phone.Barcode); return err },
			func() error { _, err := w.SetSN(f.ctx, sn); return err },
			func() error { _, err := w.Quote(f.ctx, agent.Yuan(3999)); return err },
			func() error { _, err := w.Confirm(f.ctx); return err },
		}
		if pay {
			steps = append(steps, func() error { _, err := w.SetPaymentRef(f.ctx, "POS-CRASH"); return err })
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		return w.Sale().OrderNo
	}
	paid := wizard(imei("86012345678111"), true)
	unpaid := wizard(imei("86012345678222"), false)

	// The process dies; the next start builds a new Terminal and recovers.
	term, err := agent.NewTerminal(agent.Deps{Store: f.store, Outbox: f.store, Library: f.store, Printer: f.printer,
		Platform: f.platform, Clock: f.clock, PlatformKey: f.codes.Pub, PhotosDir: t.TempDir(),
		Info: agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := term.Recover(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.term = term
	f.open()
	f.login("C1", "1234")
	done := i18n.T("sale.int.done", paid, phone.Name, agent.Yuan(3999-500).String())
	cancelled := i18n.T("sale.int.cancelled", unpaid, phone.Name)
	f.mustShow(done)
	f.mustShow(cancelled)

	before := len(f.printer.Receipts())
	f.tapButton(i18n.T("sale.int.reprint"))
	f.wait(1)
	rs := f.printer.Receipts()
	if len(rs) != before+1 || !rs[len(rs)-1].Reprint || rs[len(rs)-1].Sale.OrderNo != paid {
		t.Fatalf("reprint: %d receipts (was %d), last %+v", len(rs), before, rs[len(rs)-1])
	}
	f.mustShow(i18n.T("sale.int.reprinted"))

	shown := func() int {
		n := 0
		for _, s := range []string{done, cancelled} {
			if f.shows(s) {
				n++
			}
		}
		return n
	}
	f.tapButton(i18n.T("sale.int.ok"))
	if n := shown(); n != 1 {
		t.Errorf("%d interrupted sales shown after one 知道了, want 1", n)
	}
	f.tapButton(i18n.T("sale.int.ok"))
	if n := shown(); n != 0 {
		t.Errorf("%d interrupted sales shown after both were dismissed", n)
	}
	if len(f.term.Interrupted()) != 0 {
		t.Error("the terminal still lists interrupted sales")
	}
}
