package agent

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// reviewWindow is how far back the review list looks for committed sales
// with warnings. REVIEW sales are listed whatever their age.
const reviewWindow = 90 * 24 * time.Hour

// maxReasonLen bounds refund reasons and review notes (they go into the
// audit log and to the platform), in characters, as sync/api/openapi.yaml's
// maxLength counts them.
const maxReasonLen = 200

// maxTradeInText is the most characters (not bytes) of the old
// appliance's brand and of its model, as the contract allows.
const maxTradeInText = 64

// maxListSales bounds one page of the sales list: a screen shows a few
// dozen rows, and a year of sales (~100,000) must never be loaded at once.
const maxListSales = 1000

// Sales lists sales for the manager's and the clerk's sales list, newest
// first as the store returns them, at most maxListSales (also when
// f.Limit is 0). Personal data is masked.
func (s *Session) Sales(ctx context.Context, f SaleFilter) ([]Sale, error) {
	if err := s.require(ActReprint); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > maxListSales {
		f.Limit = maxListSales
	}
	sales, err := s.t.store.Sales(ctx, f)
	if err != nil {
		return nil, internal("list sales", err)
	}
	for i := range sales {
		sales[i] = screenSale(sales[i])
	}
	return sales, nil
}

// Sale returns one sale with personal data masked; CodeNotFound when the
// order number is unknown.
func (s *Session) Sale(ctx context.Context, orderNo string) (Sale, error) {
	if err := s.require(ActReprint); err != nil {
		return Sale{}, err
	}
	sale, err := s.t.loadSale(ctx, orderNo)
	if err != nil {
		return Sale{}, err
	}
	return screenSale(sale), nil
}

// Reprint queues the receipt of a committed, refunded or reviewed sale
// again, marked as a reprint (重打印). A refunded sale reprints its refund
// receipt.
func (s *Session) Reprint(ctx context.Context, orderNo string) (string, error) {
	if err := s.require(ActReprint); err != nil {
		return "", err
	}
	t := s.t
	sale, err := t.loadSale(ctx, orderNo)
	if err != nil {
		return "", err
	}
	kind := ReceiptSale
	switch sale.State {
	case SaleCommitted, SaleReview:
	case SaleRefunded:
		kind = ReceiptRefund
	default:
		return "", Errorf(CodeIllegalState, "sale %s is %s and has no receipt", orderNo, sale.State)
	}
	if t.printer == nil {
		return "", Errorf(CodePrintFailed, "no receipt printer is configured")
	}
	id, err := t.printSale(ctx, sale, kind, true)
	if err != nil {
		return "", err
	}
	t.auditOrLog(ctx, s.staff.ID, "receipt.reprint", orderNo, "job "+id)
	return id, nil
}

// Refund refunds (or voids) a committed sale: the sale moves to REFUNDED
// with a new refund number, and the REFUNDED sale, its audit entry and a
// REFUND outbox row are saved in one transaction; sync/ tells the platform,
// which unlocks the SN. Then the refund receipt is queued.
//
// As with Commit, a receipt that cannot be queued does not undo the refund:
// Refund then returns the refunded sale and an error coded CodePrintFailed.
func (s *Session) Refund(ctx context.Context, orderNo, reason string) (Sale, error) {
	if err := s.require(ActRefund); err != nil {
		return Sale{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > maxReasonLen {
		return Sale{}, Errorf(CodeInvalidRequest, "give a refund reason of 1 to %d characters", maxReasonLen)
	}
	t := s.t
	t.mutMu.Lock()
	defer t.mutMu.Unlock()
	sale, err := t.loadSale(ctx, orderNo)
	if err != nil {
		return Sale{}, err
	}
	now := t.clock.Now()
	next := copySale(sale)
	next.RefundNo = t.ids.next(prefixRefund, now)
	next.RefundReason = reason
	if err := next.TransitionTo(SaleRefunded, now); err != nil {
		return Sale{}, err
	}
	detail := fmt.Sprintf("refund_no=%s subsidy_fen=%d %s", next.RefundNo, next.SubsidyFen, reasonDetail(reason))
	if err := t.saveSaleWithOutbox(ctx, s.staff.ID, next, OutboxRefund, "sale.refund", detail); err != nil {
		return Sale{}, err
	}
	t.log.Info("sale refunded", "order", orderNo, "refund", next.RefundNo)
	if _, err := t.printSale(ctx, next, ReceiptRefund, false); err != nil {
		return screenSale(next), err
	}
	return screenSale(next), nil
}

// ReviewList returns what the manager must look at, newest first: sales
// the platform rejected after sync (REVIEW), committed sales of the last
// 90 days carrying fraud warnings, and refunded or cancelled sales of any
// age the platform rejected after the fact (they cannot move to REVIEW, so
// sync/ marks them WarnSyncRejected), in every case not yet resolved.
func (s *Session) ReviewList(ctx context.Context) ([]Sale, error) {
	if err := s.require(ActReview); err != nil {
		return nil, err
	}
	t := s.t
	rejected, err := t.store.Sales(ctx, SaleFilter{States: []SaleState{SaleReview}})
	if err != nil {
		return nil, internal("list review sales", err)
	}
	warned, err := t.store.Sales(ctx, SaleFilter{From: t.clock.Now().Add(-reviewWindow),
		States: []SaleState{SaleCommitted}})
	if err != nil {
		return nil, internal("list warned sales", err)
	}
	// A refund or cancel the platform refused leaves the two sides
	// disagreeing (refunded here, sold there): listed whatever its age, as
	// REVIEW sales are.
	undone, err := t.store.Sales(ctx, SaleFilter{States: []SaleState{SaleRefunded, SaleCancelled}})
	if err != nil {
		return nil, internal("list refunded sales", err)
	}
	var out []Sale
	for _, sale := range append(append(rejected, warned...), undone...) {
		if needsReview(sale) {
			out = append(out, screenSale(sale))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// needsReview reports whether a sale belongs on the review list.
func needsReview(s Sale) bool {
	if !s.ReviewedAt.IsZero() {
		return false
	}
	if s.State == SaleReview || hasWarning(s.Warnings, WarnSyncRejected) {
		return true
	}
	return s.State == SaleCommitted && len(s.Warnings) > 0
}

// WarnSyncRejected marks a sale whose platform refusal arrived after it had
// already left the states that can go to REVIEW (refunded or cancelled
// locally before the item was synced). sync/ sets it; the review list shows
// it. Stored on disk.
const WarnSyncRejected = "SYNC_REJECTED"

func hasWarning(ws []Warning, code string) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}

// ResolveReview records the manager's decision on a reviewed sale: the
// note, who and when are saved on the sale with an audit entry, and the
// sale leaves the review list. The sale's state does not change; a sale
// that must be undone is refunded separately.
func (s *Session) ResolveReview(ctx context.Context, orderNo, note string) error {
	if err := s.require(ActReview); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if note == "" || len([]rune(note)) > maxReasonLen {
		return Errorf(CodeInvalidRequest, "write a note of 1 to %d characters", maxReasonLen)
	}
	t := s.t
	t.mutMu.Lock()
	defer t.mutMu.Unlock()
	sale, err := t.loadSale(ctx, orderNo)
	if err != nil {
		return err
	}
	if !needsReview(sale) {
		return Errorf(CodeIllegalState, "sale %s is not on the review list", orderNo)
	}
	now := t.clock.Now()
	sale.ReviewedBy, sale.ReviewedAt, sale.ReviewNote = s.staff.ID, now, note
	sale.UpdatedAt = now
	a := AuditEntry{At: now, Actor: s.staff.ID, Action: "review.resolve", Subject: orderNo,
		Detail: fmt.Sprintf("state=%s warnings=%d reject=%s", sale.State, len(sale.Warnings), sale.RejectCode)}
	if err := t.store.SaveSale(ctx, sale, a); err != nil {
		return internal("save review resolution", err)
	}
	return nil
}

// FailedPrintJobs lists receipts waiting for the operator. Any logged-in
// role may see and handle printer problems: whoever stands at the printer.
func (s *Session) FailedPrintJobs(ctx context.Context) ([]PrintJob, error) {
	if err := s.requireActive(); err != nil {
		return nil, err
	}
	if s.t.printer == nil {
		return nil, nil
	}
	jobs, err := s.t.printer.FailedJobs(ctx)
	if err != nil {
		return nil, internal("list failed print jobs", err)
	}
	return jobs, nil
}

// RetryPrint sends a failed print job to the printer again.
func (s *Session) RetryPrint(ctx context.Context, jobID string) error {
	return s.printJobAction(ctx, jobID, "print.retry", func(p ReceiptPrinter) error { return p.RetryJob(ctx, jobID) })
}

// SkipPrint gives up on a failed print job (the receipt can be reprinted
// from the sales list later).
func (s *Session) SkipPrint(ctx context.Context, jobID string) error {
	return s.printJobAction(ctx, jobID, "print.skip", func(p ReceiptPrinter) error { return p.SkipJob(ctx, jobID) })
}

func (s *Session) printJobAction(ctx context.Context, jobID, action string, fn func(ReceiptPrinter) error) error {
	if err := s.requireActive(); err != nil {
		return err
	}
	if s.t.printer == nil {
		return Errorf(CodePrintFailed, "no receipt printer is configured")
	}
	if err := fn(s.t.printer); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Errorf(CodeNotFound, "print job %s does not exist", jobID)
		}
		return internal(action, err)
	}
	s.t.auditOrLog(ctx, s.staff.ID, action, jobID, "")
	return nil
}

// requireActive refuses calls after Logout.
func (s *Session) requireActive() error {
	if s.closed.Load() {
		return Errorf(CodePermission, "session of %s has ended; log in again", s.staff.ID)
	}
	return nil
}

// loadSale reads a sale; CodeNotFound when the order number is unknown.
func (t *Terminal) loadSale(ctx context.Context, orderNo string) (Sale, error) {
	orderNo = strings.TrimSpace(orderNo)
	sale, err := t.store.Sale(ctx, orderNo)
	if errors.Is(err, ErrNotFound) {
		return Sale{}, Errorf(CodeNotFound, "no sale with order number %s", orderNo)
	}
	if err != nil {
		return Sale{}, internal("read sale", err)
	}
	return sale, nil
}

// screenSale returns a copy of s fit for a screen: the auth code is
// dropped and the phone masked (docs/DOMAIN.md, "Personal data and security").
func screenSale(s Sale) Sale {
	return *receiptSale(s)
}
