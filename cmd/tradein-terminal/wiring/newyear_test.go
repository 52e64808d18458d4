package wiring

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/devices/devsim/devsimtest"
)

// haierFridge is a seeded grade-1 fridge (filed ¥4,299): 20 % under the
// 2025 national set, 15 % under the 2026 one.
const haierFridge = "6901018526015"

// TestSalesAcrossTheNewYear runs the real terminal against platform-sim
// with one injected clock: sales confirmed online and offline at
// 23:59:59.999 on 31 December and at 00:00:00.000 on 1 January are each
// computed under the set in force when confirmed; all are delivered on 2
// January (the voucher frozen before midnight is committed then) and the
// platform accepts every one of them: none lands in review.
func TestSalesAcrossTheNewYear(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	clock := agenttest.NewClock(time.Date(2025, 12, 31, 23, 59, 0, 0, agent.ChinaTime))
	// Freezes last two days so that the online sales too can wait for the
	// drain on 2 January.
	srv := simtest.Open(t, sim.Config{Clock: clock, Logger: quiet, FreezeTTL: 48 * time.Hour})
	url := simtest.Serve(t, srv.Handler())
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, url, d)
	a, err := New(ctx, Options{DataDir: dir, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-newyear", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := Provision(ctx, a, io.Discard, Setup{SeedDemoStaff: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
	term := a.Terminal()
	sess, err := term.Login(ctx, "1001", "1234")
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]string, 4)
	for i := range codes {
		c, err := srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatFridge, ValidFor: 7 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		codes[i] = c.Code
	}
	// sell confirms a fridge sale at the clock's time and commits it.
	n := 0
	sell := func(code string, online bool) agent.Sale {
		t.Helper()
		// The connectivity tracker decides: a failed call turns the
		// terminal offline, an answer online again.
		if online {
			a.Tracker().Observe(nil)
		} else {
			a.Tracker().Observe(agent.ErrPlatformDown)
		}
		if term.Status(ctx).Online != online {
			t.Fatalf("terminal online = %v, want %v", !online, online)
		}
		w, err := sess.NewSale(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.SetConsumerCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.ScanProduct(ctx, haierFridge); err != nil {
			t.Fatal(err)
		}
		n++
		if _, err := w.SetSN(ctx, fmt.Sprintf("SNNEWYEAR%03d", n)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Quote(ctx, agent.Yuan(4299)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Confirm(ctx); err != nil {
			t.Fatalf("confirm (online %v) at %s: %v", online, clock.Now(), err)
		}
		clock.Advance(time.Millisecond) // the consumer pays a moment later
		if _, err := w.SetPaymentRef(ctx, "POS-NY"); err != nil {
			t.Fatal(err)
		}
		s, _, err := w.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := func(s agent.Sale, set string, subsidy agent.Fen) {
		t.Helper()
		if s.RuleSetID != set || s.SubsidyFen != subsidy || s.Offline != (s.FrozenNo == "") {
			t.Errorf("sale %s (offline %v) confirmed %s: set %q subsidy %s, want %s %s",
				s.OrderNo, s.Offline, s.ConfirmedAt, s.RuleSetID, s.SubsidyFen, set, subsidy)
		}
	}

	clock.Advance(59*time.Second + 998*time.Millisecond)
	online2025 := sell(codes[0], true)   // confirmed 23:59:59.998
	offline2025 := sell(codes[1], false) // confirmed 23:59:59.999, paid 00:00:00.000
	want(online2025, agent.RuleSetNational2025, 859_80)
	want(offline2025, agent.RuleSetNational2025, 859_80)
	if online2025.Offline || !offline2025.Offline {
		t.Fatalf("offline flags %v %v", online2025.Offline, offline2025.Offline)
	}

	offline2026 := sell(codes[2], false) // confirmed 00:00:00.000
	online2026 := sell(codes[3], true)   // confirmed 00:00:00.001
	want(offline2026, agent.RuleSetNational2026, 644_85)
	want(online2026, agent.RuleSetNational2026, 644_85)

	// Everything is delivered on 2 January: the offline sales and the
	// commit of the voucher frozen at 23:59:59.999.
	clock.Advance(34 * time.Hour)
	a.Tracker().Observe(nil)
	if _, err := a.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := a.Store().Pending(ctx); err != nil || p.Items != 0 {
		t.Fatalf("pending after the drain: %+v %v", p, err)
	}
	for _, s := range []agent.Sale{online2025, offline2025, offline2026, online2026} {
		got, err := a.Store().Sale(ctx, s.OrderNo)
		if err != nil || got.State != agent.SaleCommitted || got.RejectCode != "" || len(got.Warnings) != 0 {
			t.Errorf("sale %s (offline %v, %s) after the drain: %s %q %+v %v", s.OrderNo, s.Offline, s.RuleSetID,
				got.State, got.RejectCode, got.Warnings, err)
		}
	}
	// The terminal's status names the set in force on 2 January.
	if st := term.Status(ctx); len(st.Rules.InForce) == 0 || st.Rules.InForce[len(st.Rules.InForce)-1] != agent.RuleSetNational2026 {
		t.Errorf("status rules %+v", st.Rules)
	}
}

// TestPausedCategoryOnlineThenOffline: the platform pauses fridges after
// the terminal cached its rules. The next online try is refused
// (CATEGORY_PAUSED) and makes the terminal refresh its rules at once: the
// status shows the pause and the product step refuses fridges, offline
// too. Once resumed (and refreshed) fridges sell again.
func TestPausedCategoryOnlineThenOffline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv := simtest.Open(t, sim.Config{Logger: quiet})
	url := simtest.Serve(t, srv.Handler())
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, url, d)
	a, err := New(ctx, Options{DataDir: dir, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-pause"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := Provision(ctx, a, io.Discard, Setup{SeedDemoStaff: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
	term := a.Terminal()
	sess, err := term.Login(ctx, "1001", "1234")
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		c, err := srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatFridge})
		if err != nil {
			t.Fatal(err)
		}
		return c.Code
	}
	if err := srv.SetPause(ctx, agent.RuleSetNational2026, agent.CatFridge, &agent.Pause{Message: "本区冰箱补贴资金已用完"}); err != nil {
		t.Fatal(err)
	}
	// The terminal's cache does not know yet: the platform refuses the try.
	w, _ := sess.NewSale(ctx)
	if _, err := w.SetConsumerCode(ctx, code()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.ScanProduct(ctx, haierFridge); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetSN(ctx, "SNPAUSE0001"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Quote(ctx, agent.Yuan(4299)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Confirm(ctx); agent.CodeOf(err) != agent.CodeCategoryPaused {
		t.Fatalf("online confirm in a paused category: %v", err)
	}
	w.Cancel(ctx, "paused")
	waitFor(t, "the rules refresh after the refused try", 10*time.Second, func() bool {
		return len(term.Status(ctx).Rules.Paused) == 1
	})
	if p := term.Status(ctx).Rules.Paused[0]; p.Category != agent.CatFridge || p.Message != "本区冰箱补贴资金已用完" {
		t.Fatalf("pause in the status %+v", p)
	}
	// Offline too, refused on the product step before any price.
	a.Tracker().Observe(agent.ErrPlatformDown)
	w, _ = sess.NewSale(ctx)
	if _, err := w.SetConsumerCode(ctx, code()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.ScanProduct(ctx, haierFridge); agent.CodeOf(err) != agent.CodeCategoryPaused {
		t.Fatalf("offline product step in a paused category: %v", err)
	}
	w.Cancel(ctx, "paused")

	// Resumed: after the refresh fridges sell again.
	if err := srv.SetPause(ctx, agent.RuleSetNational2026, agent.CatFridge, nil); err != nil {
		t.Fatal(err)
	}
	a.Tracker().Observe(nil)
	if _, err := a.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	w, _ = sess.NewSale(ctx)
	if _, err := w.SetConsumerCode(ctx, code()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.ScanProduct(ctx, haierFridge); err != nil {
		t.Fatalf("after resume: %v", err)
	}
	if len(term.Status(ctx).Rules.Paused) != 0 {
		t.Fatal("the status still shows the pause")
	}
}
