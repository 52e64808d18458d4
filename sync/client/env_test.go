package client_test

import (
	"context"
	"fmt"
	"log/slog"
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
	"tradein/agent/agenttest"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/api"
	"tradein/sync/api/apitest"
	"tradein/sync/client"
)

// testEnv is a platform-sim on a loopback listener and an enrolled client
// whose every answer is validated against openapi.yaml.
type testEnv struct {
	t   testing.TB
	srv *sim.Server
	url string
	// clock is shared by the platform and the client, so freeze expiry
	// and signature skew are tested without sleeping.
	clock *agenttest.Clock
	val   *apitest.Validator
	c     *client.Client
	enr   api.EnrollResponse
}

var validator = sync.OnceValues(apitest.Load)

func startEnv(t testing.TB, cfg client.Config) *testEnv {
	t.Helper()
	return startEnvAt(t, cfg, time.Date(2026, 5, 1, 10, 0, 0, 0, agent.ChinaTime))
}

// startEnvAt is startEnv with the shared clock standing at start.
func startEnvAt(t testing.TB, cfg client.Config, start time.Time) *testEnv {
	t.Helper()
	clock := agenttest.NewClock(start)
	srv, err := sim.Open(context.Background(), sim.Config{
		DBPath: filepath.Join(t.TempDir(), "platform.db"),
		Clock:  clock,
		Logger: testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l, nil) }()
	t.Cleanup(func() {
		// Connections the transport dialled but never used sit in the
		// server's "new" state, which Shutdown waits 5 s for: close them.
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
	})
	val, err := validator()
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, srv: srv, url: "http://" + l.Addr().String(), clock: clock, val: val}
	e.c = e.newClient(cfg)
	e.enr, err = e.c.Enroll(context.Background(), sim.DemoEnrollmentCode, "fingerprint-"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	secret, err := e.enr.Secret()
	if err != nil {
		t.Fatal(err)
	}
	e.c = e.c.WithCredentials(e.enr.TerminalNo, secret)
	return e
}

// newClient returns an unenrolled client whose answers are validated.
func (e *testEnv) newClient(cfg client.Config) *client.Client {
	e.t.Helper()
	cfg.BaseURL = e.url
	cfg.Clock = e.clock
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 5 * time.Millisecond
	}
	cfg.Transport = e.val.Transport(nil, func(err error) { e.t.Errorf("contract violation: %v", err) })
	c, err := client.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// enrollAnother enrolls a second terminal of the demo store.
func (e *testEnv) enrollAnother(name string) *client.Client {
	e.t.Helper()
	c := e.newClient(client.Config{})
	enr, err := c.Enroll(context.Background(), sim.DemoEnrollmentCode, "fingerprint-"+name)
	if err != nil {
		e.t.Fatal(err)
	}
	secret, _ := enr.Secret()
	return c.WithCredentials(enr.TerminalNo, secret)
}

// code issues a new consumer's signed code for cat in Beijing.
func (e *testEnv) code(cat agent.Category) sim.DemoCode {
	e.t.Helper()
	d, err := e.srv.IssueCode(context.Background(), sim.CodeRequest{Category: cat})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

var seq atomic.Int64

// uniq returns a fresh identifier with prefix (request numbers, orders, SNs).
func uniq(prefix string) string { return prefix + strconv.FormatInt(seq.Add(1)+1000000, 10) }

// Demo library products used by the tests (see sim/products_seed.go).
var (
	mate70 = product("6941487", "CLS-AL00") // phone, filed 5,999
	tvHis  = product("6921165", "65E7N-PRO")
)

// product finds a seeded product by brand prefix and model.
func product(prefix, model string) agent.Product {
	for _, p := range sim.DemoProducts() {
		if p.Model == model && p.Barcode[:7] == prefix {
			return p
		}
	}
	panic(fmt.Sprintf("no demo product %s %s", prefix, model))
}

func productByModel(model string) agent.Product {
	for _, p := range sim.DemoProducts() {
		if p.Model == model {
			return p
		}
	}
	panic("no demo product " + model)
}

func ref(p agent.Product) api.ProductRef {
	return api.ProductRef{Barcode: p.Barcode, Category: p.Category, Brand: p.Brand, Model: p.Model, EnergyGrade: p.EnergyGrade}
}

func (e *testEnv) try(c *client.Client, code string, p agent.Product, sn string, price agent.Fen) (agent.VoucherFrozen, error) {
	return c.TryVoucher(context.Background(), agent.VoucherTry{RequestNo: uniq("TRY"), AuthCode: code, Category: p.Category,
		CountyCode: sim.DemoCounty, Barcode: p.Barcode, SN: sn, AmountFen: price})
}

func commitReq(f agent.VoucherFrozen, p agent.Product, sn string, price agent.Fen, at time.Time) api.CommitRequest {
	return api.CommitRequest{RequestNo: uniq("CMT"), FrozenNo: f.FrozenNo, OrderNo: uniq("ORD"), TransTime: at,
		Amounts: api.Amounts{FinalPriceFen: price, SubsidyFen: f.DiscountFen, PayFen: price - f.DiscountFen},
		Product: ref(p), SN: sn, PaymentRef: uniq("PAY")}
}

// sell runs try and commit; it fails the test on any error.
func (e *testEnv) sell(c *client.Client, code string, p agent.Product, sn string, price agent.Fen) (agent.VoucherFrozen, api.CommitRequest, api.CommitResponse) {
	e.t.Helper()
	f, err := e.try(c, code, p, sn, price)
	if err != nil {
		e.t.Fatalf("try: %v", err)
	}
	req := commitReq(f, p, sn, price, e.clock.Now())
	resp, err := c.CommitVoucher(context.Background(), req)
	if err != nil {
		e.t.Fatalf("commit: %v", err)
	}
	return f, req, resp
}

// startTLS serves a fresh platform over HTTPS with files.
func startTLS(t testing.TB, files sim.TLSFiles) (*sim.Server, string) {
	t.Helper()
	srv, err := sim.Open(context.Background(), sim.Config{DBPath: filepath.Join(t.TempDir(), "platform.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l, &files) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	return srv, "https://" + l.Addr().String()
}

func testLogger() *slog.Logger {
	if os.Getenv("SIM_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}
