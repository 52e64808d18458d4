package client_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/client"
)

// countingTransport counts round trips (attempts).
type countingTransport struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestTimeoutsResetsAndRetries(t *testing.T) {
	e := startEnv(t, client.Config{})
	counter := &countingTransport{base: http.DefaultTransport}
	c, err := client.New(client.Config{BaseURL: e.url, Clock: e.clock, Timeout: 150 * time.Millisecond,
		MaxAttempts: 2, RetryBase: time.Millisecond, Transport: counter})
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := e.enr.Secret()
	c = c.WithCredentials(e.enr.TerminalNo, secret)

	// A hung platform: each attempt times out, then ErrPlatformDown.
	e.srv.SetFaults(sim.Faults{TimeoutRate: 1, HangMS: 5000})
	_, err = c.Rules(ctx)
	if !errors.Is(err, agent.ErrPlatformDown) || counter.n.Load() != 2 {
		t.Fatalf("hung platform: %v after %d attempts; want ErrPlatformDown after 2", err, counter.n.Load())
	}

	// Connection resets: retried, then ErrPlatformDown.
	counter.n.Store(0)
	e.srv.SetFaults(sim.Faults{ResetRate: 1})
	_, err = c.QuerySN(ctx, "SN123456")
	if !errors.Is(err, agent.ErrPlatformDown) || counter.n.Load() != 2 {
		t.Fatalf("resets: %v after %d attempts; want ErrPlatformDown after 2", err, counter.n.Load())
	}

	// 429 is not retried by the client.
	counter.n.Store(0)
	e.srv.SetFaults(sim.Faults{RateLimitRate: 1})
	if _, err = c.Rules(ctx); !errors.Is(err, &agent.Error{Code: agent.CodeRateLimited}) || counter.n.Load() != 1 {
		t.Fatalf("429: %v after %d attempts; want RATE_LIMITED after 1", err, counter.n.Load())
	}

	// Business refusals are not retried either.
	counter.n.Store(0)
	e.srv.SetFaults(sim.Faults{})
	if _, err = e.try(c, "NO-SUCH-CODE", mate70, "SN123456", agent.Yuan(100)); counter.n.Load() != 1 {
		t.Fatalf("refusal: %v after %d attempts; want 1", err, counter.n.Load())
	}

	// Latency under the timeout is just slow; faults limited to a path
	// leave the others alone.
	e.srv.SetFaults(sim.Faults{LatencyMS: 20, ErrorRate: 1, PathPrefix: "/v1/vouchers/"})
	if _, err := c.Rules(ctx); err != nil {
		t.Fatalf("rules with vouchers-only faults: %v", err)
	}
	if _, err := e.try(c, e.code(agent.CatPhone).Code, mate70, uniq("SN"), agent.Yuan(100)); !errors.Is(err, agent.ErrPlatformDown) {
		t.Fatalf("try with vouchers faults: %v", err)
	}
	e.srv.SetFaults(sim.Faults{})

	// A cancelled context ends the call at once, as context.Canceled, and
	// is not the platform's fault.
	e.srv.SetFaults(sim.Faults{TimeoutRate: 1, HangMS: 5000})
	cctx, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	slow, _ := client.New(client.Config{BaseURL: e.url, Clock: e.clock, Timeout: 10 * time.Second, RetryBase: time.Millisecond})
	slow = slow.WithCredentials(e.enr.TerminalNo, secret)
	_, err = slow.Rules(cctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, agent.ErrPlatformDown) {
		t.Fatalf("cancelled call: %v; want context.Canceled", err)
	}
	e.srv.SetFaults(sim.Faults{})
}

// TestPinnedCA serves HTTPS with a generated CA: a client pinning that CA
// connects; one pinning another CA refuses the platform.
func TestPinnedCA(t *testing.T) {
	dir := t.TempDir()
	files, err := sim.EnsureTLS(filepath.Join(dir, "platform"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	otherCA, err := sim.EnsureTLS(filepath.Join(dir, "other"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, url := startTLS(t, files)
	caPEM, _ := os.ReadFile(files.CAFile)
	good, err := client.New(client.Config{BaseURL: url, CAPEM: caPEM})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(good.CloseIdleConnections) // runs before the server stops
	if err := good.Health(ctx); err != nil {
		t.Fatalf("pinned CA: %v", err)
	}
	if _, err := good.Enroll(ctx, sim.DemoEnrollmentCode, "tls-device"); err != nil {
		t.Fatalf("enroll over TLS: %v", err)
	}
	wrongPEM, _ := os.ReadFile(otherCA.CAFile)
	bad, _ := client.New(client.Config{BaseURL: url, CAPEM: wrongPEM, MaxAttempts: 1})
	if err := bad.Health(ctx); !errors.Is(err, agent.ErrPlatformDown) {
		t.Fatalf("wrong pinned CA: %v; want ErrPlatformDown (certificate refused)", err)
	}
	system, _ := client.New(client.Config{BaseURL: url, MaxAttempts: 1})
	if err := system.Health(ctx); err == nil {
		t.Fatal("system roots accepted the private CA's certificate")
	}
	if _, err := client.New(client.Config{BaseURL: url, CAPEM: []byte("not a certificate")}); err == nil {
		t.Fatal("garbage CA PEM accepted")
	}
}
