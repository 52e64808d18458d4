package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
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

// TestRecyclerPickupWithPhoto: the recycler attaches a photo through the
// real file dialog (Fyne's, opened by the screen's button, on a folder
// holding one JPEG) and the pickup is stored with that photo's SHA-256.
func TestRecyclerPickupWithPhoto(t *testing.T) {
	f := newFixture(t)
	sale := f.sellWithTradeIn()
	m := f.open()
	dir := t.TempDir()
	photo := jpegPhoto(t)
	if err := os.WriteFile(filepath.Join(dir, "旧冰箱.jpg"), photo, 0o644); err != nil {
		t.Fatal(err)
	}
	// The file dialog opens in the folder it used last.
	fyne.CurrentApp().Preferences().SetString("fyne:fileDialogLastFolder", storage.NewFileURI(dir).String())
	f.login("R1", "1234")
	if m.pickup == nil {
		t.Fatalf("recycler has no pickup screen: %q", f.tabTitles())
	}
	f.scan(sale.TradeIn.TicketNo, 1)
	f.mustShow(i18n.T("pickup.photo_none"))

	f.tapButton(i18n.T("pickup.photo_pick"))
	f.chooseFromDialog("旧冰箱.jpg")
	f.mustShow(i18n.T("pickup.photo_got", "旧冰箱.jpg", (len(photo)+1023)/1024))

	f.m.pickup.Focus()
	f.typeText("35.5")
	f.key(fyne.KeyReturn)
	f.typeText("CERT-PHOTO")
	f.key(fyne.KeyReturn)
	f.wait(1)
	f.mustShow(i18n.T("pickup.saved", sale.TradeIn.TicketNo))
	f.mustShow(i18n.T("pickup.photo_none")) // the form is ready for the next ticket

	p, err := f.store.PickupByTicket(f.ctx, sale.TradeIn.TicketNo)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(photo); p.PhotoSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("pickup photo %q, want the SHA-256 of the chosen file", p.PhotoSHA256)
	}
}

// jpegPhoto is a small real JPEG, as a phone camera would leave (smaller).
func jpegPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// chooseFromDialog picks the file called name in the open file dialog and
// confirms it with the dialog's confirm button (the one that was disabled
// until a file was selected). The dialog labels a file with its name
// without the extension.
func (f *fixture) chooseFromDialog(name string) {
	f.t.Helper()
	label := strings.TrimSuffix(name, filepath.Ext(name))
	top := f.m.w.Canvas().Overlays().Top()
	if top == nil {
		f.t.Fatalf("no dialog is open; screen shows %q", f.texts())
	}
	item := innermostTappable(top, label)
	if item == nil {
		f.t.Fatalf("the file dialog does not list %q; it shows %q", name, f.texts())
	}
	item.Tapped(&fyne.PointEvent{})
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Importance == widget.HighImportance {
			if b.Disabled() {
				f.t.Fatalf("the dialog's %q button stayed disabled after choosing %q", b.Text, name)
			}
			test.Tap(b)
			return
		}
	}
	f.t.Fatalf("the file dialog has no confirm button; it shows %q", f.texts())
}
