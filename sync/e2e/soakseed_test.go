package e2e

import (
	"testing"
	"time"
)

// TestSoakSeedFromEnv: the seed a soak logged, set in soakSeedEnv, is the
// seed the replay runs with, and the chaos source it seeds draws the same
// lost answers and latencies again.
func TestSoakSeedFromEnv(t *testing.T) {
	t.Setenv(soakSeedEnv, "1234")
	if got := soakSeed(t); got != 1234 {
		t.Fatalf("soakSeed with %s=1234 = %d", soakSeedEnv, got)
	}
	a, b := newLockedRand(1234), newLockedRand(1234)
	for i := range 100 {
		if x, y := a.float64(), b.float64(); x != y {
			t.Fatalf("draw %d: %v then %v from the same seed", i, x, y)
		}
		if x, y := a.int64N(int64(5*time.Millisecond)), b.int64N(int64(5*time.Millisecond)); x != y {
			t.Fatalf("latency %d: %v then %v from the same seed", i, x, y)
		}
	}
}
