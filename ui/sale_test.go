package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"tradein/agent"
	"tradein/ui/i18n"
)

// TestClerkOnlineSaleByScansAndKeys runs a whole online sale through the
// real main window with a scanner and the keyboard only: log in, scan the
// consumer code and the product, type the old appliance, the price and the
// payment reference. It checks what the agent stored (COMMITTED, the
// outbox row, the receipt) and what the screen shows (the subsidy large).
func TestClerkOnlineSaleByScansAndKeys(t *testing.T) {
	f := newFixture(t)
	m := f.open()
	f.login("C1", "1234")
	if m.sess == nil || m.sale == nil {
		t.Fatalf("clerk not logged in to the sale screen; screen shows %q", f.texts())
	}
	if got := f.tabTitles(); len(got) != 1 || got[0] != i18n.T("nav.sale") {
		t.Fatalf("clerk tabs %q, want the sale tab only", got)
	}

	f.scan(f.code(agent.CatFridge), 1)
	f.mustShow("消费者：")
	f.scan(fridge.Barcode, 1)
	f.mustShow("海尔 BCD-500")
	f.mustShow(i18n.T("sale.ti.hint"))

	// Old appliance: the category is preselected (fridge for a fridge);
	// brand, model, condition and price by keyboard.
	f.typeText("美的")
	f.key(fyne.KeyReturn)
	f.typeText("BCD-180")
	f.key(fyne.KeyReturn)
	f.key(fyne.KeyDown) // opens the condition list
	f.chooseFromPopup(i18n.T("cond.WORN"))
	f.typeText("150")
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow("旧机回收单号：TI")

	f.typeText("4999")
	f.key(fyne.KeyReturn)
	f.wait(2) // quote, then the platform's freeze
	if f.bigText("¥999.80") == nil || f.bigText("¥3,999.20") == nil {
		t.Fatalf("subsidy and amount to pay not shown large; screen shows %q", f.texts())
	}
	if big := f.bigText("¥999.80"); big.TextSize < 30 {
		t.Fatalf("subsidy drawn at size %v", big.TextSize)
	}
	f.mustShow(i18n.T("sale.frozen"))

	f.typeText("POS-0001")
	f.key(fyne.KeyReturn)
	f.wait(1)

	sales, err := f.store.Sales(f.ctx, agent.SaleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sales) != 1 {
		t.Fatalf("%d sales stored, want 1", len(sales))
	}
	s := sales[0]
	if s.State != agent.SaleCommitted || s.Offline || s.SubsidyFen != 99980 || s.PaymentRef != "POS-0001" ||
		s.FrozenNo == "" || s.TradeIn == nil || s.TradeIn.Brand != "美的" || s.TradeIn.Condition != agent.ConditionWorn || s.TradeIn.PriceFen != agent.Yuan(150) {
		t.Fatalf("stored sale %+v", s)
	}
	items, err := f.store.OutboxItems(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].OrderNo != s.OrderNo || items[0].Kind != agent.OutboxSaleCommit {
		t.Fatalf("outbox %+v", items)
	}
	if recs := f.printer.receipts(); len(recs) != 1 || recs[0].Sale == nil || recs[0].Sale.OrderNo != s.OrderNo {
		t.Fatalf("receipts %+v", recs)
	}
	f.mustShow(i18n.T("sale.committed", s.OrderNo))
	f.mustShow(i18n.T("sale.next"))

	// Enter starts the next sale, focus back on the consumer code.
	f.key(fyne.KeyReturn)
	f.wait(1)
	if f.shows(s.OrderNo) || f.bigText("¥999.80") != nil {
		t.Fatalf("the next sale still shows the last one: %q", f.texts())
	}
}
