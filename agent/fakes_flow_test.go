package agent_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/agent/store"
)

// This file holds the fixture of the workflow tests: a terminal on a real
// SQLite store in t.TempDir() with agenttest's in-memory platform (real
// voucher-freeze and SN semantics), and an in-memory receipt printer whose
// failed-job list a test can set.

// memPrinter is an in-memory spooler: it keeps the receipts it was given.
type memPrinter struct {
	mu       sync.Mutex
	receipts []agent.Receipt
	fail     bool                     // PrintReceipt fails (spooler storage broken)
	pending  map[string]agent.Receipt // prepared, by order, until Wake
	seq      int
	failed   []agent.PrintJob
}

func (m *memPrinter) PrintReceipt(ctx context.Context, r agent.Receipt) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return "", errors.New("spooler: disk full")
	}
	m.receipts = append(m.receipts, r)
	return fmt.Sprintf("J%d", len(m.receipts)), nil
}

// PrepareReceipt renders nothing and keeps r as pending until Wake: the
// terminal wakes the spooler only after the commit that stored the job,
// so a receipt counts as queued only once its sale is committed. A second
// prepare for the same order (a commit retried) replaces the first.
func (m *memPrinter) PrepareReceipt(ctx context.Context, r agent.Receipt) (agent.PrintJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return agent.PrintJob{}, errors.New("spooler: disk full")
	}
	order := ""
	if r.Sale != nil {
		order = r.Sale.OrderNo
	}
	if m.pending == nil {
		m.pending = map[string]agent.Receipt{}
	}
	m.pending[order] = r
	m.seq++
	return agent.PrintJob{ID: fmt.Sprintf("JP%d", m.seq), OrderNo: order, Kind: string(r.Kind),
		State: agent.PrintQueued}, nil
}

// Wake counts the pending receipts as queued.
func (m *memPrinter) Wake() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for order, r := range m.pending {
		m.receipts = append(m.receipts, r)
		delete(m.pending, order)
	}
}

func (m *memPrinter) FailedJobs(ctx context.Context) ([]agent.PrintJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]agent.PrintJob(nil), m.failed...), nil
}

func (m *memPrinter) RetryJob(ctx context.Context, id string) error { return m.dropFailed(id) }
func (m *memPrinter) SkipJob(ctx context.Context, id string) error  { return m.dropFailed(id) }

func (m *memPrinter) dropFailed(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, j := range m.failed {
		if j.ID == id {
			m.failed = append(m.failed[:i], m.failed[i+1:]...)
			return nil
		}
	}
	return agent.ErrNotFound
}

func (m *memPrinter) last() agent.Receipt {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.receipts) == 0 {
		return agent.Receipt{}
	}
	return m.receipts[len(m.receipts)-1]
}

// gtin returns body with its GTIN check digit.
func gtin(body string) string { return body + string(agent.GTINCheckDigit(body)) }

// imei returns a 15-digit IMEI with a valid Luhn digit.
func imei(body14 string) string { return body14 + string(agent.LuhnCheckDigit(body14)) }

// Products of the fixture.
var (
	fridge = agent.Product{Barcode: gtin("690000000001"), Name: "冰箱 BCD-500", Brand: "海尔", Model: "BCD-500",
		Category: agent.CatFridge, EnergyGrade: 1, FiledPriceFen: agent.Yuan(5999), Status: agent.ProductActive}
	washer3 = agent.Product{Barcode: gtin("690000000002"), Name: "洗衣机 XQG", Brand: "小天鹅", Model: "XQG-80",
		Category: agent.CatWasher, EnergyGrade: 3, FiledPriceFen: agent.Yuan(3999), Status: agent.ProductActive}
	phone = agent.Product{Barcode: gtin("690000000003"), Name: "手机 X1", Brand: "华为", Model: "X1",
		Category: agent.CatPhone, Status: agent.ProductActive}
	ebike = agent.Product{Barcode: gtin("690000000004"), Name: "电动自行车 E1", Brand: "雅迪", Model: "E1",
		Category: agent.CatEBike, FiledPriceFen: agent.Yuan(4000), Status: agent.ProductActive}
	tv = agent.Product{Barcode: gtin("690000000005"), Name: "电视 65", Brand: "TCL", Model: "65Q",
		Category: agent.CatTV, EnergyGrade: 1, FiledPriceFen: agent.Yuan(15000), Status: agent.ProductActive}
)

const storeCounty = "110105" // 北京市朝阳区

// fixture is a terminal on a real store with a fake platform and printer.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	clock    *agenttest.Clock
	store    *store.Store
	platform *agenttest.Platform
	printer  *memPrinter
	term     *agent.Terminal
	codes    *agenttest.Issuer
	photos   string
	logs     lockedBuffer // everything the terminal logged
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixtureOpt changes the 2026 national rule set of a fixture.
type fixtureOpt func(*agent.Rules)

// localEBikeSet is a provincial test set for Beijing in 2026: e-bikes at
// a fixed ¥500 with the old bike handed in, and smart rings, a category
// no code of the terminal knows (categories are data).
func localEBikeSet() agent.Rules {
	ebike, _ := agent.NationalRules2025().Rule(agent.CatEBike)
	ring := agent.CategoryRule{Category: catSmartRing, Group: "wearable", NameZH: "智能戒指", NameEN: "Smart ring",
		RateBP: 1500, CapFen: agent.Yuan(300), PerConsumerLimit: 1, SNRequired: true, QuotaRestoredOnRefund: true}
	return agent.Rules{ID: "BJ-2026-test", Version: "1", RegionPrefix: "110000",
		CampaignStart: time.Date(2026, 1, 1, 0, 0, 0, 0, agent.ChinaTime),
		Categories:    []agent.CategoryRule{ebike, ring},
		Offline:       agent.DefaultRules().Offline}
}

// catSmartRing is a category code only the rules define.
const catSmartRing agent.Category = "smart_ring"

func newFixture(t testing.TB, opts ...fixtureOpt) *fixture {
	t.Helper()
	return newFixtureAt(t, agenttest.Start, opts...)
}

// newFixtureAt is newFixture with the clock standing at start.
func newFixtureAt(t testing.TB, start time.Time, opts ...fixtureOpt) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := agenttest.NewClock(start)
	f := &fixture{t: t, ctx: ctx, clock: clk, printer: &memPrinter{}, photos: filepath.Join(t.TempDir(), "photos")}
	// The store logs into the same captured buffer as the terminal: its
	// lines are checked for personal data too, and never split a
	// benchmark's result line on stdout.
	logger := slog.New(slog.NewTextHandler(&f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The national sets, and a local set for the store's province with
	// the e-bike rule (old bike handed in) that the 2026 national set no
	// longer has. opts change the 2026 national set, in force at
	// agenttest.Start.
	rules := append(agent.DefaultRuleSets(), localEBikeSet())
	for _, o := range opts {
		o(&rules[1])
	}
	products := []agent.Product{fridge, washer3, phone, ebike, tv, fridge2, ring}
	f.store = agenttest.OpenStore(t, agenttest.StoreOptions{Clock: clk, Logger: logger, Rules: rules,
		Products: products, LibraryVersion: 7, Staff: []agent.Staff{
			{ID: "C1", Name: "张三", Role: agent.RoleClerk},
			{ID: "R1", Name: "李四", Role: agent.RoleRecycler},
			{ID: "M1", Name: "王五", Role: agent.RoleManager},
			{ID: "F1", Name: "赵六", Role: agent.RoleSupport},
		}})
	f.codes = agenttest.NewIssuer(t, clk)
	f.platform = agenttest.NewPlatform(clk, f.codes.Pub, rules, products)
	var err error
	f.term, err = agent.NewTerminal(agent.Deps{
		Store: f.store, Outbox: f.store, Library: f.store, Platform: f.platform, Printer: f.printer, Clock: clk,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: storeCounty},
		PlatformKey: f.codes.Pub, VerifyURLBase: "https://verify.example/r/", PhotosDir: f.photos,
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// code issues a signed consumer code for a new voucher of category cat,
// valid for 30 days.
func (f *fixture) code(cat agent.Category, mod ...func(*agent.ConsumerClaims)) string {
	f.t.Helper()
	return f.codes.Code(f.t, cat, 30*24*time.Hour, mod...)
}

// opaqueCode registers an opaque code for a new voucher of category cat,
// valid for an hour, with the platform.
func (f *fixture) opaqueCode(cat agent.Category) string {
	return f.platform.AddOpaque(f.codes.Next(cat, time.Hour))
}

// sellableSN makes sn sellable at the platform and returns it.
func (f *fixture) sellableSN(sn string) string { return f.platform.SetSN(sn, agent.SNSellable) }

func (f *fixture) login(id string) *agent.Session {
	f.t.Helper()
	s, err := f.term.Login(f.ctx, id, "1234")
	if err != nil {
		f.t.Fatalf("login %s: %v", id, err)
	}
	return s
}

// saleSpec describes one sale through the wizard.
type saleSpec struct {
	code    string
	product agent.Product
	sn      string
	tradeIn *agent.TradeIn
	price   agent.Fen
	payRef  string
}

// sell runs the whole wizard and fails the test on any error.
func (f *fixture) sell(s *agent.Session, sp saleSpec) (agent.Sale, string) {
	f.t.Helper()
	d := f.prepare(s, sp)
	if _, err := d.Confirm(f.ctx); err != nil {
		f.t.Fatalf("confirm: %v", err)
	}
	if sp.payRef == "" {
		sp.payRef = "PAY-0001"
	}
	if _, err := d.SetPaymentRef(f.ctx, sp.payRef); err != nil {
		f.t.Fatalf("payment: %v", err)
	}
	sale, job, err := d.Commit(f.ctx)
	if err != nil {
		f.t.Fatalf("commit: %v", err)
	}
	return sale, job
}

// prepare runs the wizard up to (not including) Confirm; without a price
// it stops before Quote.
func (f *fixture) prepare(s *agent.Session, sp saleSpec) *agent.SaleWizard {
	f.t.Helper()
	d, err := s.NewSale(f.ctx)
	if err != nil {
		f.t.Fatalf("new sale: %v", err)
	}
	if _, err := d.SetConsumerCode(f.ctx, sp.code); err != nil {
		f.t.Fatalf("consumer code: %v", err)
	}
	if _, _, err := d.ScanProduct(f.ctx, sp.product.Barcode); err != nil {
		f.t.Fatalf("product: %v", err)
	}
	if sp.sn != "" {
		if _, err := d.SetSN(f.ctx, sp.sn); err != nil {
			f.t.Fatalf("sn: %v", err)
		}
	}
	if sp.tradeIn != nil {
		if _, err := d.SetTradeIn(f.ctx, *sp.tradeIn); err != nil {
			f.t.Fatalf("trade-in: %v", err)
		}
	}
	if sp.price != 0 {
		if _, err := d.Quote(f.ctx, sp.price); err != nil {
			f.t.Fatalf("quote: %v", err)
		}
	}
	return d
}

// outbox returns the pending outbox items.
func (f *fixture) outbox() []agent.OutboxItem {
	f.t.Helper()
	items, err := f.store.OutboxItems(f.ctx, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return items
}

// auditActions returns the actions of the audit log, oldest first.
func (f *fixture) auditActions() []string {
	f.t.Helper()
	entries, err := f.store.AuditEntries(f.ctx, 0, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}

func wantCode(t *testing.T, err error, code agent.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := agent.CodeOf(err); got != code {
		t.Fatalf("got %s (%v), want %s", got, err, code)
	}
}

// openBareStore opens an empty store: no rules, no library, no staff.
func openBareStore(t *testing.T, clk agent.Clock) *store.Store {
	t.Helper()
	return agenttest.OpenStore(t, agenttest.StoreOptions{Clock: clk})
}

func readFile(dir, name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
