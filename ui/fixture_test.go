package ui

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/ui/i18n"
)

// This file builds what the main-window tests run against: a real
// agent.Terminal on a real SQLite store in t.TempDir() with rules, a
// product library and staff seeded; a small but working in-memory central
// platform (verifies signed codes, freezes a voucher once, knows sellable
// serial numbers, computes the discount with its own rules, can be taken
// down); and a receipt printer that keeps its jobs in the store's print-job
// table. Only _test.go files import agent/store.

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

// memPlatform is the central platform of DESIGN §5 for the calls a clerk
// waits for (SN query, voucher freeze), in memory.
type memPlatform struct {
	mu       sync.Mutex
	clock    agent.Clock
	pub      ed25519.PublicKey
	rules    agent.Rules
	products map[string]agent.Product
	sns      map[string]agent.SNStatus
	vouchers map[string]string // voucher id -> frozen_no
	tries    map[string]agent.VoucherFrozen
	down     bool
	seq      int
}

func (p *memPlatform) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}

func (p *memPlatform) QuerySN(ctx context.Context, sn string) (agent.SNStatus, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return "", agent.ErrPlatformDown
	}
	if st, ok := p.sns[sn]; ok {
		return st, nil
	}
	return agent.SNNotFound, nil
}

func (p *memPlatform) TryVoucher(ctx context.Context, t agent.VoucherTry) (agent.VoucherFrozen, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return agent.VoucherFrozen{}, agent.ErrPlatformDown
	}
	if prev, ok := p.tries[t.RequestNo]; ok {
		return prev, nil
	}
	now := p.clock.Now()
	c, err := agent.VerifyConsumerCode(t.AuthCode, p.pub, now)
	if err != nil {
		return agent.VoucherFrozen{}, err
	}
	if err := agent.CheckClaims(c, t.Category, t.CountyCode); err != nil {
		return agent.VoucherFrozen{}, err
	}
	if p.vouchers[c.VID] != "" {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherUsed, "voucher %s is frozen", c.VID)
	}
	pr, ok := p.products[t.Barcode]
	if !ok {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeProductNotFound, "barcode %s", t.Barcode)
	}
	rule, _ := p.rules.Rule(pr.Category)
	if (rule.SNRequired || pr.SNRequired) && p.sns[t.SN] != agent.SNSellable {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeSNNotFound, "sn %s", t.SN)
	}
	res, err := agent.ComputeSubsidy(rule, pr, t.AmountFen)
	if err != nil {
		return agent.VoucherFrozen{}, err
	}
	p.seq++
	fr := agent.VoucherFrozen{FrozenNo: fmt.Sprintf("FZ%06d", p.seq), VoucherID: c.VID, MaskedConsumer: "王*",
		CRef: c.CRef, DiscountFen: res.SubsidyFen, PayFen: t.AmountFen - res.SubsidyFen, FrozenUntil: now.Add(15 * time.Minute)}
	p.vouchers[c.VID] = fr.FrozenNo
	p.tries[t.RequestNo] = fr
	return fr, nil
}

// storePrinter is agent.ReceiptPrinter on the store's print-job table.
type storePrinter struct {
	jobs  *store.Store
	clock agent.Clock
	mu    sync.Mutex
	seq   int
	recs  []agent.Receipt
	fail  bool // PrintReceipt refuses (spooler storage broken)
}

func (p *storePrinter) PrintReceipt(ctx context.Context, r agent.Receipt) (string, error) {
	p.mu.Lock()
	if p.fail {
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
	return id, p.jobs.EnqueuePrintJob(ctx, agent.PrintJob{ID: id, OrderNo: order, Kind: string(r.Kind), Reprint: r.Reprint,
		Data: []byte(string(r.Kind)), State: agent.PrintQueued, CreatedAt: p.clock.Now()})
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

func (p *storePrinter) receipts() []agent.Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]agent.Receipt(nil), p.recs...)
}

func gtin(body string) string   { return body + string(agent.GTINCheckDigit(body)) }
func imei(body14 string) string { return body14 + string(agent.LuhnCheckDigit(body14)) }

var (
	fridge = agent.Product{Barcode: gtin("690000000001"), Name: "冰箱 BCD-500", Brand: "海尔", Model: "BCD-500",
		Category: agent.CatFridge, EnergyGrade: 1, FiledPriceFen: agent.Yuan(5999), Status: agent.ProductActive}
	phone = agent.Product{Barcode: gtin("690000000002"), Name: "手机 X1", Brand: "小米", Model: "X1",
		Category: agent.CatPhone, FiledPriceFen: agent.Yuan(3999), SNRequired: true, Status: agent.ProductActive}
)

// fixture is a terminal on a real store with the in-memory platform. In
// its rules a fridge needs an old appliance handed in, so the online sale
// walks every step of the wizard.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	clock    *fixedClock
	store    *store.Store
	printer  *storePrinter
	platform *memPlatform
	term     *agent.Terminal
	priv     ed25519.PrivateKey
	vseq     int

	m     *mainWindow
	steps chan struct{} // one value per finished wizard/pickup step
}

var pinHash = sync.OnceValue(func() string {
	h, err := agent.HashPIN("1234")
	if err != nil {
		panic(err)
	}
	return h
})

func newFixture(t testing.TB) *fixture { return newFixtureRules(t, true) }

// newFixtureRules is newFixture; withRules false leaves the terminal as
// before its first rules refresh.
func newFixtureRules(t testing.TB, withRules bool) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &fixedClock{now: time.Date(2026, 3, 10, 10, 0, 0, 0, agent.ChinaTime)}
	// Quiet logs: the store's migration line and the theme's font line
	// would split a benchmark's result line on stdout.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	prevLog := slog.Default()
	slog.SetDefault(quiet)
	t.Cleanup(func() { slog.SetDefault(prevLog) })
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "terminal.db"), store.Options{AllowPlaintextForTests: true, Clock: clk, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := agent.DefaultRules()
	for i := range rules.Categories {
		if rules.Categories[i].Category == agent.CatFridge {
			rules.Categories[i].TradeInRequired = true
		}
	}
	if withRules {
		if err := st.SaveRules(ctx, rules); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.StageLibraryPage(ctx, 0, 1, []agent.Product{fridge, phone}, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.CommitLibrary(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for _, s := range []agent.Staff{{ID: "C1", Name: "张三", Role: agent.RoleClerk}, {ID: "M1", Name: "王五", Role: agent.RoleManager},
		{ID: "R1", Name: "李四", Role: agent.RoleRecycler}, {ID: "F1", Name: "赵六", Role: agent.RoleSupport}} {
		s.PINHash, s.Active = pinHash(), true
		if err := st.SaveStaff(ctx, s, agent.AuditEntry{At: clk.Now(), Actor: "system", Action: "staff.seed", Subject: s.ID}); err != nil {
			t.Fatal(err)
		}
	}
	plat := &memPlatform{clock: clk, pub: pub, rules: rules, products: map[string]agent.Product{fridge.Barcode: fridge, phone.Barcode: phone},
		sns: map[string]agent.SNStatus{}, vouchers: map[string]string{}, tries: map[string]agent.VoucherFrozen{}}
	f := &fixture{t: t, ctx: ctx, clock: clk, store: st, priv: priv, platform: plat,
		printer: &storePrinter{jobs: st, clock: clk}, steps: make(chan struct{}, 64)}
	f.term, err = agent.NewTerminal(agent.Deps{Store: st, Outbox: st, Library: st, Printer: f.printer, Platform: plat, Clock: clk,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"},
		PlatformKey: pub, PhotosDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	// The main window's own calls run inline and its clock is the
	// terminal's; the status bar's ticker is kept out of the way (the
	// tests refresh it explicitly).
	prevNow, prevBG, prevEvery := now, background, statusEvery
	now, background, statusEvery = clk.Now, func(f func()) { f() }, time.Hour
	t.Cleanup(func() { now, background, statusEvery = prevNow, prevBG, prevEvery })
	i18n.SetLang(i18n.ZH)
	return f
}

// open starts the app's main window on the test driver (login first).
func (f *fixture) open() *mainWindow {
	f.t.Helper()
	a := test.NewTempApp(f.t)
	f.m = start(a, f.term, nil, Options{Lang: "zh", DataDir: "/var/lib/tradein"})
	f.t.Cleanup(f.m.w.Close)
	f.m.w.Resize(fyne.NewSize(1280, 900))
	f.m.afterStep = func() { f.steps <- struct{}{} }
	return f.m
}

// wait blocks until n more wizard/pickup steps finished.
func (f *fixture) wait(n int) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-f.steps:
		case <-time.After(20 * time.Second):
			f.t.Fatalf("step %d of %d did not finish; screen shows:\n%s", i+1, n, strings.Join(f.texts(), "\n"))
		}
	}
}

// focused is the widget that has the keyboard focus.
func (f *fixture) focused() fyne.Focusable {
	f.t.Helper()
	fo := f.m.w.Canvas().Focused()
	if fo == nil {
		f.t.Fatalf("nothing has the focus; screen shows:\n%s", strings.Join(f.texts(), "\n"))
	}
	return fo
}

// typeText types s into the focused widget, as the keyboard does.
func (f *fixture) typeText(s string) {
	f.t.Helper()
	fo := f.focused()
	for _, r := range s {
		fo.TypedRune(r)
	}
}

// key presses a key on the focused widget.
func (f *fixture) key(name fyne.KeyName) {
	f.t.Helper()
	f.focused().TypedKey(&fyne.KeyEvent{Name: name})
}

// login logs in from the keyboard: staff ID, Enter, PIN, Enter.
func (f *fixture) login(id, pin string) {
	f.t.Helper()
	f.typeText(id)
	f.key(fyne.KeyReturn)
	f.typeText(pin)
	f.key(fyne.KeyReturn)
}

// scan delivers a scan through the terminal, as a scanner driver does; the
// main window's scan pump hands it to the screen on top.
func (f *fixture) scan(value string, steps int) {
	f.t.Helper()
	f.term.HandleScan(agent.ScanEvent{Value: value, Source: "test"})
	f.wait(steps)
}

// code returns a signed consumer code for cat.
func (f *fixture) code(cat agent.Category) string {
	f.t.Helper()
	f.vseq++
	now := f.clock.Now()
	c, err := agent.SignConsumerCode(agent.ConsumerClaims{VID: fmt.Sprintf("V%04d", f.vseq), Cat: cat, Reg: "110000",
		Iat: now.Unix(), Exp: now.Add(24 * time.Hour).Unix(), CRef: fmt.Sprintf("CR%04d", f.vseq)}, f.priv)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// texts lists every visible text drawn in the window, overlays included.
func (f *fixture) texts() []string {
	objs := test.LaidOutObjects(f.m.w.Content())
	for _, o := range f.m.w.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	var out []string
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		}
	}
	return out
}

// shows reports whether some visible text contains s.
func (f *fixture) shows(s string) bool {
	for _, t := range f.texts() {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// mustShow fails unless some visible text contains s.
func (f *fixture) mustShow(s string) {
	f.t.Helper()
	if !f.shows(s) {
		f.t.Fatalf("screen does not show %q; it shows:\n%s", s, strings.Join(f.texts(), "\n"))
	}
}

// bigText returns the canvas.Text drawn with text s, or nil.
func (f *fixture) bigText(s string) *canvas.Text {
	for _, o := range test.LaidOutObjects(f.m.w.Content()) {
		if x, ok := o.(*canvas.Text); ok && x.Visible() && x.Text == s {
			return x
		}
	}
	return nil
}

// tabTitles lists the main window's navigation tabs.
func (f *fixture) tabTitles() []string {
	var out []string
	for _, it := range f.m.tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// chooseFromPopup taps the item called text in the open pop-up menu (a
// Select's list) and waits for nothing: choosing is synchronous.
func (f *fixture) chooseFromPopup(text string) {
	f.t.Helper()
	top := f.m.w.Canvas().Overlays().Top()
	if top == nil {
		f.t.Fatalf("no pop-up is open; screen shows %q", f.texts())
	}
	// The innermost tappable holding the text is the menu item (the menu
	// itself is tappable too, and comes first in the tree).
	var item fyne.Tappable
	for _, o := range test.LaidOutObjects(top) {
		if tp, ok := o.(fyne.Tappable); ok {
			for _, x := range test.LaidOutObjects(o) {
				if l, ok := x.(*canvas.Text); ok && l.Text == text {
					item = tp
				}
			}
		}
	}
	if item != nil {
		item.Tapped(&fyne.PointEvent{})
		return
	}
	f.t.Fatalf("pop-up has no item %q", text)
}

// tapButton taps the visible button called text, overlays first.
func (f *fixture) tapButton(text string) {
	f.t.Helper()
	var objs []fyne.CanvasObject
	for _, o := range f.m.w.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	objs = append(objs, test.LaidOutObjects(f.m.w.Content())...)
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == text && !b.Disabled() {
			test.Tap(b)
			return
		}
	}
	f.t.Fatalf("no button %q; screen shows %q", text, f.texts())
}
