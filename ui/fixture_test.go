package ui

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/agent/store"
	"tradein/ui/async/asynctest"
	"tradein/ui/i18n"
)

// This file builds what the main-window tests run against: a real
// agent.Terminal on a real SQLite store in t.TempDir() with rules, a
// product library and staff seeded; agenttest's working in-memory central
// platform (verifies signed codes, freezes a voucher once, knows sellable
// serial numbers, computes the discount with its own rules, can be taken
// down); and a receipt printer that keeps its jobs in the store's print-job
// table. Only _test.go files import agent/agenttest and agent/store.

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
	clock    *agenttest.Clock
	store    *store.Store
	printer  *agenttest.StorePrinter
	platform *agenttest.Platform
	term     *agent.Terminal
	codes    *agenttest.Issuer
	// loop is the screens' runner: their background calls run in
	// goroutines, and what they hand back to the UI goroutine runs on the
	// test goroutine when a helper settles or waits.
	loop *asynctest.Loop

	m     *mainWindow
	steps chan struct{} // one value per finished wizard/pickup step
}

func newFixture(t testing.TB) *fixture { return newFixtureRules(t, true) }

// newFixtureRules is newFixture; withRules false leaves the terminal as
// before its first rules refresh.
func newFixtureRules(t testing.TB, withRules bool) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := agenttest.NewClock(agenttest.Start)
	// Quiet logs: the store's migration line and the theme's font line
	// would split a benchmark's result line on stdout.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	prevLog := slog.Default()
	slog.SetDefault(quiet)
	t.Cleanup(func() { slog.SetDefault(prevLog) })
	// The rule sets in force on agenttest.Start's date, with the 2026
	// fridge rule asking for the old appliance so that the trade-in step
	// shows.
	rules := agent.DefaultRuleSets()
	for i := range rules[1].Categories {
		if rules[1].Categories[i].Category == agent.CatFridge {
			rules[1].Categories[i].TradeInRequired = true
		}
	}
	o := agenttest.StoreOptions{Clock: clk, Logger: quiet, Products: []agent.Product{fridge, phone},
		Staff: []agent.Staff{{ID: "C1", Name: "张三", Role: agent.RoleClerk}, {ID: "M1", Name: "王五", Role: agent.RoleManager},
			{ID: "R1", Name: "李四", Role: agent.RoleRecycler}, {ID: "F1", Name: "赵六", Role: agent.RoleSupport}}}
	if withRules {
		o.Rules = rules
	}
	st := agenttest.OpenStore(t, o)
	codes := agenttest.NewIssuer(t, clk)
	plat := agenttest.NewPlatform(clk, codes.Pub, rules, []agent.Product{fridge, phone})
	f := &fixture{t: t, ctx: ctx, clock: clk, store: st, codes: codes, platform: plat, loop: asynctest.New(),
		printer: agenttest.NewStorePrinter(st, clk), steps: make(chan struct{}, 64)}
	var err error
	f.term, err = agent.NewTerminal(agent.Deps{Store: st, Outbox: st, Library: st, Printer: f.printer, Platform: plat, Clock: clk,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"},
		PlatformKey: codes.Pub, PhotosDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	i18n.SetLang(i18n.ZH)
	return f
}

// open starts the app's main window on the test driver (login first). Its
// clock is the terminal's, its runner f.loop; the status bar's ticker is
// kept out of the way (the tests refresh it with refreshStatus).
func (f *fixture) open() *mainWindow {
	f.t.Helper()
	a := test.NewTempApp(f.t)
	f.m = start(a, f.term, nil, Options{Lang: "zh", DataDir: "/var/lib/tradein",
		Clock: f.clock, Runner: f.loop, StatusEvery: time.Hour})
	f.t.Cleanup(f.m.w.Close)
	f.m.w.Resize(fyne.NewSize(1280, 900))
	f.m.afterStep = func() { f.steps <- struct{}{} }
	f.settle()
	return f.m
}

// waitLimit bounds every wait of a test: far beyond any step's time, it
// only ends a test that hangs.
const waitLimit = 20 * time.Second

// settle runs what the screens handed back to the UI goroutine until none
// of their background calls is left.
func (f *fixture) settle() {
	f.t.Helper()
	if err := f.loop.Settle(waitLimit); err != nil {
		f.t.Fatalf("screens did not settle: %v; screen shows:\n%s", err, strings.Join(f.texts(), "\n"))
	}
}

// wait runs the screens' UI work until n more wizard/pickup steps
// finished.
func (f *fixture) wait(n int) {
	f.t.Helper()
	got := 0
	err := f.loop.Until(func() bool {
		for got < n {
			select {
			case <-f.steps:
				got++
			default:
				return false
			}
		}
		return true
	}, waitLimit)
	if err != nil {
		f.t.Fatalf("step %d of %d did not finish: %v; screen shows:\n%s", got+1, n, err, strings.Join(f.texts(), "\n"))
	}
}

// refreshStatus has the status bar read the terminal's status and waits
// until it shows it.
func (f *fixture) refreshStatus() {
	f.t.Helper()
	f.m.status.kick()
	f.settle()
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

// key presses a key on the focused widget and lets the screens settle.
func (f *fixture) key(name fyne.KeyName) {
	f.t.Helper()
	f.focused().TypedKey(&fyne.KeyEvent{Name: name})
	f.settle()
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

// code returns a signed consumer code for cat, valid for a day.
func (f *fixture) code(cat agent.Category) string {
	f.t.Helper()
	return f.codes.Code(f.t, cat, 24*time.Hour)
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
	if item := innermostTappable(top, text); item != nil {
		item.Tapped(&fyne.PointEvent{})
		return
	}
	f.t.Fatalf("pop-up has no item %q", text)
}

// innermostTappable returns the deepest tappable object under root that
// draws text (a list or menu item; its list is tappable too), or nil.
func innermostTappable(root fyne.CanvasObject, text string) fyne.Tappable {
	var item fyne.Tappable
	for _, o := range test.LaidOutObjects(root) {
		if tp, ok := o.(fyne.Tappable); ok {
			for _, x := range test.LaidOutObjects(o) {
				if l, ok := x.(*canvas.Text); ok && l.Visible() && l.Text == text {
					item = tp
				}
			}
		}
	}
	return item
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
			f.settle()
			return
		}
	}
	f.t.Fatalf("no button %q; screen shows %q", text, f.texts())
}
