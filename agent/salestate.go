package agent

import (
	"fmt"
	"time"
)

// The sale state machine (docs/DOMAIN.md, "The sale and its states"):
//
//	DRAFT ──try (online)──▶ FROZEN ───────────┐
//	  │  └─local checks──▶ OFFLINE_ACCEPTED ──┴─paid─▶ PAID ─commit─▶ COMMITTED ─refund─▶ REFUNDED
//	  │                                                                  │  ▲                  ▲
//	  └─ DRAFT, FROZEN, OFFLINE_ACCEPTED, PAID ──cancel──▶ CANCELLED     │  │ resubmitted,     │ void
//	                                                                     ▼  │ accepted         │
//	                                               rejected after sync: REVIEW ────────────────┘
//
// CANCELLED and REFUNDED are final. A PAID sale may still be cancelled: the
// store reverses the payment on its own terminal, and the frozen voucher is
// released (nothing reached the platform's commit yet). A sale in REVIEW is
// resolved by a manager either by voiding it (REFUNDED: the subsidy was not
// granted, the consumer's payment is settled outside the terminal) or, when
// the rejection was wrong or transient and the platform accepts the sale on
// resubmission, by returning it to COMMITTED.

// saleTransitions lists every legal move. Anything absent is illegal.
var saleTransitions = map[SaleState][]SaleState{
	SaleDraft:           {SaleFrozen, SaleOfflineAccepted, SaleCancelled},
	SaleFrozen:          {SalePaid, SaleCancelled},
	SaleOfflineAccepted: {SalePaid, SaleCancelled},
	SalePaid:            {SaleCommitted, SaleCancelled},
	SaleCommitted:       {SaleRefunded, SaleReview},
	SaleReview:          {SaleRefunded, SaleCommitted},
	SaleCancelled:       nil,
	SaleRefunded:        nil,
}

// Valid reports whether s is one of the sale states.
func (s SaleState) Valid() bool {
	_, ok := saleTransitions[s]
	return ok
}

// Final reports whether no transition leaves s (CANCELLED, REFUNDED).
func (s SaleState) Final() bool {
	next, ok := saleTransitions[s]
	return ok && len(next) == 0
}

// CanTransition reports whether a sale may move from one state to another.
// Staying in the same state is not a transition.
func CanTransition(from, to SaleState) bool {
	for _, s := range saleTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TransitionTo moves the sale to state to and stamps UpdatedAt with now. An
// illegal move returns an *Error coded CodeIllegalState and leaves the sale
// unchanged; it is never a silent no-op.
func (s *Sale) TransitionTo(to SaleState, now time.Time) error {
	if !CanTransition(s.State, to) {
		return &Error{Code: CodeIllegalState, Detail: fmt.Sprintf("sale %s: %s → %s is not allowed", s.OrderNo, stateName(s.State), stateName(to))}
	}
	s.State = to
	s.UpdatedAt = now
	return nil
}

func stateName(s SaleState) string {
	if s == "" {
		return "(no state)"
	}
	return string(s)
}
