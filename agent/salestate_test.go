package agent

import (
	"errors"
	"testing"
	"time"
)

// allSaleStates returns every sale state in workflow order.
func allSaleStates() []SaleState {
	return []SaleState{SaleDraft, SaleFrozen, SaleOfflineAccepted, SalePaid,
		SaleCommitted, SaleCancelled, SaleRefunded, SaleReview}
}

// TestSaleTransitionsEveryPair checks all 9×9 (from, to) pairs, including an
// unknown state, against the table of legal moves written out by hand.
func TestSaleTransitionsEveryPair(t *testing.T) {
	legal := map[[2]SaleState]bool{
		{SaleDraft, SaleFrozen}:              true,
		{SaleDraft, SaleOfflineAccepted}:     true,
		{SaleDraft, SaleCancelled}:           true,
		{SaleFrozen, SalePaid}:               true,
		{SaleFrozen, SaleCancelled}:          true,
		{SaleOfflineAccepted, SalePaid}:      true,
		{SaleOfflineAccepted, SaleCancelled}: true,
		{SalePaid, SaleCommitted}:            true,
		{SalePaid, SaleCancelled}:            true,
		{SaleCommitted, SaleRefunded}:        true,
		{SaleCommitted, SaleReview}:          true,
		{SaleReview, SaleRefunded}:           true,
		{SaleReview, SaleCommitted}:          true,
	}
	states := append(allSaleStates(), SaleState("BOGUS"))
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)
	before := now.Add(-time.Hour)
	count := 0
	for _, from := range states {
		for _, to := range states {
			want := legal[[2]SaleState{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			s := Sale{OrderNo: "O1", State: from, UpdatedAt: before}
			err := s.TransitionTo(to, now)
			switch {
			case want && err != nil:
				t.Errorf("%s → %s: %v", from, to, err)
			case want && (s.State != to || !s.UpdatedAt.Equal(now)):
				t.Errorf("%s → %s: sale now %s at %s", from, to, s.State, s.UpdatedAt)
			case !want && (err == nil || !errors.Is(err, ErrIllegalState)):
				t.Errorf("%s → %s: err = %v, want ErrIllegalState", from, to, err)
			case !want && (s.State != from || !s.UpdatedAt.Equal(before)):
				t.Errorf("%s → %s: refused move changed the sale", from, to)
			}
			if want {
				count++
			}
		}
	}
	if count != len(legal) {
		t.Errorf("%d legal moves found, table has %d", count, len(legal))
	}
}

func TestSaleStateHelpers(t *testing.T) {
	for _, s := range allSaleStates() {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if got, want := s.Final(), s == SaleCancelled || s == SaleRefunded; got != want {
			t.Errorf("%s.Final() = %v", s, got)
		}
		for _, n := range saleTransitions[s] {
			if !CanTransition(s, n) {
				t.Errorf("saleTransitions[%s] lists %s", s, n)
			}
		}
	}
	if SaleState("").Valid() || SaleState("X").Final() {
		t.Error("unknown state accepted")
	}
}

// TestSaleLifecycles walks the paths of the sale state machine (docs/DOMAIN.md) end to end.
func TestSaleLifecycles(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)
	paths := [][]SaleState{
		{SaleFrozen, SalePaid, SaleCommitted},
		{SaleOfflineAccepted, SalePaid, SaleCommitted, SaleReview, SaleRefunded},
		{SaleOfflineAccepted, SalePaid, SaleCommitted, SaleReview, SaleCommitted, SaleRefunded},
		{SaleFrozen, SaleCancelled},
		{SaleFrozen, SalePaid, SaleCommitted, SaleRefunded},
	}
	for _, p := range paths {
		s := Sale{OrderNo: "O2", State: SaleDraft}
		for i, to := range p {
			if err := s.TransitionTo(to, now.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatalf("path %v step %d: %v", p, i, err)
			}
		}
		if err := s.TransitionTo(SaleDraft, now); CodeOf(err) != CodeIllegalState {
			t.Errorf("path %v: back to DRAFT allowed", p)
		}
	}
	// Refunding twice is refused, not ignored.
	s := Sale{OrderNo: "O3", State: SaleRefunded}
	if err := s.TransitionTo(SaleRefunded, now); CodeOf(err) != CodeIllegalState {
		t.Errorf("second refund: %v", err)
	}
}
