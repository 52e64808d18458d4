package ui

import (
	"reflect"
	"strings"
	"testing"
	"time"

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
	if f.bigText("¥749.85") == nil || f.bigText("¥4,249.15") == nil {
		t.Fatalf("subsidy and amount to pay not shown large; screen shows %q", f.texts())
	}
	if big := f.bigText("¥749.85"); big.TextSize < 30 {
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
	if s.State != agent.SaleCommitted || s.Offline || s.SubsidyFen != 749_85 || s.PaymentRef != "POS-0001" ||
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
	if recs := f.printer.Receipts(); len(recs) != 1 || recs[0].Sale == nil || recs[0].Sale.OrderNo != s.OrderNo {
		t.Fatalf("receipts %+v", recs)
	}
	f.mustShow(i18n.T("sale.committed", s.OrderNo))
	f.mustShow(i18n.T("sale.next"))

	// Enter starts the next sale, focus back on the consumer code.
	f.key(fyne.KeyReturn)
	f.wait(1)
	if f.shows(s.OrderNo) || f.bigText("¥749.85") != nil {
		t.Fatalf("the next sale still shows the last one: %q", f.texts())
	}
}

// TestClerkOfflineSale sells a phone while the platform is down: the SN is
// checked locally only (a notice), the sale is accepted offline under the
// offline policy, committed, and the status bar says offline with the
// queued sale and the pending offline subsidy.
func TestClerkOfflineSale(t *testing.T) {
	f := newFixture(t)
	f.platform.SetDown(true)
	f.term.SetOnline(false)
	m := f.open()
	f.login("C1", "1234")

	f.scan(f.code(agent.CatPhone), 1)
	f.scan(phone.Barcode, 1)
	if m.w.Canvas().Focused() == nil {
		t.Fatal("no focus after the product")
	}
	sn := imei("86012345678901")
	f.scan(sn, 1)
	f.mustShow(i18n.T("sale.sn.ok", sn))
	f.mustShow(i18n.T("sale.sn.notice", i18n.Warning(agent.Warning{Code: agent.WarnSNUnchecked})))

	f.typeText("3999")
	f.key(fyne.KeyReturn)
	f.wait(2)
	if f.bigText("¥500.00") == nil || f.bigText("¥3,499.00") == nil {
		t.Fatalf("capped subsidy not shown large: %q", f.texts())
	}
	f.mustShow(i18n.T("sale.offline"))
	f.mustShow(i18n.T("sale.capped"))

	f.typeText("POS-0002")
	f.key(fyne.KeyReturn)
	f.wait(1)

	sales, err := f.store.Sales(f.ctx, agent.SaleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sales) != 1 || sales[0].State != agent.SaleCommitted || !sales[0].Offline || sales[0].SN != sn || sales[0].SubsidyFen != agent.Yuan(500) {
		t.Fatalf("stored sales %+v", sales)
	}
	items, err := f.store.OutboxItems(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != agent.OutboxSaleOffline {
		t.Fatalf("outbox %+v", items)
	}

	f.clock.Advance(90 * time.Minute)
	f.refreshStatus()
	b := m.status
	if b.online.Text != i18n.T("status.offline") || b.queue.Text != i18n.T("status.queue", 1) {
		t.Fatalf("status bar: %q, %q", b.online.Text, b.queue.Text)
	}
	if b.oldest.Text != i18n.T("status.oldest", i18n.T("dur.hours", 1, 30)) {
		t.Fatalf("oldest pending: %q", b.oldest.Text)
	}
	// Offline policy: 72 h for the oldest unsynced item.
	if b.deadline.Text != i18n.T("status.deadline", i18n.T("status.left", i18n.T("dur.days", 2, 22))) {
		t.Fatalf("deadline: %q", b.deadline.Text)
	}
	if b.library.Text != i18n.T("status.library", 1) {
		t.Fatalf("library: %q", b.library.Text)
	}
	if !strings.Contains(b.offline.Text, "¥500.00") {
		t.Fatalf("pending offline subsidy: %q", b.offline.Text)
	}
}

// TestWizardRefusalsKeepTheStep shows refusals as sentences and keeps the
// clerk on the step: a bad barcode, a scan of the wrong kind, a price above
// the filed price; Esc cancels the sale after confirmation.
func TestWizardRefusalsKeepTheStep(t *testing.T) {
	f := newFixture(t)
	f.open()
	f.login("C1", "1234")

	// A ticket number is not something the sale takes.
	f.scan("TI26031010000000010001", 1)
	f.mustShow(i18n.T("sale.wrong_scan", i18n.T("scan.TICKET"), i18n.T("scan.CONSUMER")))

	f.scan(f.code(agent.CatPhone), 1)
	f.typeText("6900000000019") // wrong check digit, typed
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow(i18n.Error(agent.ErrInvalidGTIN))
	f.focused().(interface{ SetText(string) }).SetText(phone.Barcode)
	f.key(fyne.KeyReturn)
	f.wait(1)
	sn := f.platform.SetSN(imei("86012345678902"), agent.SNSellable)
	f.typeText(sn)
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.typeText("4500") // above the filed price of 3,999
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow(i18n.Error(&agent.Error{Code: agent.CodePriceAboveFiled}))
	if f.bigText("¥500.00") != nil {
		t.Fatal("a refused price must not show amounts")
	}
	// The focus stayed on the price: correct it there.
	for range "4500" {
		f.key(fyne.KeyBackspace)
	}
	f.typeText("3999")
	f.key(fyne.KeyReturn)
	f.wait(2)
	f.mustShow(i18n.T("sale.frozen"))

	// Esc asks, a second Esc cancels the frozen sale: the voucher is released
	// through the outbox and nothing is committed.
	f.key(fyne.KeyEscape)
	f.wait(1)
	f.mustShow(i18n.T("sale.esc_again"))
	f.key(fyne.KeyEscape)
	f.wait(1)
	f.mustShow(i18n.T("sale.cancelled"))
	sales, err := f.store.Sales(f.ctx, agent.SaleFilter{})
	if err != nil || len(sales) != 1 || sales[0].State != agent.SaleCancelled {
		t.Fatalf("after Esc: %+v %v", sales, err)
	}
	items, err := f.store.OutboxItems(f.ctx, 10)
	if err != nil || len(items) != 1 || items[0].Kind != agent.OutboxCancel {
		t.Fatalf("outbox after Esc: %+v %v", items, err)
	}
	if f.bigText("¥500.00") != nil {
		t.Fatal("the cancelled sale's amounts are still shown")
	}
}

// TestWedgeTypingGoesToItsStep: a keyboard-wedge scanner types into the
// focused entry; a product barcode typed into the consumer step goes to
// the product step, and the box's barcode typed as the serial number is
// refused.
func TestWedgeTypingGoesToItsStep(t *testing.T) {
	f := newFixture(t)
	f.open()
	f.login("C1", "1234")
	f.typeText(phone.Barcode) // focus is on the consumer code
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow("小米 X1")
	// The focus went back to the consumer code, which the sale still needs.
	f.typeText(f.code(agent.CatPhone))
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow("消费者：")
	f.typeText(phone.Barcode) // focus is on the serial number now
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow(i18n.T("sale.wrong_scan", i18n.T("scan.PRODUCT"), i18n.T("scan.SN")))
	if s, _ := f.store.Sales(f.ctx, agent.SaleFilter{}); len(s) != 0 {
		t.Fatalf("stored %+v", s)
	}
}

// TestBadProductBarcodeAtSNStep: a product barcode with a wrong check digit
// scanned at the SN step says "check digit wrong, rescan" and keeps the
// clerk at the SN step.
func TestBadProductBarcodeAtSNStep(t *testing.T) {
	f := newFixture(t)
	f.open()
	f.login("C1", "1234")
	f.scan(f.code(agent.CatPhone), 1)
	f.scan(phone.Barcode, 1)
	f.mustShow("小米 X1")
	bad := phone.Barcode[:12] + string('0'+(phone.Barcode[12]-'0'+1)%10)
	f.scan(bad, 1)
	f.mustShow("条码校验位错误，请重新扫描。")
	if f.shows(i18n.T("sale.sn.ok", bad)) {
		t.Fatal("the bad barcode was taken as the serial number")
	}
	sn := f.platform.SetSN(imei("86012345678903"), agent.SNSellable)
	f.scan(sn, 1)
	f.mustShow(i18n.T("sale.sn.ok", sn))
}

// TestCancelButtonAsks: the cancel button asks in a dialog before it
// cancels the sale.
func TestCancelButtonAsks(t *testing.T) {
	f := newFixture(t)
	f.open()
	f.login("C1", "1234")
	f.scan(f.code(agent.CatFridge), 1)
	f.tapButton(i18n.T("sale.cancel"))
	f.mustShow(i18n.T("sale.esc_confirm"))
	f.tapButton(i18n.T("app.cancel")) // no: the sale goes on
	if f.shows(i18n.T("sale.cancelled")) {
		t.Fatal("dismissing the dialog cancelled the sale")
	}
	f.tapButton(i18n.T("sale.cancel"))
	f.tapButton(i18n.T("sale.cancel")) // the dialog's confirm button
	f.wait(1)
	f.mustShow(i18n.T("sale.cancelled"))
}

// typeAt types s into the focused widget one key every gap on the
// terminal's clock, then Enter one gap later: 5 ms is a keyboard-wedge
// scanner, 120 ms a person.
func (f *fixture) typeAt(s string, gap time.Duration) {
	f.t.Helper()
	fo := f.focused()
	for _, r := range s {
		f.clock.Advance(gap)
		fo.TypedRune(r)
	}
	f.clock.Advance(gap)
	fo.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// TestWedgeScanIntoAnyField: keys as fast as a scanner's (≤ 50 ms apart,
// ending in Enter) typed into a field that is not the code's own, here the
// old appliance's model, are a scan: the code goes to its step (a phone
// consumer code for a fridge sale is refused there) and leaves the field
// as it was. The same keys typed at a person's pace stay in the field.
func TestWedgeScanIntoAnyField(t *testing.T) {
	f := newFixture(t)
	f.open()
	f.login("C1", "1234")
	f.scan(f.code(agent.CatFridge), 1)
	f.scan(fridge.Barcode, 1)
	f.mustShow(i18n.T("sale.ti.hint")) // the focus is on the old appliance's brand

	// A person typing: a brand of 10 characters, then Enter moves on.
	f.typeAt("Haier-2019", 120*time.Millisecond)
	f.mustShow("Haier-2019")
	model := f.focused()

	// A scanner typing into the model field.
	code := f.code(agent.CatPhone)
	f.typeAt(code, 5*time.Millisecond)
	f.wait(1)
	f.mustShow(i18n.Error(&agent.Error{Code: agent.CodeVoucherCategoryMismatch}))
	if got := entryText(model); got != "" {
		t.Fatalf("the model field holds %q after the scan", got)
	}
	// Slow keys in the model field are the model.
	f.m.w.Canvas().Focus(model)
	f.typeAt("BCD-180WX", 120*time.Millisecond)
	if got := entryText(model); got != "BCD-180WX" {
		t.Fatalf("model field = %q", got)
	}
}

// entryText is the text of an entry (a widget.Entry or a type embedding it).
func entryText(o fyne.Focusable) string {
	return reflect.ValueOf(o).Elem().FieldByName("Text").String()
}
