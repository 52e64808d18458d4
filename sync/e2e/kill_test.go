package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/sync/client"
	"tradein/sync/outbox"
)

// drainChildEnv carries the child's job (a JSON drainChildJob) when the
// test binary is re-executed as a draining terminal process.
const drainChildEnv = "TRADEIN_E2E_DRAIN_CHILD"

// drainChildJob is what a child drains and where.
type drainChildJob struct {
	StorePath string        `json:"store_path"`
	URL       string        `json:"url"`
	Creds     terminalCreds `json:"creds"`
	BatchSize int           `json:"batch_size"`
}

// TestMain runs a child when the test binary is re-executed as one (the
// draining terminal of TestSIGKILLWhileDrainingExactlyOnce, the syncing
// terminal of BenchmarkLibrarySync1M); otherwise the tests.
func TestMain(m *testing.M) {
	if job := os.Getenv(drainChildEnv); job != "" {
		if err := runDrainChild(job); err != nil {
			fmt.Fprintln(os.Stderr, "drain child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if job := os.Getenv(libSyncChildEnv); job != "" {
		if err := runLibSyncChild(job); err != nil {
			fmt.Fprintln(os.Stderr, "library sync child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runDrainChild is the terminal process of the kill test: it opens the
// store, drains the outbox to the platform until it is empty, and exits.
// The parent SIGKILLs it at random moments.
func runDrainChild(jobJSON string) error {
	var job drainChildJob
	if err := json.Unmarshal([]byte(jobJSON), &job); err != nil {
		return err
	}
	st, err := openStorePath(job.StorePath)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := client.New(client.Config{BaseURL: job.URL, TerminalNo: job.Creds.TerminalNo, HMACSecret: job.Creds.Secret,
		Timeout: 5 * time.Second, MaxAttempts: 1, Logger: quiet})
	if err != nil {
		return err
	}
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Retry: fastRetry, BatchSize: job.BatchSize, Logger: quiet})
	if err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	delivered := 0
	for {
		res, err := d.Drain(ctx)
		if err != nil {
			return err
		}
		delivered += res.Delivered
		if res.NextAttempt.IsZero() {
			break
		}
		time.Sleep(time.Until(res.NextAttempt))
	}
	return json.NewEncoder(os.Stdout).Encode(drainChildReport{Seconds: time.Since(start).Seconds(), Delivered: delivered})
}

// drainChildReport is the one line a drain child prints when the outbox is
// empty.
type drainChildReport struct {
	Seconds   float64 `json:"seconds"`
	Delivered int     `json:"delivered"`
}

// TestSIGKILLWhileDrainingExactlyOnce kills a draining terminal process
// with SIGKILL at random moments, at least ten times, then drains to the
// end: every one of 1,000 offline sales reaches the platform exactly once
// and the audit chain is intact.
func TestSIGKILLWhileDrainingExactlyOnce(t *testing.T) {
	ctx := context.Background()
	// A little latency per request stretches the drain to a few seconds,
	// so that the kills land while it is running.
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{Faults: sim.Faults{LatencyMS: 8}})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	storePath := filepath.Join(t.TempDir(), "terminal.db")
	st, err := openStorePath(storePath)
	if err != nil {
		t.Fatal(err)
	}
	sales := queueOfflineSales(t, st, kit, issueVouchers(t, p, "KL", offlineSales), time.Now())
	st.Close()

	job, err := json.Marshal(drainChildJob{StorePath: storePath, URL: p.url, Creds: tc, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	// The parent watches the queue through its own connection (SQLite in
	// WAL mode serves both processes) to kill each child only once it has
	// made progress: every kill then lands mid-drain, however fast or slow
	// the machine is.
	watch := openStore(t, storePath)
	kills, pending := 0, offlineSales
	for kills < 10 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), drainChildEnv+"="+string(job))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		before := pending
		deadline := time.Now().Add(30 * time.Second)
		for pending == before && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
			p, err := watch.Pending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pending = p.Items
		}
		// Then a random moment later: in a request, in a settle, between.
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Fatalf("kill child: %v", err)
		}
		err := <-exited
		if ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() {
			// It finished before the kill: nothing left to interrupt.
			t.Fatalf("the drain child exited (%v) after %d kills, with %d items pending; the drain was too quick to interrupt", err, kills, pending)
		}
		kills++
		p, err := watch.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pending = p.Items
		t.Logf("kill %d: %d items pending", kills, pending)
	}
	if pending == offlineSales {
		t.Fatalf("no progress across %d killed drains", kills)
	}

	// A final, clean drain in this process.
	st = watch
	drainAll(t, ctx, st, newDrainer(t, st, c, 0), 30*time.Second)
	assertExactlyOnce(t, st, c, sales)
	if n, err := st.VerifyAudit(ctx); err != nil {
		t.Fatalf("audit chain after %d kills: %v (%d entries)", kills, err, n)
	}
}
