package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/sync/outbox"
)

var quiet = slog.New(slog.DiscardHandler)

// Personal data the prepared sales carry: none of it may leave the shop.
const (
	testAuthCode = "TIQ1.eyJ2aWQiOiJWLVNFQ1JFVC0wMDEiLCJjcmVmIjoiQ1JFRi0xIn0.c2lnbmF0dXJlLXNlY3JldA"
	testPhone    = "13812345678"
	testIDNumber = "110105199001011234"
)

// testNow is the clock of every command in the tests. It is the real time
// at start: platform-sim checks the signed requests' timestamps against
// its own clock (±300 s), and doctor's signature check must pass.
var testNow = time.Now().UTC().Truncate(time.Second)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// template is a data directory the app prepared once for the package:
// enrolled at a platform-sim on 127.0.0.1, demo staff, rules and library
// synced, then sales and outbox rows added through the store. Each test
// copies it (copyTemplate), so tests never share files.
var template struct {
	once        sync.Once
	dir         string
	platformURL string
	err         error
}

// platform-sim for the whole package; stopped by TestMain. simHandler
// serves it (the TLS test serves it over HTTPS too).
var (
	simStop    func()
	simHandler http.Handler
)

func TestMain(m *testing.M) {
	code := m.Run()
	if simStop != nil {
		simStop()
	}
	if template.dir != "" {
		os.RemoveAll(filepath.Dir(template.dir))
	}
	os.Exit(code)
}

func startPlatform(root string) (string, error) {
	srv, err := sim.Open(context.Background(), sim.Config{DBPath: filepath.Join(root, "platform.db"), Logger: quiet})
	if err != nil {
		return "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", err
	}
	simHandler = srv.Handler()
	hs := &http.Server{Handler: simHandler, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	simStop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		srv.Close()
	}
	return "http://" + l.Addr().String(), nil
}

func buildTemplate() (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	root, err := os.MkdirTemp("", "terminalctl-test-*")
	if err != nil {
		return "", "", err
	}
	url, err := startPlatform(root)
	if err != nil {
		return "", "", err
	}
	dir := filepath.Join(root, "data")
	a, err := wiring.New(ctx, wiring.Options{DataDir: dir, PlatformURL: url, EnrollCode: sim.DemoEnrollmentCode,
		Fingerprint: "fp-terminalctl-test", PortLister: noPorts})
	if err != nil {
		return "", "", fmt.Errorf("wiring.New: %w", err)
	}
	err = wiring.Provision(ctx, a, io.Discard, wiring.Setup{SeedDemoStaff: true, Sync: true})
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("provision: %w", err)
	}
	if err := addSales(ctx, dir); err != nil {
		return "", "", fmt.Errorf("add sales: %w", err)
	}
	// A log line as a careless driver might write it: the bundle must
	// still not carry the personal data.
	logLine := fmt.Sprintf(`{"time":"2026-03-02T09:00:00Z","level":"WARN","msg":"leak test","phone":"%s","id":"%s","code":"%s"}`+"\n",
		testPhone, testIDNumber, testAuthCode)
	f, err := os.OpenFile(filepath.Join(dir, "logs", "terminal.log"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return "", "", err
	}
	f.WriteString(logLine)
	f.Close()
	return dir, url, nil
}

// addSales adds four sales through the store, as the agent would: two
// offline (SALE_OFFLINE), two online (SALE_COMMIT), one of which the
// platform already confirmed (a sync.delivered audit entry).
func addSales(ctx context.Context, dir string) error {
	l := wiring.NewLayout(dir)
	key, err := agent.LoadOrCreateKey(l.FieldKey)
	if err != nil {
		return err
	}
	ci, err := agent.NewFieldCipher(key)
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, l.DB, store.Options{Cipher: ci, Logger: quiet, BackupDir: l.Backups,
		Clock: fixedClock{testNow.Add(-3 * time.Hour)}})
	if err != nil {
		return err
	}
	defer s.Close()
	for i := 1; i <= 4; i++ {
		sale := testSale(i, testNow.Add(-time.Duration(5-i)*time.Hour))
		kind := agent.OutboxSaleCommit
		if i <= 2 {
			kind, sale.Offline = agent.OutboxSaleOffline, true
		}
		b, err := json.Marshal(sale)
		if err != nil {
			return err
		}
		it := agent.OutboxItem{Kind: kind, RequestNo: sale.RequestNo, OrderNo: sale.OrderNo, Payload: b, CreatedAt: sale.CreatedAt,
			NextAttemptAt: sale.CreatedAt}
		if err := s.SaveSale(ctx, sale, agent.AuditEntry{At: sale.CreatedAt, Actor: "1001", Action: "sale.commit",
			Subject: sale.OrderNo}, it); err != nil {
			return err
		}
	}
	items, err := s.OutboxItems(ctx, 0)
	if err != nil {
		return err
	}
	last := items[len(items)-1]
	if err := s.CompleteOutbox(ctx, last.Seq, nil, agent.AuditEntry{At: testNow.Add(-30 * time.Minute), Actor: "system",
		Action: outbox.ActionDelivered, Subject: last.OrderNo}); err != nil {
		return err
	}
	// One failed delivery, as the drainer records it.
	return s.RetryOutbox(ctx, items[0].Seq, testNow.Add(10*time.Minute), "PLATFORM_UNREACHABLE: connection refused")
}

func testSale(i int, at time.Time) agent.Sale {
	return agent.Sale{
		OrderNo: fmt.Sprintf("O-T0001-%06d", i), TerminalNo: "T0001", StaffID: "1001",
		State: agent.SaleCommitted, CreatedAt: at, UpdatedAt: at,
		Consumer: agent.Consumer{AuthCode: testAuthCode, VoucherID: fmt.Sprintf("V-%06d", i), CRef: "CREF-1",
			Region: "110105", Signed: true, Masked: "138****5678", Phone: testPhone},
		Product: agent.Product{Barcode: "6934177393365", Name: "手机", Brand: "华为", Model: "P70",
			Category: agent.CatPhone, EnergyGrade: 1, FiledPriceFen: agent.Yuan(4499), Status: agent.ProductActive},
		SN: fmt.Sprintf("SN%08d", i), FinalPriceFen: agent.Yuan(4499), SubsidyFen: agent.Yuan(500),
		PayFen: agent.Yuan(3999), RequestNo: fmt.Sprintf("R-T0001-%06d", i), PaymentRef: fmt.Sprintf("PAY-%06d", i),
	}
}

// noPorts is a port lister that finds no ports.
func noPorts() ([]*enumerator.PortDetails, error) { return nil, nil }

// usbPorts lists a scanner and a printer adapter.
func usbPorts() ([]*enumerator.PortDetails, error) {
	return []*enumerator.PortDetails{
		{Name: "/dev/ttyUSB0", IsUSB: true, VID: "1A86", PID: "7523", Product: "USB Serial"},
		{Name: "/dev/ttyACM0", IsUSB: true, VID: "0483", PID: "5740", Product: "Printer"},
	}, nil
}

// newDataDir returns a private copy of the template data directory.
func newDataDir(t *testing.T) string {
	t.Helper()
	template.once.Do(func() { template.dir, template.platformURL, template.err = buildTemplate() })
	if template.err != nil {
		t.Fatalf("prepare the data directory: %v", template.err)
	}
	dst := filepath.Join(t.TempDir(), "data")
	err := filepath.WalkDir(template.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(template.dir, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if d.Name() == "terminal.lock" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, _ := d.Info()
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// result is one terminalctl run.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs terminalctl on dir with args and stdin, at testNow.
func run(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	return runAt(t, testNow, dir, stdin, args...)
}

// runAt is run with the clock at now.
func runAt(t *testing.T, now time.Time, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, append([]string{"--data-dir", dir}, args...), Env{Stdin: strings.NewReader(stdin),
		Stdout: &out, Stderr: &errb, Clock: fixedClock{now}, PortLister: noPorts})
	return result{code, out.String(), errb.String()}
}

// mustContain fails when r's output lacks any of the texts.
func mustContain(t *testing.T, r result, texts ...string) {
	t.Helper()
	all := r.stdout + r.stderr
	for _, s := range texts {
		if !strings.Contains(all, s) {
			t.Errorf("output lacks %q\n%s", s, r)
		}
	}
}
