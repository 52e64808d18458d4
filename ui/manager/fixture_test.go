package manager

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/ui/i18n"
)

// This file builds what the screen tests run against: a real
// agent.Terminal on a real SQLite store in t.TempDir(), with rules, a
// product library and staff seeded, and a receipt printer that keeps its
// jobs in that store's print-job table (the spooler's storage without a
// device, so retry and skip really change job states). Only _test.go files
// import agent/store: the screens themselves reach nothing but the agent.

// fixedClock is a settable clock, safe for concurrent use.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// storePrinter is agent.ReceiptPrinter on the store's print-job table.
type storePrinter struct {
	jobs  *store.Store
	clock agent.Clock
	mu    sync.Mutex
	seq   int
	recs  []agent.Receipt
	// broken makes PrintReceipt fail, as a spooler whose disk is full.
	broken bool
}

func (p *storePrinter) PrintReceipt(ctx context.Context, r agent.Receipt) (string, error) {
	p.mu.Lock()
	if p.broken {
		p.mu.Unlock()
		return "", fmt.Errorf("spooler: disk full")
	}
	p.seq++
	id := fmt.Sprintf("J%04d", p.seq)
	p.recs = append(p.recs, r)
	p.mu.Unlock()
	order := ""
	if r.Sale != nil {
		order = r.Sale.OrderNo
	}
	j := agent.PrintJob{ID: id, OrderNo: order, Kind: string(r.Kind), Reprint: r.Reprint,
		Data: []byte(string(r.Kind)), State: agent.PrintQueued, CreatedAt: p.clock.Now()}
	return id, p.jobs.EnqueuePrintJob(ctx, j)
}

func (p *storePrinter) FailedJobs(ctx context.Context) ([]agent.PrintJob, error) {
	return p.jobs.PrintJobsIn(ctx, agent.PrintFailed)
}

func (p *storePrinter) RetryJob(ctx context.Context, id string) error {
	return p.setState(ctx, id, agent.PrintQueued)
}

func (p *storePrinter) SkipJob(ctx context.Context, id string) error {
	return p.setState(ctx, id, agent.PrintSkipped)
}

func (p *storePrinter) setState(ctx context.Context, id string, st agent.PrintJobState) error {
	j, err := p.jobs.PrintJob(ctx, id)
	if err != nil {
		return err
	}
	j.State, j.LastError = st, ""
	return p.jobs.UpdatePrintJob(ctx, j)
}

// fail marks a job FAILED with the spooler-style reason.
func (p *storePrinter) fail(t *testing.T, id, why string) {
	t.Helper()
	ctx := context.Background()
	j, err := p.jobs.PrintJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	j.State, j.LastError, j.Attempts = agent.PrintFailed, why, 1
	if err := p.jobs.UpdatePrintJob(ctx, j); err != nil {
		t.Fatal(err)
	}
}

func (p *storePrinter) last() agent.Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.recs) == 0 {
		return agent.Receipt{}
	}
	return p.recs[len(p.recs)-1]
}

func gtin(body string) string { return body + string(agent.GTINCheckDigit(body)) }

var (
	fridge = agent.Product{Barcode: gtin("690000000001"), Name: "冰箱 BCD-500", Brand: "海尔", Model: "BCD-500",
		Category: agent.CatFridge, EnergyGrade: 1, FiledPriceFen: agent.Yuan(5999), Status: agent.ProductActive}
	tv = agent.Product{Barcode: gtin("690000000005"), Name: "电视 65", Brand: "TCL", Model: "65Q",
		Category: agent.CatTV, EnergyGrade: 2, FiledPriceFen: agent.Yuan(15000), Status: agent.ProductActive}
)

// fixture is a terminal on a real store, offline (no platform): sales are
// accepted under the offline policy with signed consumer codes.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	clock   *fixedClock
	store   *store.Store
	printer *storePrinter
	term    *agent.Terminal
	priv    ed25519.PrivateKey
	vseq    int
}

// pinHash is hashed once per test binary: argon2id is slow on purpose.
var pinHash = sync.OnceValue(func() string {
	h, err := agent.HashPIN("1234")
	if err != nil {
		panic(err)
	}
	return h
})

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &fixedClock{now: time.Date(2026, 3, 10, 10, 0, 0, 0, agent.ChinaTime)}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "terminal.db"), store.Options{AllowPlaintextForTests: true, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveRules(ctx, agent.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	if err := st.StageLibraryPage(ctx, 0, 1, []agent.Product{fridge, tv}, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.CommitLibrary(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, s := range []agent.Staff{{ID: "C1", Name: "张三", Role: agent.RoleClerk}, {ID: "M1", Name: "王五", Role: agent.RoleManager},
		{ID: "R1", Name: "李四", Role: agent.RoleRecycler}} {
		s.PINHash, s.Active = pinHash(), true
		if err := st.SaveStaff(ctx, s, agent.AuditEntry{At: clk.Now(), Actor: "system", Action: "staff.seed", Subject: s.ID}); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, ctx: ctx, clock: clk, store: st, priv: priv, printer: &storePrinter{jobs: st, clock: clk}}
	f.term, err = agent.NewTerminal(agent.Deps{Store: st, Outbox: st, Library: st, Printer: f.printer, Clock: clk,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"},
		PlatformKey: pub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
	f.vseq++
	now := f.clock.Now()
	code, err := agent.SignConsumerCode(agent.ConsumerClaims{VID: fmt.Sprintf("V%04d", f.vseq), Cat: p.Category, Reg: "110000",
		Iat: now.Unix(), Exp: now.Add(24 * time.Hour).Unix(), CRef: fmt.Sprintf("CR%04d", f.vseq)}, f.priv)
	if err != nil {
		f.t.Fatal(err)
	}
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
	if _, err := d.SetPaymentRef(f.ctx, fmt.Sprintf("PAY%04d", f.vseq)); err != nil {
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
