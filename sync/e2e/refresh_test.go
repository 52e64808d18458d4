package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/refresh"
)

// TestLibraryDeltaSyncResumes: the terminal syncs the demo library (version
// 1), then the platform publishes 20,000 more products (version 2). The
// delta download is interrupted after five pages, then continued through
// connection resets; it resumes from the staged pages without fetching them
// again, sales see the old library until the atomic switch, and the end
// state equals the platform's library.
func TestLibraryDeltaSyncResumes(t *testing.T) {
	ctx := context.Background()
	dbPath := mustTempPath(t, "platform.db")
	p := startPlatform(t, dbPath, sim.Config{})
	tc := enroll(t, p)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))

	var seen []refresh.Progress
	r, err := refresh.New(refresh.Config{Source: newClient(t, p, tc, clientOpts{}), Library: st, PageLimit: 1000,
		Logger: quiet, OnProgress: func(pr refresh.Progress) { seen = append(seen, pr) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(ctx); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	v1, err := st.LibraryVersion(ctx)
	if err != nil || v1 < 1 {
		t.Fatalf("version after the first sync: %d %v", v1, err)
	}
	demo, err := st.LibraryProducts(ctx)
	if err != nil || demo == 0 {
		t.Fatalf("demo products: %d %v", demo, err)
	}
	if _, err := st.Rules(ctx); err != nil {
		t.Fatalf("rules not cached: %v", err)
	}
	if last := seen[len(seen)-1]; !last.Committed || last.Done != demo || last.Total != demo {
		t.Fatalf("last progress of the first sync: %+v", last)
	}

	// The platform publishes a new library version (a second server on the
	// same database adds 20,000 products).
	const added = 20000
	p2 := startPlatform(t, dbPath, sim.Config{SyntheticProducts: added})
	c2 := newClient(t, p2, tc, clientOpts{})

	// Interrupted after five pages (the app was closed mid-download).
	cctx, cancel := context.WithCancel(ctx)
	seen = nil
	r2, err := refresh.New(refresh.Config{Source: c2, Library: st, PageLimit: 1000, Logger: quiet,
		OnProgress: func(pr refresh.Progress) {
			seen = append(seen, pr)
			if len(seen) == 5 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Library(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sync: %v", err)
	}
	staging, ok, err := st.LibraryStaging(ctx)
	if err != nil || !ok || staging.Staged != 5000 || staging.From != v1 || staging.NextToken == "" {
		t.Fatalf("staging after the interruption: %+v %v %v", staging, ok, err)
	}
	// A sale still sees the old library: nothing of the delta is visible.
	if n, _ := st.LibraryProducts(ctx); n != demo {
		t.Fatalf("library shows %d products mid-sync, want the old %d", n, demo)
	}
	if v, _ := st.LibraryVersion(ctx); v != v1 {
		t.Fatalf("version moved to %d mid-sync", v)
	}

	// Continued through a flaky network: each failure leaves the staged
	// pages in place and the next attempt resumes.
	p2.srv.SetFaults(sim.Faults{ResetRate: 0.3})
	seen = nil
	var final refresh.Progress
	for attempt := 1; ; attempt++ {
		final, err = r2.Library(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, agent.ErrPlatformDown) || attempt > 200 {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	p2.srv.SetFaults(sim.Faults{})
	if len(seen) == 0 || !seen[0].Resumed || seen[0].Done != 6000 {
		t.Fatalf("the resumed sync must continue after the 5,000 staged products; first progress %+v", seen[0])
	}
	if !final.Committed || final.Done != added || final.Total != added {
		t.Fatalf("final progress %+v, want %d products committed", final, added)
	}
	if n, _ := st.LibraryProducts(ctx); n != demo+added {
		t.Fatalf("library holds %d products, want %d", n, demo+added)
	}
	if _, ok, _ := st.LibraryStaging(ctx); ok {
		t.Fatal("staging left behind after the commit")
	}
	v2, _ := st.LibraryVersion(ctx)
	if v2 <= v1 || v2 != final.Target {
		t.Fatalf("version %d after the delta (was %d, target %d)", v2, v1, final.Target)
	}
	// Up to date: a further refresh fetches one empty page and changes nothing.
	if pr, err := r2.Library(ctx); err != nil || pr.Committed || pr.Done != 0 {
		t.Fatalf("refresh when up to date: %+v %v", pr, err)
	}
}

// TestLibrarySyncSurvivesSIGKILL kills a terminal process in the middle of
// a library download; the next sync resumes from the pages it had staged
// and ends with the platform's whole library.
func TestLibrarySyncSurvivesSIGKILL(t *testing.T) {
	ctx := context.Background()
	const products = 60000
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{SyntheticProducts: products})
	tc := enroll(t, p)
	storePath := filepath.Join(t.TempDir(), "terminal.db")
	watch := openStore(t, storePath)
	// A little latency per page keeps the download going long enough to
	// be interrupted on a fast machine.
	p.srv.SetFaults(sim.Faults{LatencyMS: 5, PathPrefix: "/v1/products"})

	job, err := json.Marshal(libSyncJob{URL: p.url, Creds: tc, StorePath: storePath, PageLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), libSyncChildEnv+"="+string(job))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waitFor(t, "the child to stage 5,000 products", func() bool {
		st, ok, err := watch.LibraryStaging(ctx)
		return err == nil && ok && st.Staged >= 5000
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	if ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() {
		t.Fatal("the library sync finished before it could be killed")
	}
	staged, ok, err := watch.LibraryStaging(ctx)
	if err != nil || !ok || staged.NextToken == "" || staged.Staged < 5000 {
		t.Fatalf("staging after the kill: %+v %v %v", staged, ok, err)
	}
	if v, _ := watch.LibraryVersion(ctx); v != 0 {
		t.Fatalf("library version %d after a killed first sync, want 0 (nothing committed)", v)
	}

	p.srv.SetFaults(sim.Faults{})
	var first *refresh.Progress
	r, err := refresh.New(refresh.Config{Source: newClient(t, p, tc, clientOpts{}), Library: watch, PageLimit: 1000, Logger: quiet,
		OnProgress: func(pr refresh.Progress) {
			if first == nil {
				first = &pr
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	final, err := r.Library(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first == nil || !first.Resumed || first.Done != staged.Staged+1000 {
		t.Fatalf("first progress after the kill %+v, want a resume from %d staged products", first, staged.Staged)
	}
	n, err := watch.LibraryProducts(ctx)
	if err != nil || !final.Committed || n != final.Total || n < products {
		t.Fatalf("after the resumed sync: %d products, progress %+v, err %v", n, final, err)
	}
}

// TestLibraryStaleStagingRestarts: a staged delta whose page token the
// platform no longer accepts (it restarted with another database, say) is
// discarded and the sync starts again from the committed version.
func TestLibraryStaleStagingRestarts(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	stale := []agent.Product{{Barcode: "6901234567892", Name: "stale", Category: agent.CatTV, Status: agent.ProductActive}}
	if err := st.StageLibraryPage(ctx, 0, 1, stale, "not-a-token-this-platform-issued"); err != nil {
		t.Fatal(err)
	}
	r, err := refresh.New(refresh.Config{Source: newClient(t, p, tc, clientOpts{}), Library: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := r.Library(ctx)
	if err != nil {
		t.Fatalf("sync over a stale staging: %v", err)
	}
	if pr.Resumed || !pr.Committed {
		t.Fatalf("progress %+v: want a fresh, committed sync", pr)
	}
	if _, err := st.Product(ctx, stale[0].Barcode); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("the discarded staged product reached the library: %v", err)
	}
	if n, _ := st.LibraryProducts(ctx); n != pr.Total || n == 0 {
		t.Fatalf("library holds %d products, platform delta had %d", n, pr.Total)
	}
}
