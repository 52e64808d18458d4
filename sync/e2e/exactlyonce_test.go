package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/outbox"
	"tradein/sync/status"
)

// offlineSales is the size of the exactly-once tests. It is
// never shrunk under -short: the tests are made fast instead.
const offlineSales = 1000

// TestOfflineSalesSyncExactlyOnce: 1,000 sales made while the platform was
// unreachable; the platform comes back; every sale is delivered once and
// the platform's day summary equals the terminal's totals to the fen.
func TestOfflineSalesSyncExactlyOnce(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	sales := queueOfflineSales(t, st, kit, issueVouchers(t, p, "EO", offlineSales), time.Now())

	pend, err := st.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pend.OfflineSales != offlineSales || pend.OfflineSubsidyFen != sumSales(sales).SubsidyFen {
		t.Fatalf("pending before sync: %+v", pend)
	}

	tracker := status.NewTracker(nil)
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Retry: fastRetry, Status: tracker, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}

	// The platform is unreachable: every connection is reset.
	p.srv.SetFaults(sim.Faults{ResetRate: 1})
	res, err := d.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 0 || !errors.Is(res.LastErr, agent.ErrPlatformDown) || res.NextAttempt.IsZero() {
		t.Fatalf("drain while down: %+v", res)
	}
	if s := tracker.State(); s.Online || s.LastErrorCode != agent.CodePlatformDown {
		t.Fatalf("tracker while down: %+v", s)
	}
	head, err := st.OutboxItems(ctx, 1)
	if err != nil || len(head) != 1 || head[0].Attempts != 1 || head[0].LastError == "" {
		t.Fatalf("head after a failed attempt: %+v %v", head, err)
	}

	// The platform comes back.
	p.srv.SetFaults(sim.Faults{})
	delivered, refused := drainAll(t, ctx, st, d, 30*time.Second)
	if delivered != offlineSales || refused != 0 {
		t.Fatalf("delivered %d, refused %d; want %d, 0", delivered, refused, offlineSales)
	}
	if s := tracker.State(); !s.Online || s.Synced != offlineSales || s.LastErrorCode != "" {
		t.Fatalf("tracker after sync: %+v", s)
	}
	assertExactlyOnce(t, st, c, sales)

	// Draining again sends nothing: the queue is empty, and a resend of
	// any sale would show in the totals.
	if res, err := d.Drain(ctx); err != nil || res.Delivered != 0 {
		t.Fatalf("second drain: %+v %v", res, err)
	}
	assertExactlyOnce(t, st, c, sales)
}

// TestFaultSoakExactlyOnce drains 1,000 offline sales through 30 % server
// errors, 10 % timeouts, 5 % connection resets, random latency, and 10 %
// answers lost after the platform applied the request (the case that
// really tests idempotency). It logs its fault seed; soakSeedEnv replays it.
func TestFaultSoakExactlyOnce(t *testing.T) {
	ctx := context.Background()
	seed := soakSeed(t)
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{FaultSeed: seed})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{})
	kit := newSaleKit(t, c, tc)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))
	sales := queueOfflineSales(t, st, kit, issueVouchers(t, p, "FS", offlineSales), time.Now())

	// Small batches make many requests, so every kind of fault hits often.
	faulty := newClient(t, p, tc, clientOpts{timeout: 150 * time.Millisecond})
	d := newDrainer(t, st, faulty, 20)
	p.srv.SetFaults(sim.Faults{ErrorRate: 0.30, TimeoutRate: 0.10, ResetRate: 0.05, HangMS: 400, LatencyMS: 1})
	p.chaos.Store(&chaos{LostAnswerRate: 0.10, MaxLatency: 5 * time.Millisecond, Rand: newLockedRand(seed)})

	delivered, refused := drainAll(t, ctx, st, d, 60*time.Second)
	p.srv.SetFaults(sim.Faults{})
	p.chaos.Store(nil)
	if delivered != offlineSales || refused != 0 {
		t.Fatalf("delivered %d, refused %d; want %d, 0", delivered, refused, offlineSales)
	}
	assertExactlyOnce(t, st, c, sales)
}
