package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/sync/api"
	"tradein/sync/api/apitest"
	"tradein/sync/client"
	"tradein/sync/refresh"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// lockedBuffer collects a child process's output for the failure message.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startPrism serves a Prism mock of api.Spec (the embedded openapi.yaml,
// nothing else) on a free port of 127.0.0.1 until the test ends and
// returns its base URL. --errors makes the mock refuse a request that
// breaks the spec (422) instead of only logging it, so the client's
// requests are checked too.
func startPrism(t *testing.T) string {
	t.Helper()
	npx := apitest.NPX(t, "the Prism mock test")
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, api.Spec, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	var out lockedBuffer
	cmd := exec.Command(npx, "--yes", apitest.PrismCLI, "mock", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--errors", spec)
	cmd.Env = apitest.NPMEnv()
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group: npx starts node, which starts Prism; the
	// cleanup ends the whole group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", apitest.PrismCLI, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	// Wait until the mock answers. The first run downloads Prism into the
	// npm cache (about 40 s); later runs start in a few seconds.
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(4 * time.Minute)
	for {
		resp, err := http.Get(base + "/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited before serving (%v):\n%s", apitest.PrismCLI, err, out.String())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not serve within 4 minutes:\n%s", apitest.PrismCLI, out.String())
		}
	}
}

// specExample returns the data of the operation's example answer name
// (the first in the file, which is the one Prism serves), decoded into a
// value of type T.
func specExample[T any](t *testing.T, path, method, name string) T {
	t.Helper()
	doc, err := apitest.SpecDocument()
	if err != nil {
		t.Fatal(err)
	}
	get := func(v any, k string) any { m, _ := v.(map[string]any); return m[k] }
	media := get(get(get(get(get(get(doc["paths"], path), method), "responses"), "200"), "content"), "application/json")
	data := get(get(get(get(media, "examples"), name), "value"), "data")
	if data == nil {
		t.Fatalf("no example %s of %s %s", name, method, path)
	}
	raw, _ := json.Marshal(data)
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("example %s of %s %s: %v", name, method, path, err)
	}
	return out
}

// TestPrismMockEnrollAndSync: a mock that Prism builds from openapi.yaml
// alone is enough for the terminal: the client enrolls (secret and
// platform key decode), the refresher caches the example rules and
// commits the example library, and every other call of the contract gets
// an answer the client accepts. Every answer is also checked against the
// spec by apitest, and the mock checks every request (--errors).
func TestPrismMockEnrollAndSync(t *testing.T) {
	ctx := context.Background()
	base := startPrism(t)
	val, err := apitest.Load()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{BaseURL: base, MaxAttempts: 1, Logger: quiet,
		Transport: val.Transport(nil, func(err error) { t.Errorf("mock answer breaks the spec: %v", err) })})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)

	enr, err := c.Enroll(ctx, "DEMO-ENROLL-0001", "machine-id:prism-test")
	if err != nil {
		t.Fatalf("enroll against the mock: %v", err)
	}
	secret, err := enr.Secret()
	if err != nil || len(secret) != 32 {
		t.Fatalf("hmac_secret %q: %d bytes, %v; want 32 bytes", enr.HMACSecret, len(secret), err)
	}
	if _, err := enr.PublicKey(); err != nil {
		t.Fatalf("platform_public_key %q: %v", enr.PlatformPublicKey, err)
	}
	if err := agent.ValidateRegion(enr.Store.CountyCode); err != nil {
		t.Fatalf("store county %q: %v", enr.Store.CountyCode, err)
	}
	c = c.WithCredentials(enr.TerminalNo, secret)

	// Sync: rules and the whole library, through the refresher into a
	// real store.
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "terminal.db"), store.Options{AllowPlaintextForTests: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r, err := refresh.New(refresh.Config{Source: c, Library: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx); err != nil {
		t.Fatalf("refresh against the mock: %v", err)
	}
	wantRules := specExample[api.RulesResponse](t, "/v1/rules", "get", "national2026").RuleSets
	if err := wantRules.Validate(); err != nil {
		t.Fatalf("the spec's rules example is not valid: %v", err)
	}
	rules, err := st.Rules(ctx)
	if err != nil || rules.Versions() != wantRules.Versions() {
		t.Fatalf("cached rule sets %s, %v; want the example's %s", rules.Versions(), err, wantRules.Versions())
	}
	wantPage := specExample[api.ProductPage](t, "/v1/products", "get", "wholeDelta")
	if v, err := st.LibraryVersion(ctx); err != nil || v != wantPage.Version {
		t.Fatalf("library version %d, %v; want the example's %d", v, err, wantPage.Version)
	}
	for _, p := range wantPage.Items {
		if got, err := st.Product(ctx, p.Barcode); err != nil || got != p {
			t.Errorf("cached product %s = %+v, %v; want %+v", p.Barcode, got, err, p)
		}
	}

	// Every other call of the contract, with requests the mock accepts.
	now := time.Now()
	if err := c.Health(ctx); err != nil {
		t.Errorf("health: %v", err)
	}
	if _, err := c.QuerySNs(ctx, []string{"SN20260501A1", "860000000000001"}); err != nil {
		t.Errorf("SN query: %v", err)
	}
	mate := api.ProductRef{Barcode: "6941487485253", Category: agent.CatPhone, Brand: "Huawei", Model: "CLS-AL00"}
	fz, err := c.TryVoucher(ctx, agent.VoucherTry{RequestNo: "TRY-1", AuthCode: "DEMO-PHONE-01", Category: agent.CatPhone,
		CountyCode: enr.Store.CountyCode, Barcode: mate.Barcode, SN: "SN20260501A1", AmountFen: agent.Yuan(5999)})
	if err != nil || fz.FrozenNo == "" {
		t.Errorf("try: %+v, %v", fz, err)
	}
	amounts := api.Amounts{FinalPriceFen: agent.Yuan(5999), SubsidyFen: agent.Yuan(500), PayFen: agent.Yuan(5499)}
	if _, err := c.CommitVoucher(ctx, api.CommitRequest{RequestNo: "CMT-1", FrozenNo: "FZ1", OrderNo: "ORD-1", TransTime: now,
		Amounts: amounts, Product: mate, SN: "SN20260501A1", PaymentRef: "PAY-1"}); err != nil {
		t.Errorf("commit: %v", err)
	}
	if err := c.CancelVoucher(ctx, api.CancelRequest{RequestNo: "CNL-1", FrozenNo: "FZ2", Reason: "顾客放弃购买"}); err != nil {
		t.Errorf("cancel: %v", err)
	}
	if _, err := c.RefundVoucher(ctx, api.RefundRequest{RequestNo: "RFD-1", OrderNo: "ORD-1", RefundNo: "RF-1", Reason: "七天无理由退货"}); err != nil {
		t.Errorf("refund: %v", err)
	}
	if res, err := c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: "BAT-1", Items: []api.Transaction{{RequestNo: "OFF-1",
		OrderNo: "ORD-2", AuthCode: "DEMO-PHONE-02", TransTime: now, Amounts: amounts, Product: mate, SN: "SN20260501A2",
		PaymentRef: "PAY-2"}}}); err != nil || len(res.Items) != 1 {
		t.Errorf("transactions batch: %+v, %v", res, err)
	}
	if res, err := c.PickupsBatch(ctx, api.PickupBatch{RequestNo: "PKB-1", Items: []api.PickupItem{{RequestNo: "PKU-1", ID: "PK-1",
		TicketNo: "TI-1", OrderNo: "ORD-2", RecyclerID: "RC-1", Condition: "WORN", WeightGrams: 18500, CertificateNo: "CERT-1",
		At: now}}}); err != nil || len(res.Items) != 1 {
		t.Errorf("pickups batch: %+v, %v", res, err)
	}
	if _, err := c.DaySummary(ctx, now.In(agent.ChinaTime).Format(api.DateLayout)); err != nil {
		t.Errorf("day summary: %v", err)
	}

	// The mock checks requests: one that breaks the spec is refused (422,
	// not a platform envelope), so the calls above were checked, not
	// waved through. (A client without the answer validator: the 422 is
	// the mock's own, not in the spec.)
	plain, err := client.New(client.Config{BaseURL: base, MaxAttempts: 1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plain.CloseIdleConnections)
	if _, err := plain.WithCredentials(enr.TerminalNo, secret).QuerySNs(ctx, []string{"bad sn!"}); err == nil {
		t.Errorf("the mock accepted an SN query that breaks the spec; it does not check requests")
	}
}
