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
	Receipts  []string // committed sales without a receipt, whose receipt was queued
}

// receiptRecoveryWindow is how far back Recover looks for committed sales
// without a receipt: the same business day. An older sale's consumer has
// long left; the manager reprints it from Sales if asked.
const receiptRecoveryWindow = 12 * time.Hour

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
// It also queues the receipt of a COMMITTED sale of the last
// receiptRecoveryWindow that has no print job at all (a program that
// committed the sale and its receipt in two steps died between them).
//
// Each sale is finished in its own transaction; Recover stops at the first
// store error and reports what it finished so far. The sales it finished
// are kept for the sale screen (Interrupted).
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
	if t.printer == nil {
		return rep, nil
	}
	bare, err := t.store.CommittedWithoutReceipt(ctx, t.clock.Now().Add(-receiptRecoveryWindow))
	if err != nil {
		return rep, internal("list committed sales without a receipt", err)
	}
	for _, s := range bare {
		if _, err := t.printSale(ctx, s, ReceiptSale, false); err != nil {
			t.log.Warn("receipt of a committed sale not queued", "order", s.OrderNo, "err", err)
			continue
		}
		t.auditOrLog(ctx, "system", "receipt.recover", s.OrderNo, "committed sale had no receipt")
		rep.Receipts = append(rep.Receipts, s.OrderNo)
		t.noteInterrupted(s)
		t.log.Info("queued the missing receipt of a committed sale", "order", s.OrderNo)
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
