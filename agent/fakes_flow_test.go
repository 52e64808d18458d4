package agent_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
)

// This file holds the working fakes and the fixture of the workflow tests:
// a settable clock, an in-memory platform with real voucher-freeze and SN
// semantics, an in-memory receipt printer, and a terminal on a real SQLite
// store in t.TempDir().

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// memPlatform is a small but real central platform: it verifies signed
// codes, knows opaque codes, freezes vouchers once, knows which SNs are
// sellable, computes the discount with its own rules and applies the
// outbox's commit, cancel and refund messages. Idempotent by request_no.
type memPlatform struct {
	mu       sync.Mutex
	clock    agent.Clock
	pub      ed25519.PublicKey
	rules    agent.Rules
	products map[string]agent.Product
	opaque   map[string]agent.ConsumerClaims // opaque code -> its voucher
	sns      map[string]agent.SNStatus       // absent: NOT_FOUND
	vouchers map[string]string               // voucher id -> "FROZEN" | "USED"
	frozen   map[string]string               // frozen_no -> voucher id
	tries    map[string]agent.VoucherFrozen  // request_no -> answer
	down     bool                            // every call fails with ErrPlatformDown
	// discountDelta is added to the computed discount, to make the
	// platform disagree with the terminal.
	discountDelta agent.Fen
	seq           int
	// entered and gate, when set, hold TryVoucher: it signals entered and
	// waits for gate to close, to test a terminal waiting for the platform.
	entered chan struct{}
	gate    chan struct{}
}

func newMemPlatform(clock agent.Clock, pub ed25519.PublicKey, rules agent.Rules, products []agent.Product) *memPlatform {
	p := &memPlatform{clock: clock, pub: pub, rules: rules,
		products: map[string]agent.Product{}, opaque: map[string]agent.ConsumerClaims{},
		sns: map[string]agent.SNStatus{}, vouchers: map[string]string{}, frozen: map[string]string{},
		tries: map[string]agent.VoucherFrozen{}}
	for _, pr := range products {
		p.products[pr.Barcode] = pr
	}
	return p
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
	st, ok := p.sns[sn]
	if !ok {
		return agent.SNNotFound, nil
	}
	return st, nil
}

func (p *memPlatform) TryVoucher(ctx context.Context, t agent.VoucherTry) (agent.VoucherFrozen, error) {
	p.mu.Lock()
	entered, gate := p.entered, p.gate
	p.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return agent.VoucherFrozen{}, agent.ErrPlatformDown
	}
	if prev, ok := p.tries[t.RequestNo]; ok {
		return prev, nil
	}
	now := p.clock.Now()
	var c agent.ConsumerClaims
	if agent.IsSignedCodeFormat(t.AuthCode) {
		var err error
		if c, err = agent.VerifyConsumerCode(t.AuthCode, p.pub, now); err != nil {
			return agent.VoucherFrozen{}, err
		}
	} else {
		var ok bool
		if c, ok = p.opaque[t.AuthCode]; !ok {
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherNotFound, "unknown code")
		}
		if now.Unix() >= c.Exp {
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherExpired, "expired")
		}
	}
	if err := agent.CheckClaims(c, t.Category, t.CountyCode); err != nil {
		return agent.VoucherFrozen{}, err
	}
	if p.vouchers[c.VID] != "" {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeVoucherUsed, "voucher %s is %s", c.VID, p.vouchers[c.VID])
	}
	pr, ok := p.products[t.Barcode]
	if !ok {
		return agent.VoucherFrozen{}, agent.Errorf(agent.CodeProductNotFound, "barcode %s", t.Barcode)
	}
	rule, _ := p.rules.Rule(pr.Category)
	if rule.SNRequired || pr.SNRequired {
		switch p.sns[t.SN] {
		case agent.SNSellable:
		case agent.SNUsed:
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeSNUsed, "sn used")
		default:
			return agent.VoucherFrozen{}, agent.Errorf(agent.CodeSNNotFound, "sn unknown")
		}
	}
	res, err := agent.ComputeSubsidy(rule, pr, t.AmountFen)
	if err != nil {
		return agent.VoucherFrozen{}, err
	}
	p.seq++
	disc := res.SubsidyFen + p.discountDelta
	fr := agent.VoucherFrozen{
		FrozenNo:       fmt.Sprintf("FZ%06d", p.seq),
		VoucherID:      c.VID,
		MaskedConsumer: "王*",
		CRef:           c.CRef,
		DiscountFen:    disc,
		PayFen:         t.AmountFen - disc,
		FrozenUntil:    now.Add(15 * time.Minute),
	}
	p.vouchers[c.VID] = "FROZEN"
	p.frozen[fr.FrozenNo] = c.VID
	p.tries[t.RequestNo] = fr
	return fr, nil
}

// deliver plays sync/: it sends every due outbox item to the platform in
// order and completes it in the store.
func (p *memPlatform) deliver(t *testing.T, st *store.Store) int {
	t.Helper()
	ctx := context.Background()
	items, err := st.DueOutbox(ctx, p.clock.Now(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		p.apply(t, it)
		if err := st.CompleteOutbox(ctx, it.Seq, nil, agent.AuditEntry{At: p.clock.Now(), Actor: "system", Action: "sync.done", Subject: it.OrderNo}); err != nil {
			t.Fatal(err)
		}
	}
	return len(items)
}

func (p *memPlatform) apply(t *testing.T, it agent.OutboxItem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if it.Kind == agent.OutboxPickup {
		return
	}
	var s agent.Sale
	if err := json.Unmarshal(it.Payload, &s); err != nil {
		t.Fatalf("outbox payload: %v", err)
	}
	switch it.Kind {
	case agent.OutboxSaleCommit:
		p.vouchers[p.frozen[s.FrozenNo]] = "USED"
		if s.SN != "" {
			p.sns[s.SN] = agent.SNUsed
		}
	case agent.OutboxSaleOffline:
		p.vouchers[s.Consumer.VoucherID] = "USED"
		if s.SN != "" {
			p.sns[s.SN] = agent.SNUsed
		}
	case agent.OutboxCancel:
		delete(p.vouchers, p.frozen[s.FrozenNo])
	case agent.OutboxRefund:
		if s.SN != "" {
			p.sns[s.SN] = agent.SNSellable
		}
	}
}

// memPrinter is an in-memory spooler: it keeps the receipts it was given.
type memPrinter struct {
	mu       sync.Mutex
	receipts []agent.Receipt
	fail     bool // PrintReceipt fails (spooler storage broken)
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

func (m *memPrinter) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.receipts)
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
		Category: agent.CatTV, EnergyGrade: 2, FiledPriceFen: agent.Yuan(15000), Status: agent.ProductActive}
)

const storeCounty = "110105" // 北京市朝阳区

// fixture is a terminal on a real store with a fake platform and printer.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	clock    *fakeClock
	store    *store.Store
	platform *memPlatform
	printer  *memPrinter
	term     *agent.Terminal
	priv     ed25519.PrivateKey
	photos   string
	vseq     int
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

type fixtureOpt func(*agent.Rules)

func newFixture(t testing.TB, opts ...fixtureOpt) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &fakeClock{now: time.Date(2026, 3, 10, 10, 0, 0, 0, agent.ChinaTime)}
	dir := t.TempDir()
	f := &fixture{t: t, ctx: ctx, clock: clk, printer: &memPrinter{}, photos: filepath.Join(dir, "photos")}
	// The store logs into the same captured buffer as the terminal: its
	// lines are checked for personal data too, and never split a
	// benchmark's result line on stdout.
	logger := slog.New(slog.NewTextHandler(&f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := store.Open(ctx, filepath.Join(dir, "terminal.db"), store.Options{AllowPlaintextForTests: true, Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := agent.DefaultRules()
	for _, o := range opts {
		o(&rules)
	}
	if err := st.SaveRules(ctx, rules); err != nil {
		t.Fatal(err)
	}
	products := []agent.Product{fridge, washer3, phone, ebike, tv}
	if err := st.StageLibraryPage(ctx, 0, 7, products, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.CommitLibrary(ctx, 7); err != nil {
		t.Fatal(err)
	}
	seedStaff(t, st, clk,
		agent.Staff{ID: "C1", Name: "张三", Role: agent.RoleClerk},
		agent.Staff{ID: "R1", Name: "李四", Role: agent.RoleRecycler},
		agent.Staff{ID: "M1", Name: "王五", Role: agent.RoleManager},
		agent.Staff{ID: "F1", Name: "赵六", Role: agent.RoleSupport},
	)
	f.store, f.priv = st, priv
	f.platform = newMemPlatform(clk, pub, rules, products)
	f.term, err = agent.NewTerminal(agent.Deps{
		Store: st, Outbox: st, Library: st, Platform: f.platform, Printer: f.printer, Clock: clk,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: storeCounty},
		PlatformKey: pub, VerifyURLBase: "https://verify.example/r/", PhotosDir: f.photos,
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var hashCache sync.Map

// mustHash hashes a PIN once per test binary (argon2id is deliberately slow).
func mustHash(t testing.TB, pin string) string {
	if h, ok := hashCache.Load(pin); ok {
		return h.(string)
	}
	h, err := agent.HashPIN(pin)
	if err != nil {
		t.Fatal(err)
	}
	hashCache.Store(pin, h)
	return h
}

// code issues a signed consumer code for a new voucher of category cat.
func (f *fixture) code(cat agent.Category, mod ...func(*agent.ConsumerClaims)) string {
	f.t.Helper()
	f.vseq++
	now := f.clock.Now()
	c := agent.ConsumerClaims{VID: fmt.Sprintf("V%04d", f.vseq), Cat: cat, Reg: "110000",
		Iat: now.Unix(), Exp: now.Add(30 * 24 * time.Hour).Unix(), CRef: fmt.Sprintf("CR%04d", f.vseq)}
	for _, m := range mod {
		m(&c)
	}
	s, err := agent.SignConsumerCode(c, f.priv)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// opaqueCode registers an opaque code with the platform.
func (f *fixture) opaqueCode(cat agent.Category) string {
	f.vseq++
	code := fmt.Sprintf("OPQ-%08d", f.vseq)
	f.platform.mu.Lock()
	f.platform.opaque[code] = agent.ConsumerClaims{VID: fmt.Sprintf("V%04d", f.vseq), Cat: cat, Reg: "110000",
		Exp: f.clock.Now().Add(time.Hour).Unix(), CRef: fmt.Sprintf("CR%04d", f.vseq)}
	f.platform.mu.Unlock()
	return code
}

func (f *fixture) sellableSN(sn string) string {
	f.platform.mu.Lock()
	f.platform.sns[sn] = agent.SNSellable
	f.platform.mu.Unlock()
	return sn
}

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

func ed25519GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(nil)
}

// openBareStore opens an empty store: no rules, no library, no staff.
func openBareStore(t *testing.T, clk agent.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bare.db"), store.Options{AllowPlaintextForTests: true, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seedStaff saves staff with PIN 1234.
func seedStaff(t testing.TB, st *store.Store, clk agent.Clock, staff ...agent.Staff) {
	t.Helper()
	for _, s := range staff {
		s.PINHash = mustHash(t, "1234")
		s.Active = true
		if err := st.SaveStaff(context.Background(), s, agent.AuditEntry{At: clk.Now(), Actor: "system", Action: "staff.seed", Subject: s.ID}); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(dir, name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
