package sim

import "testing"

// TestFaultSeedReplaysDraws: two injectors with the same seed hand out the
// same faults to the same sequence of requests, which is what lets a fault
// soak be replayed from the seed it logged; another seed gives another
// sequence.
func TestFaultSeedReplaysDraws(t *testing.T) {
	f := Faults{ErrorRate: 0.3, TimeoutRate: 0.1, ResetRate: 0.05, RateLimitRate: 0.05}
	draws := func(seed uint64) []faultKind {
		fi := newFaultInjector(f, seed)
		out := make([]faultKind, 200)
		for i := range out {
			_, out[i] = fi.draw("/v1/sales/batch")
		}
		return out
	}
	a, b, c := draws(42), draws(42), draws(43)
	same := func(x, y []faultKind) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("seed 42 drew two different fault sequences")
	}
	if same(a, c) {
		t.Error("seeds 42 and 43 drew the same 200 faults")
	}
}
