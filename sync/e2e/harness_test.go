package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/agent/store"
	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/sync/api"
	"tradein/sync/client"
	"tradein/sync/outbox"
)

// quiet is the logger of everything under test: the tests check outcomes,
// and thousands of injected faults would drown the output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testKey is the field-cipher key of the terminal stores in these tests.
var testKey = []byte("e2e-test-key-0123456789abcdefghi")

// platform is a platform-sim served on 127.0.0.1.
type platform struct {
	srv    *sim.Server
	url    string
	dbPath string
	// chaos, when set, is applied around the simulator's own handler (see
	// chaosHandler): faults the simulator cannot inject itself, such as an
	// answer lost after the platform already applied the request.
	chaos atomic.Pointer[chaos]
}

// startPlatform serves a simulator with its database at dbPath (created and
// seeded when absent) on a loopback port until the test ends.
func startPlatform(t testing.TB, dbPath string, cfg sim.Config) *platform {
	t.Helper()
	cfg.DBPath = dbPath
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	srv := simtest.Open(t, cfg)
	p := &platform{srv: srv, dbPath: dbPath}
	p.url = simtest.Serve(t, p.chaosHandler(srv.Handler()))
	return p
}

// chaos is fault injection the simulator does not do: its own faults hit
// before a request is applied, so they never test idempotency. These hit
// after.
type chaos struct {
	// LostAnswerRate is the share of /v1/ requests that the platform
	// applies but whose answer never reaches the terminal (the connection
	// is reset instead).
	LostAnswerRate float64
	// MaxLatency adds a random delay in [0, MaxLatency) to each request.
	MaxLatency time.Duration
	// Rand, when set, is the source of the draws above (seeded by a soak so
	// it can be replayed); nil uses math/rand/v2's global source.
	Rand *lockedRand
}

// lockedRand is a seeded random source safe for concurrent use: the chaos
// handler draws from many request goroutines.
type lockedRand struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

// newLockedRand returns a source seeded with seed, on a PCG stream of its
// own so its draws are not those of the simulator's injector (same seed).
func newLockedRand(seed uint64) *lockedRand {
	return &lockedRand{rnd: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

func (r *lockedRand) float64() float64 {
	if r == nil {
		return rand.Float64()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rnd.Float64()
}

func (r *lockedRand) int64N(n int64) int64 {
	if r == nil {
		return rand.Int64N(n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rnd.Int64N(n)
}

// soakSeedEnv names the environment variable that replays a fault soak:
// every soak logs the seed it drew, and setting the variable to that seed
// makes the platform's fault injector and the chaos handler draw the same
// faults in the same order again, e.g.
//
//	TRADEIN_SOAK_SEED=1234 go test -run TestFaultSoakExactlyOnce ./sync/e2e
//
// Timing (latency, the order in which the drainer's requests reach the
// platform) is not replayed, so a replay follows the same fault sequence,
// not necessarily the same interleaving.
const soakSeedEnv = "TRADEIN_SOAK_SEED"

// soakSeed returns the seed of a fault soak, from soakSeedEnv when set or
// drawn at random, and logs it with the command that replays it.
func soakSeed(t testing.TB) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if v := os.Getenv(soakSeedEnv); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil || s == 0 {
			t.Fatalf("%s=%q: want a positive decimal seed", soakSeedEnv, v)
		}
		seed = s
	}
	for seed == 0 { // zero means "draw one" to the simulator
		seed = rand.Uint64()
	}
	t.Logf("fault seed %d; replay with %s=%d go test -run '^%s$' ./sync/e2e", seed, soakSeedEnv, seed, t.Name())
	return seed
}

func (p *platform) chaosHandler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := p.chaos.Load()
		if c == nil || len(r.URL.Path) < 4 || r.URL.Path[:4] != "/v1/" {
			next.ServeHTTP(w, r)
			return
		}
		if c.MaxLatency > 0 {
			time.Sleep(time.Duration(c.Rand.int64N(int64(c.MaxLatency))))
		}
		if c.LostAnswerRate > 0 && c.Rand.float64() < c.LostAnswerRate {
			next.ServeHTTP(discardWriter{h: http.Header{}}, r) // applied…
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close() // …but the answer is lost.
				return
			}
			panic(http.ErrAbortHandler)
		}
		next.ServeHTTP(w, r)
	})
}

// discardWriter swallows an answer.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// terminalCreds are an enrolled terminal's identity.
type terminalCreds struct {
	TerminalNo string `json:"terminal_no"`
	Secret     []byte `json:"secret"`
	County     string `json:"county"`
}

// enroll enrolls a new terminal (a fresh device fingerprint) on p.
func enroll(t testing.TB, p *platform) terminalCreds {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: p.url, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Enroll(context.Background(), sim.DemoEnrollmentCode, fmt.Sprintf("e2e-device-%d", rand.Int64()))
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	secret, err := res.Secret()
	if err != nil {
		t.Fatal(err)
	}
	return terminalCreds{TerminalNo: res.TerminalNo, Secret: secret, County: res.Store.CountyCode}
}

// clientOpts tunes newClient.
type clientOpts struct {
	clock       agent.Clock
	timeout     time.Duration
	maxAttempts int
}

// newClient returns a signed client for the terminal. The drainer owns
// retries in these tests, so the client tries once unless told otherwise.
func newClient(t testing.TB, p *platform, tc terminalCreds, o clientOpts) *client.Client {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	if o.maxAttempts == 0 {
		o.maxAttempts = 1
	}
	c, err := client.New(client.Config{BaseURL: p.url, TerminalNo: tc.TerminalNo, HMACSecret: tc.Secret,
		Timeout: o.timeout, MaxAttempts: o.maxAttempts, RetryBase: time.Millisecond, Clock: o.clock, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openStore opens the terminal's SQLite store at path.
func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := openStorePath(path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openStorePath(path string) (*store.Store, error) {
	ciph, err := agent.NewFieldCipher(testKey)
	if err != nil {
		return nil, err
	}
	return store.Open(context.Background(), path, store.Options{Cipher: ciph, Logger: quiet})
}

// fastRetry is the drainer's backoff in tests: the same policy code with
// millisecond delays, so a soak of thousands of faults takes seconds.
var fastRetry = backoff.Policy{Base: time.Millisecond, Max: 20 * time.Millisecond, Jitter: 0.5}

// newDrainer wires a drainer to the store and the client.
func newDrainer(t testing.TB, st *store.Store, c *client.Client, batch int) *outbox.Drainer {
	t.Helper()
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Retry: fastRetry, BatchSize: batch, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// drainAll drains until the outbox is empty, waiting out each backoff; it
// fails the test when the queue stops moving for stall.
func drainAll(t testing.TB, ctx context.Context, st *store.Store, d *outbox.Drainer, stall time.Duration) (delivered, refused int) {
	t.Helper()
	lastProgress := time.Now()
	failures := 0
	defer func() { t.Logf("drained: %d delivered, %d refused, %d failed passes", delivered, refused, failures) }()
	for {
		res, err := d.Drain(ctx)
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
		delivered += res.Delivered
		refused += res.Refused
		if res.LastErr != nil {
			failures++
		}
		if res.Delivered+res.Refused > 0 {
			lastProgress = time.Now()
		}
		if res.NextAttempt.IsZero() {
			items, err := st.OutboxItems(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				return delivered, refused
			}
		}
		if time.Since(lastProgress) > stall {
			t.Fatalf("outbox stalled for %s; last error: %v", stall, res.LastErr)
		}
		if wait := time.Until(res.NextAttempt); wait > 0 {
			time.Sleep(wait) // the drainer's own backoff (milliseconds in tests)
		}
	}
}

// saleKit is what a test needs to make sales the platform will accept.
type saleKit struct {
	tc       terminalCreds
	rules    agent.RuleSets
	products []agent.Product // digital products the vouchers can buy
}

// newSaleKit reads the platform's rules and library through the client.
func newSaleKit(t testing.TB, c *client.Client, tc terminalCreds) saleKit {
	t.Helper()
	ctx := context.Background()
	rules, err := c.Rules(ctx)
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	page, err := c.Products(ctx, 0, "", api.MaxPageLimit)
	if err != nil {
		t.Fatalf("products: %v", err)
	}
	k := saleKit{tc: tc, rules: rules}
	for _, p := range page.Items {
		if p.Category == agent.CatPhone && p.Status == agent.ProductActive {
			if _, rule, ok := rules.ForCategory(p.Category, tc.County, time.Now()); ok && (rule.PriceCeilingFen == 0 || p.FiledPriceFen <= rule.PriceCeilingFen) {
				k.products = append(k.products, p)
			}
		}
	}
	if len(k.products) == 0 {
		t.Fatal("the platform's library has no phone under the price ceiling")
	}
	return k
}

// offlineSale builds the i-th offline sale, as the workflow's offline path
// would have committed it: a verified signed code, a fresh SN, the subsidy
// by the shared calculator, state COMMITTED, and its SALE_OFFLINE outbox
// item carrying the sale as JSON.
func (k saleKit) offlineSale(t testing.TB, i int, v issuedVoucher, now time.Time) (agent.Sale, agent.OutboxItem) {
	t.Helper()
	p := k.products[i%len(k.products)]
	set, rule, _ := k.rules.ForCategory(p.Category, k.tc.County, now)
	// Prices vary by the fen so that the totals check every amount.
	price := p.FiledPriceFen - agent.Fen(i%997)*100 - agent.Fen(i%89)
	res, err := agent.ComputeSubsidy(rule, p, price)
	if err != nil {
		t.Fatalf("subsidy of sale %d: %v", i, err)
	}
	orderNo := fmt.Sprintf("E2E%s%06d", now.Format("150405"), i)
	s := agent.Sale{
		OrderNo:    orderNo,
		TerminalNo: k.tc.TerminalNo,
		StaffID:    "CLERK01",
		State:      agent.SaleCommitted,
		CreatedAt:  now,
		UpdatedAt:  now,
		Consumer: agent.Consumer{AuthCode: v.Code, VoucherID: v.VoucherID, CRef: v.CRef, Region: v.Region,
			Signed: true, Masked: "王*"},
		Product:       p,
		SN:            fmt.Sprintf("E2ESN%s%07d", now.Format("150405"), i),
		FinalPriceFen: price,
		SubsidyFen:    res.SubsidyFen,
		PayFen:        price - res.SubsidyFen,
		Offline:       true,
		RuleSetID:     set.ID,
		ConfirmedAt:   now,
		RequestNo:     "RQS" + orderNo,
		PaymentRef:    fmt.Sprintf("POS%08d", i),
	}
	payload, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	item := agent.OutboxItem{Kind: agent.OutboxSaleOffline, RequestNo: "RQO" + orderNo, OrderNo: orderNo,
		Payload: payload, CreatedAt: now, NextAttemptAt: now}
	return s, item
}

// queueOfflineSales commits n offline sales to the store, each with its
// outbox row in one transaction, and returns them.
func queueOfflineSales(t testing.TB, st *store.Store, k saleKit, vouchers []issuedVoucher, now time.Time) []agent.Sale {
	t.Helper()
	ctx := context.Background()
	sales := make([]agent.Sale, len(vouchers))
	for i, v := range vouchers {
		s, item := k.offlineSale(t, i, v, now)
		a := agent.AuditEntry{At: now, Actor: s.StaffID, Action: "sale.commit", Subject: s.OrderNo, Detail: "offline"}
		if err := st.SaveSale(ctx, s, a, item); err != nil {
			t.Fatalf("save sale %d: %v", i, err)
		}
		sales[i] = s
	}
	return sales
}

// totals are the amounts a reconciliation compares.
type totals struct {
	Sales                        int
	FinalFen, SubsidyFen, PayFen agent.Fen
}

func sumSales(sales []agent.Sale) totals {
	var t totals
	for _, s := range sales {
		t.Sales++
		t.FinalFen += s.FinalPriceFen
		t.SubsidyFen += s.SubsidyFen
		t.PayFen += s.PayFen
	}
	return t
}

// platformTotals sums the platform's day summaries over the China-time
// days the sales were made on.
func platformTotals(t testing.TB, c *client.Client, sales []agent.Sale) totals {
	t.Helper()
	days := map[string]bool{}
	for _, s := range sales {
		days[s.CreatedAt.In(agent.ChinaTime).Format(api.DateLayout)] = true
	}
	days[time.Now().In(agent.ChinaTime).Format(api.DateLayout)] = true
	var tot totals
	for day := range days {
		sum, err := c.DaySummary(context.Background(), day)
		if err != nil {
			t.Fatalf("day summary %s: %v", day, err)
		}
		tot.Sales += sum.Sales
		tot.FinalFen += sum.FinalPriceFen
		tot.SubsidyFen += sum.SubsidyFen
		tot.PayFen += sum.PayFen
	}
	return tot
}

// assertExactlyOnce checks that every sale reached the platform once: the
// outbox is empty, every sale is still COMMITTED (none refused), and the
// platform's counts and amounts equal the terminal's to the fen.
func assertExactlyOnce(t testing.TB, st *store.Store, c *client.Client, sales []agent.Sale) {
	t.Helper()
	ctx := context.Background()
	pend, err := st.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pend.Items != 0 {
		t.Fatalf("outbox still holds %d items", pend.Items)
	}
	for _, s := range sales {
		got, err := st.Sale(ctx, s.OrderNo)
		if err != nil {
			t.Fatalf("sale %s: %v", s.OrderNo, err)
		}
		if got.State != agent.SaleCommitted {
			t.Fatalf("sale %s is %s (%s %s), want COMMITTED", s.OrderNo, got.State, got.RejectCode, got.RejectReason)
		}
	}
	want := sumSales(sales)
	got := platformTotals(t, c, sales)
	if got != want {
		t.Fatalf("platform totals %+v, terminal totals %+v", got, want)
	}
	t.Logf("reconciled: %d sales, final %s, subsidy %s, paid %s", got.Sales, got.FinalFen, got.SubsidyFen, got.PayFen)
}

func mustTempPath(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }
