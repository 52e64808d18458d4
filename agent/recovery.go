package agent

import (
	"context"
	"fmt"
	"time"
)

// RecoveryReport lists what Recover finished, by order number.
type RecoveryReport struct {
	Committed []string // paid sales committed (and their receipts queued)
	Cancelled []string // unpaid sales cancelled (frozen vouchers released)
}

// Recover finishes sales that a crash or power cut left between Confirm
// and Commit. The app calls it once at start, before the first login; it
// skips sales of wizards still open in this process, so calling it later
// is harmless.
//
//   - PAID: the consumer has paid the remainder, so the sale is committed
//     as Commit would have done it (sale + audit + outbox row + receipt
//     print job in one transaction).
//   - FROZEN: the voucher is released: the sale is cancelled with a CANCEL
//     outbox row.
//   - OFFLINE_ACCEPTED: nothing reached the platform; the sale is cancelled.
//
// Each sale is finished in its own transaction; Recover stops at the first
// store error and reports what it finished so far.
func (t *Terminal) Recover(ctx context.Context) (RecoveryReport, error) {
	var rep RecoveryReport
	open, err := t.store.Sales(ctx, SaleFilter{States: []SaleState{SaleFrozen, SaleOfflineAccepted, SalePaid}})
	if err != nil {
		return rep, internal("list unfinished sales", err)
	}
	for _, s := range open {
		if _, live := t.live.Load(s.OrderNo); live {
			continue
		}
		now := t.clock.Now()
		from := s.State
		switch from {
		case SalePaid:
			if s.PayFen+s.SubsidyFen != s.FinalPriceFen {
				return rep, Errorf(CodeInternal, "sale %s: amounts do not add up; left for support", s.OrderNo)
			}
			if err := s.TransitionTo(SaleCommitted, now); err != nil {
				return rep, err
			}
			kind := commitKind(s)
			detail := fmt.Sprintf("recovered after restart: %s final_fen=%d subsidy_fen=%d", kind, s.FinalPriceFen, s.SubsidyFen)
			if _, printErr, err := t.commitSale(ctx, "system", s, kind, "sale.recover_commit", detail); err != nil {
				return rep, err
			} else if printErr != nil {
				t.log.Warn("receipt of recovered sale not queued", "order", s.OrderNo, "err", printErr)
			}
			rep.Committed = append(rep.Committed, s.OrderNo)
			t.noteInterrupted(s)
		case SaleFrozen, SaleOfflineAccepted:
			if err := s.TransitionTo(SaleCancelled, now); err != nil {
				return rep, err
			}
			detail := "recovered after restart: unpaid " + string(from)
			if s.FrozenNo != "" {
				err = t.saveSaleWithOutbox(ctx, "system", s, OutboxCancel, "sale.recover_cancel", detail)
			} else {
				err = t.store.SaveSale(ctx, s, AuditEntry{At: now, Actor: "system", Action: "sale.recover_cancel", Subject: s.OrderNo, Detail: detail})
			}
			if err != nil {
				return rep, internal("cancel unfinished sale "+s.OrderNo, err)
			}
			rep.Cancelled = append(rep.Cancelled, s.OrderNo)
			t.noteInterrupted(s)
		}
		t.log.Info("recovered unfinished sale", "order", s.OrderNo, "was", from, "now", s.State)
	}
	return rep, nil
}

// InterruptedSale is a sale a crash or power cut left unfinished, as
// Recover finished it: the clerk who was serving the consumer must learn
// what became of it instead of finding an empty sale screen.
type InterruptedSale struct {
	OrderNo string
	// State is what Recover made of it: SaleCommitted (the consumer had
	// paid; the sale is complete and its receipt queued, a reprint may be
	// needed) or SaleCancelled (not paid; the voucher was released and the
	// consumer must be served again from the start).
	State     SaleState
	Product   string // the product's name
	PayFen    Fen    // what the consumer paid (committed) or would have paid
	ClerkID   string // who was serving
	UpdatedAt time.Time
}

// noteInterrupted remembers s, as Recover left it, for Interrupted.
func (t *Terminal) noteInterrupted(s Sale) {
	t.recMu.Lock()
	defer t.recMu.Unlock()
	t.interrupted = append(t.interrupted, InterruptedSale{OrderNo: s.OrderNo, State: s.State,
		Product: s.Product.Name, PayFen: s.PayFen, ClerkID: s.StaffID, UpdatedAt: s.UpdatedAt})
}

// Interrupted lists the sales Recover finished at this start that no one
// has dismissed yet, oldest first. The sale screen shows them.
func (t *Terminal) Interrupted() []InterruptedSale {
	t.recMu.Lock()
	defer t.recMu.Unlock()
	return append([]InterruptedSale(nil), t.interrupted...)
}

// DismissInterrupted removes the sale from Interrupted: the clerk has
// read what became of it.
func (t *Terminal) DismissInterrupted(orderNo string) {
	t.recMu.Lock()
	defer t.recMu.Unlock()
	for i, s := range t.interrupted {
		if s.OrderNo == orderNo {
			t.interrupted = append(t.interrupted[:i], t.interrupted[i+1:]...)
			return
		}
	}
}
