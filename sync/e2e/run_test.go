package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/outbox"
	"tradein/sync/status"
)

// TestRunKickedAndResumedByProbe runs the drainer and the health probe as
// the app does. A sale committed while the platform is down is tried once
// (Kick) and then waits out a one-hour backoff; when the probe sees the
// platform again, the drainer resumes at once instead of waiting.
func TestRunKickedAndResumedByProbe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	c := newClient(t, p, tc, clientOpts{timeout: time.Second})
	kit := newSaleKit(t, c, tc)
	st := openStore(t, filepath.Join(t.TempDir(), "terminal.db"))

	tracker := status.NewTracker(nil)
	d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: c, Status: tracker, Logger: quiet,
		Retry: backoff.Policy{Base: time.Hour, Max: time.Hour}, IdlePoll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- d.Run(ctx) }()

	p.srv.SetFaults(sim.Faults{ResetRate: 1})
	sales := queueOfflineSales(t, st, kit, issueVouchers(t, p, "RN", 3), time.Now())
	d.Kick()
	waitFor(t, "the kicked attempt to fail", func() bool {
		items, err := st.OutboxItems(ctx, 1)
		return err == nil && len(items) == 1 && items[0].Attempts == 1
	})
	if s := tracker.State(); s.Online || s.LastErrorCode != agent.CodePlatformDown {
		t.Fatalf("tracker after the failed attempt: %+v", s)
	}

	// The platform is back; only the probe notices (the backoff is an hour).
	p.srv.SetFaults(sim.Faults{})
	go tracker.Probe(ctx, c.Health, time.Hour, 20*time.Millisecond)
	waitFor(t, "the outbox to drain after the probe saw the platform", func() bool {
		pend, err := st.Pending(ctx)
		return err == nil && pend.Items == 0
	})
	if s := tracker.State(); !s.Online || s.Synced != 3 {
		t.Fatalf("tracker after the resume: %+v", s)
	}
	assertExactlyOnce(t, st, c, sales)

	// A sale saved through the KickingStore the app wires is sent at once
	// (the idle poll is an hour, the backoff was reset by the success).
	ks := outbox.KickingStore{Store: st, Drainer: d}
	more := issueVouchers(t, p, "RK", 1)
	s, item := kit.offlineSale(t, 50, more[0], time.Now())
	if err := ks.SaveSale(ctx, s, agent.AuditEntry{At: s.CreatedAt, Actor: s.StaffID, Action: "sale.commit", Subject: s.OrderNo}, item); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kicked sale to be delivered", func() bool {
		pend, err := st.Pending(ctx)
		return err == nil && pend.Items == 0
	})
	assertExactlyOnce(t, st, c, append(sales, s))

	cancel()
	if err := <-runDone; err != context.Canceled {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
}

// waitFor polls cond until it holds, failing the test after 20 s. It waits
// for an event; it asserts nothing about how long the event took.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestClerkCallsFeedTheTracker: the clerk's own online calls, wrapped by
// Tracker.Platform, move the online state without waiting for a probe.
func TestClerkCallsFeedTheTracker(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t, mustTempPath(t, "platform.db"), sim.Config{})
	tc := enroll(t, p)
	tracker := status.NewTracker(nil)
	plat := tracker.Platform(newClient(t, p, tc, clientOpts{}))

	if _, err := plat.QuerySN(ctx, "SNE2E0000001"); err != nil {
		t.Fatal(err)
	}
	if !tracker.State().Online {
		t.Fatalf("after an answered SN query: %+v", tracker.State())
	}
	p.srv.SetFaults(sim.Faults{ResetRate: 1})
	if _, err := plat.QuerySN(ctx, "SNE2E0000001"); !errors.Is(err, agent.ErrPlatformDown) {
		t.Fatalf("SN query while down: %v", err)
	}
	if s := tracker.State(); s.Online || s.LastErrorCode != agent.CodePlatformDown {
		t.Fatalf("after a failed SN query: %+v", s)
	}
	p.srv.SetFaults(sim.Faults{})
	// A refusal is an answer: the platform is back.
	_, err := plat.TryVoucher(ctx, agent.VoucherTry{RequestNo: "RQT-FEED-1", AuthCode: "NO-SUCH-CODE-1", Category: agent.CatPhone,
		CountyCode: tc.County, Barcode: "6934177393365", SN: "SNE2E0000001", AmountFen: 100000})
	if agent.CodeOf(err) != agent.CodeVoucherNotFound {
		t.Fatalf("try with an unknown code: %v", err)
	}
	if !tracker.State().Online {
		t.Fatalf("after a refused try: %+v", tracker.State())
	}
}
