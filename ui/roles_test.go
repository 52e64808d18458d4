package ui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// sellWithTradeIn commits an online fridge sale with an old appliance
// through the agent (the wizard is tested elsewhere) and returns it.
func (f *fixture) sellWithTradeIn() agent.Sale {
	f.t.Helper()
	s, err := f.term.Login(f.ctx, "C1", "1234")
	if err != nil {
		f.t.Fatal(err)
	}
	defer s.Logout()
	d, err := s.NewSale(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	steps := []func() error{
		func() error { _, err := d.SetConsumerCode(f.ctx, f.code(agent.CatFridge)); return err },
		func() error { _, _, err := d.ScanProduct(f.ctx, fridge.Barcode); return err },
		func() error {
			_, err := d.SetTradeIn(f.ctx, agent.TradeIn{Category: agent.CatFridge, Brand: "美的", Model: "BCD-180",
				Condition: agent.ConditionWorn, PriceFen: agent.Yuan(150)})
			return err
		},
		func() error { _, err := d.Quote(f.ctx, agent.Yuan(4999)); return err },
		func() error { _, err := d.Confirm(f.ctx); return err },
		func() error { _, err := d.SetPaymentRef(f.ctx, "POS-9"); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			f.t.Fatalf("sale step %d: %v", i, err)
		}
	}
	sale, _, err := d.Commit(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return sale
}

// TestDeniedActions: each role sees only its screens. A clerk has no
// manager or support tab; a recycler cannot open the sale screen (and the
// agent refuses it a sale anyway); field support sees only support.
func TestDeniedActions(t *testing.T) {
	f := newFixture(t)
	m := f.open()
	for _, tc := range []struct {
		id   string
		tabs []string
	}{
		{"C1", []string{i18n.T("nav.sale")}},
		{"R1", []string{i18n.T("nav.pickup")}},
		{"M1", []string{i18n.T("nav.sale"), i18n.T("nav.pickup"), i18n.T("nav.manager")}},
		{"F1", []string{i18n.T("nav.support")}},
	} {
		f.login(tc.id, "1234")
		if m.sess == nil {
			t.Fatalf("%s: not logged in: %q", tc.id, f.texts())
		}
		if got := f.tabTitles(); fmt.Sprint(got) != fmt.Sprint(tc.tabs) {
			t.Errorf("%s: tabs %q, want %q", tc.id, got, tc.tabs)
		}
		if tc.id == "F1" {
			f.mustShow(i18n.T("app.datadir", "/var/lib/tradein"))
		}
		if tc.id == "R1" {
			if m.sale != nil {
				t.Error("recycler got a sale screen")
			}
			if _, err := m.sess.NewSale(context.Background()); agent.CodeOf(err) != agent.CodePermission {
				t.Errorf("recycler NewSale: %v", err)
			}
		}
		f.tapButton(i18n.T("app.logout"))
		if m.sess != nil || m.login == nil {
			t.Fatalf("%s: logout did not return to the login screen", tc.id)
		}
	}
}

// TestLoginRefusals shows the wrong-PIN and lockout sentences and keeps
// the person on the login screen.
func TestLoginRefusals(t *testing.T) {
	f := newFixture(t)
	m := f.open()
	f.login("C1", "9999")
	f.mustShow(i18n.Error(&agent.Error{Code: agent.CodeWrongPIN}))
	if m.sess != nil {
		t.Fatal("logged in with a wrong PIN")
	}
	for i := 0; i < 4; i++ {
		m.w.Canvas().Focus(m.login.pin)
		f.typeText("9999")
		f.key(fyne.KeyReturn)
	}
	f.mustShow(i18n.Error(&agent.Error{Code: agent.CodeLockedOut}))
	m.w.Canvas().Focus(m.login.pin)
	f.typeText("1234")
	f.key(fyne.KeyReturn)
	if m.sess != nil {
		t.Fatal("a locked-out account logged in")
	}
	f.mustShow(i18n.Error(&agent.Error{Code: agent.CodeLockedOut}))
}

// TestRecyclerPickup: the recycler scans the trade-in ticket of a sale,
// sees the old appliance, records condition, weight and certificate, and
// the pickup is stored with its PICKUP outbox row.
func TestRecyclerPickup(t *testing.T) {
	f := newFixture(t)
	sale := f.sellWithTradeIn()
	m := f.open()
	f.login("R1", "1234")
	if m.pickup == nil {
		t.Fatalf("recycler has no pickup screen: %q", f.tabTitles())
	}
	f.scan(fridge.Barcode, 1) // not a ticket
	f.mustShow(i18n.T("sale.wrong_scan", i18n.T("scan.PRODUCT"), i18n.T("scan.TICKET")))

	f.scan(sale.TradeIn.TicketNo, 1)
	f.mustShow(sale.OrderNo)
	f.mustShow("美的 BCD-180")
	// The condition is preselected from the sale; the focus is on the weight.
	f.typeText("35.5")
	f.key(fyne.KeyReturn)
	f.typeText("CERT-001")
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow(i18n.T("pickup.saved", sale.TradeIn.TicketNo))

	p, err := f.store.PickupByTicket(f.ctx, sale.TradeIn.TicketNo)
	if err != nil {
		t.Fatal(err)
	}
	if p.WeightGrams != 35500 || p.CertificateNo != "CERT-001" || p.Condition != agent.ConditionWorn || p.RecyclerID != "R1" || p.OrderNo != sale.OrderNo {
		t.Fatalf("pickup %+v", p)
	}
	items, err := f.store.OutboxItems(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[agent.OutboxKind]int{}
	for _, it := range items {
		kinds[it.Kind]++
	}
	if kinds[agent.OutboxPickup] != 1 {
		t.Fatalf("outbox kinds %v", kinds)
	}

	// The same ticket again is refused with its sentence.
	f.scan(sale.TradeIn.TicketNo, 1)
	f.typeText("30")
	f.key(fyne.KeyReturn)
	f.typeText("CERT-002")
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow(i18n.Error(&agent.Error{Code: agent.CodeAlreadyPickedUp}))
}

// TestManagerRefundThroughNavigation: the manager logs in, opens the
// manager tab from the main window, selects the sale and refunds it with a
// reason (the manager screen itself is tested in ui/manager).
func TestManagerRefundThroughNavigation(t *testing.T) {
	f := newFixture(t)
	sale := f.sellWithTradeIn()
	m := f.open()
	f.login("M1", "1234")
	idx := -1
	for i, title := range f.tabTitles() {
		if title == i18n.T("nav.manager") {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("manager has no manager tab: %q", f.tabTitles())
	}
	m.tabs.SelectIndex(idx)
	// The manager screen's period defaults to the wall clock's last 7
	// days; the fixture's sale is dated by the terminal's clock.
	var list *widget.List
	for _, o := range test.LaidOutObjects(m.tabs.Items[idx].Content) {
		switch x := o.(type) {
		case *widget.List:
			if list == nil {
				list = x
			}
		case *widget.Select:
			if x.Selected == i18n.T("mgr.range.week") {
				x.SetSelected(i18n.T("mgr.range.all"))
			}
		}
	}
	f.tapButton(i18n.T("mgr.find"))
	if list == nil {
		t.Fatal("no sales list on the manager tab")
	}
	list.Select(0)
	f.mustShow(sale.OrderNo)
	f.tapButton(i18n.T("mgr.refund"))
	top := m.w.Canvas().Overlays().Top()
	for _, o := range test.LaidOutObjects(top) {
		if e, ok := o.(*widget.Entry); ok {
			test.Type(e, "顾客退货")
		}
	}
	f.tapButton(i18n.T("mgr.refund_do"))
	got, err := f.store.Sale(f.ctx, sale.OrderNo)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != agent.SaleRefunded || got.RefundReason != "顾客退货" {
		t.Fatalf("after the refund: state %s reason %q", got.State, got.RefundReason)
	}
}
