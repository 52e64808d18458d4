package status

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"tradein/agent"
)

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func TestTrackerTransitions(t *testing.T) {
	clk := &fixedClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(clk)
	var seen []State
	cancel := tr.Subscribe(func(s State) { seen = append(seen, s) })
	defer cancel()

	if got := tr.State(); got.Online {
		t.Fatalf("a new tracker must start offline, got %+v", got)
	}
	if len(seen) != 1 {
		t.Fatalf("Subscribe must deliver the current state once, got %d calls", len(seen))
	}

	// The platform answers: online.
	clk.t = clk.t.Add(time.Second)
	tr.Observe(nil)
	st := tr.State()
	if !st.Online || !st.Since.Equal(clk.t) || !st.LastContact.Equal(clk.t) || st.LastError != "" {
		t.Fatalf("after a success: %+v", st)
	}

	// A business refusal proves the platform is there.
	tr.Observe(agent.Errorf(agent.CodeVoucherUsed, "voucher used"))
	if st := tr.State(); !st.Online || st.LastErrorCode != "" {
		t.Fatalf("a business error must not count as a connection problem: %+v", st)
	}

	// Unreachable: offline, with the reason.
	clk.t = clk.t.Add(time.Minute)
	down := &agent.Error{Code: agent.CodePlatformDown, Detail: "POST /v1/transactions/batch", Err: errors.New("connection refused")}
	tr.Observe(fmt.Errorf("deliver: %w", down))
	st = tr.State()
	if st.Online || !st.Since.Equal(clk.t) || st.LastErrorCode != agent.CodePlatformDown || st.LastErrorAt != clk.t {
		t.Fatalf("after a transport failure: %+v", st)
	}
	sinceOffline := st.Since

	// Still down: Since must not move.
	clk.t = clk.t.Add(time.Minute)
	tr.Observe(down)
	if st := tr.State(); !st.Since.Equal(sinceOffline) {
		t.Fatalf("Since moved while the state did not change: %v -> %v", sinceOffline, st.Since)
	}

	// Clock skew: the platform refuses the signature. Offline, and flagged.
	tr.Observe(agent.Errorf(agent.CodeUnauthorized, "timestamp skew 900s"))
	if st := tr.State(); st.Online || !st.AuthProblem() {
		t.Fatalf("UNAUTHORIZED must read as offline with an auth problem: %+v", st)
	}

	// Deliveries bring it back online and stamp LastSync.
	clk.t = clk.t.Add(time.Minute)
	tr.Synced(3)
	st = tr.State()
	if !st.Online || st.Synced != 3 || !st.LastSync.Equal(clk.t) {
		t.Fatalf("after Synced: %+v", st)
	}

	onlineFlips := 0
	for i := 1; i < len(seen); i++ {
		if seen[i].Online != seen[i-1].Online {
			onlineFlips++
		}
	}
	if onlineFlips != 3 {
		t.Fatalf("subscriber saw %d online/offline flips, want 3 (on, off, on): %+v", onlineFlips, seen)
	}

	cancel()
	n := len(seen)
	tr.Observe(down)
	if len(seen) != n {
		t.Fatal("a cancelled subscription was still called")
	}
}

func TestReachable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, true},
		{agent.ErrVoucherUsed, true},
		{agent.Errorf(agent.CodeRateLimited, "slow down"), true},
		{agent.ErrPlatformDown, false},
		{agent.Errorf(agent.CodeUnauthorized, "skew"), false},
		{agent.Errorf(agent.CodeInternal, "boom"), false},
		{errors.New("garbled"), false},
	}
	for _, c := range cases {
		if got := Reachable(c.err); got != c.want {
			t.Errorf("Reachable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestProbeDoesNotClearAuthProblem(t *testing.T) {
	clk := &fixedClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	tr := NewTracker(clk)
	tr.Observe(agent.Errorf(agent.CodeUnauthorized, "timestamp skew 900s"))
	tr.ObserveProbe(nil) // GET /v1/health is unsigned: it answers even to a skewed terminal
	if st := tr.State(); st.Online || !st.AuthProblem() {
		t.Fatalf("a health probe must not hide a refused signature: %+v", st)
	}
	tr.ObserveProbe(agent.ErrPlatformDown)
	tr.ObserveProbe(nil)
	if st := tr.State(); !st.Online {
		t.Fatalf("a probe success after a transport failure must read online: %+v", st)
	}
}
