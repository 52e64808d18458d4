package manager

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/agent/store"
	"tradein/ui/i18n"
)

// This file builds what the screen tests run against: a real
// agent.Terminal on a real SQLite store in t.TempDir(), with rules, a
// product library and staff seeded, and agenttest's receipt printer that
// keeps its jobs in that store's print-job table (the spooler's storage
// without a device, so retry and skip really change job states). Only
// _test.go files import agent/agenttest and agent/store: the screens
// themselves reach nothing but the agent.

func gtin(body string) string { return body + string(agent.GTINCheckDigit(body)) }

var (
	fridge = agent.Product{Barcode: gtin("690000000001"), Name: "冰箱 BCD-500", Brand: "海尔", Model: "BCD-500",
		Category: agent.CatFridge, EnergyGrade: 1, FiledPriceFen: agent.Yuan(5999), Status: agent.ProductActive}
	tv = agent.Product{Barcode: gtin("690000000005"), Name: "电视 65", Brand: "TCL", Model: "65Q",
		Category: agent.CatTV, EnergyGrade: 1, FiledPriceFen: agent.Yuan(15000), Status: agent.ProductActive}
)

// fixture is a terminal on a real store, offline (no platform): sales are
// accepted under the offline policy with signed consumer codes.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	clock   *agenttest.Clock
	store   *store.Store
	printer *agenttest.StorePrinter
	term    *agent.Terminal
	codes   *agenttest.Issuer
	sales   int // sales made so far, numbering the payment references
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := agenttest.NewClock(agenttest.Start)
	st := agenttest.OpenStore(t, agenttest.StoreOptions{Clock: clk, Rules: agent.DefaultRuleSets(), Products: []agent.Product{fridge, tv},
		Staff: []agent.Staff{{ID: "C1", Name: "张三", Role: agent.RoleClerk}, {ID: "M1", Name: "王五", Role: agent.RoleManager},
			{ID: "R1", Name: "李四", Role: agent.RoleRecycler}}})
	f := &fixture{t: t, ctx: ctx, clock: clk, store: st, codes: agenttest.NewIssuer(t, clk), printer: agenttest.NewStorePrinter(st, clk)}
	var err error
	f.term, err = agent.NewTerminal(agent.Deps{Store: st, Outbox: st, Library: st, Printer: f.printer, Clock: clk,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"},
		PlatformKey: f.codes.Pub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// The screens' "today" is the terminal's clock; exports run inline.
	prevNow, prevBG := now, background
	now, background = clk.Now, func(f func()) { f() }
	t.Cleanup(func() { now, background = prevNow, prevBG })
	i18n.SetLang(i18n.ZH)
	return f
}

func (f *fixture) login(id string) *agent.Session {
	f.t.Helper()
	s, err := f.term.Login(f.ctx, id, "1234")
	if err != nil {
		f.t.Fatalf("login %s: %v", id, err)
	}
	return s
}

// sell runs the sale wizard offline for p at price and commits it.
func (f *fixture) sell(p agent.Product, price agent.Fen) agent.Sale {
	f.t.Helper()
	f.sales++
	code := f.codes.Code(f.t, p.Category, 24*time.Hour)
	clerk := f.login("C1")
	defer clerk.Logout()
	d, err := clerk.NewSale(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := d.SetConsumerCode(f.ctx, code); err != nil {
		f.t.Fatalf("code: %v", err)
	}
	if _, _, err := d.ScanProduct(f.ctx, p.Barcode); err != nil {
		f.t.Fatalf("product: %v", err)
	}
	if _, err := d.Quote(f.ctx, price); err != nil {
		f.t.Fatalf("quote: %v", err)
	}
	if _, err := d.Confirm(f.ctx); err != nil {
		f.t.Fatalf("confirm: %v", err)
	}
	if _, err := d.SetPaymentRef(f.ctx, fmt.Sprintf("PAY%04d", f.sales)); err != nil {
		f.t.Fatalf("payment: %v", err)
	}
	sale, _, err := d.Commit(f.ctx)
	if err != nil {
		f.t.Fatalf("commit: %v", err)
	}
	f.clock.Advance(time.Minute)
	return sale
}

// reject plays sync/ hearing the platform reject an offline sale: the
// sale moves to REVIEW with the code and reason as the outbox item is
// completed, in one transaction.
func (f *fixture) reject(sale agent.Sale, code agent.Code, reason string) {
	f.t.Helper()
	items, err := f.store.OutboxItems(f.ctx, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, it := range items {
		if it.OrderNo != sale.OrderNo {
			continue
		}
		cur, err := f.store.Sale(f.ctx, sale.OrderNo)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := cur.TransitionTo(agent.SaleReview, f.clock.Now()); err != nil {
			f.t.Fatal(err)
		}
		cur.RejectCode, cur.RejectReason = string(code), reason
		if err := f.store.CompleteOutbox(f.ctx, it.Seq, &cur, agent.AuditEntry{At: f.clock.Now(), Actor: "system", Action: "sync.rejected", Subject: sale.OrderNo}); err != nil {
			f.t.Fatal(err)
		}
		return
	}
	f.t.Fatalf("no outbox item for %s", sale.OrderNo)
}

// show puts the manager screen of s in a test window.
func (f *fixture) show(s *agent.Session) (*screen, fyne.Window) {
	f.t.Helper()
	test.NewTempApp(f.t)
	w := test.NewWindow(nil)
	f.t.Cleanup(w.Close)
	sc := newScreen(w, s, f.term)
	w.SetContent(sc.tabs)
	w.Resize(fyne.NewSize(1200, 800))
	return sc, w
}

// labels returns the text of every label drawn in o's widget tree.
func labels(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range test.LaidOutObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return out
}
