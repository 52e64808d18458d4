package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SetPaymentRef records the reference of the remainder's payment on the
// store's own payment terminal and moves the sale to PAID. The reference
// may be empty only when nothing is left to pay.
func (d *SaleWizard) SetPaymentRef(ctx context.Context, ref string) (Sale, error) {
	defer d.lock()()
	if err := d.s.require(ActSell); err != nil {
		return Sale{}, err
	}
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "" && d.sale.PayFen > 0:
		return Sale{}, Errorf(CodeInvalidRequest, "enter the payment reference of the %s paid", d.sale.PayFen)
	case len(ref) > maxPaymentRefLen || !printableASCII(ref):
		return Sale{}, Errorf(CodeInvalidRequest, "the payment reference has at most %d printable characters", maxPaymentRefLen)
	}
	next := d.sale
	next.PaymentRef = ref
	if err := next.TransitionTo(SalePaid, d.t.clock.Now()); err != nil {
		return Sale{}, err
	}
	if err := d.saveLocked(ctx, next, "sale.paid", fmt.Sprintf("pay_fen=%d", next.PayFen)); err != nil {
		return Sale{}, err
	}
	d.sale = next
	return screenSale(next), nil
}

// Commit makes the sale durable: ONE store transaction writes the
// COMMITTED sale, its audit entry, its outbox row (SALE_COMMIT with the
// frozen_no online, SALE_OFFLINE offline) and its receipt's print job
// (Store.CommitSale), so a crash right after the commit cannot lose the
// receipt.
//
// A receipt that cannot be rendered never fails the sale: Commit then
// commits without it and returns the committed sale, an empty job id and
// an error coded CodePrintFailed (also available from PrintError); the
// manager can reprint later. Any other error means nothing was written and Commit may
// be called again. Commit (like Cancel) still works after the session
// logged out: the consumer has paid, so the sale must be finished.
func (d *SaleWizard) Commit(ctx context.Context) (Sale, string, error) {
	defer d.lock()()
	if err := d.s.roleAllows(ActSell); err != nil {
		return Sale{}, "", err
	}
	t := d.t
	now := t.clock.Now()
	next := d.sale
	if next.PayFen+next.SubsidyFen != next.FinalPriceFen || next.SubsidyFen < 0 || next.PayFen < 0 {
		return Sale{}, "", Errorf(CodeInternal, "amounts do not add up: pay %d + subsidy %d != price %d", next.PayFen, next.SubsidyFen, next.FinalPriceFen)
	}
	if !next.Offline && !next.FrozenUntil.IsZero() && now.After(next.FrozenUntil) {
		next.Warnings = mergeWarnings(next.Warnings, []Warning{{Code: WarnFreezeExpired,
			Detail: "committed after the voucher freeze expired at " + next.FrozenUntil.In(ChinaTime).Format(time.RFC3339)}})
	}
	if err := next.TransitionTo(SaleCommitted, now); err != nil {
		return Sale{}, "", err
	}
	kind := commitKind(next)
	detail := fmt.Sprintf("%s final_fen=%d subsidy_fen=%d pay_fen=%d", kind, next.FinalPriceFen, next.SubsidyFen, next.PayFen)
	if len(next.Warnings) > 0 {
		detail += fmt.Sprintf(" warnings=%d", len(next.Warnings))
	}
	jobID, printErr, err := t.commitSale(ctx, d.s.staff.ID, next, kind, "sale.commit", detail)
	if err != nil {
		return Sale{}, "", err
	}
	d.sale = next
	t.live.Delete(next.OrderNo)
	t.log.Info("sale committed", "order", next.OrderNo, "offline", next.Offline, "subsidy_fen", int64(next.SubsidyFen))
	if printErr != nil {
		d.printErr = printErr
		return screenSale(next), "", printErr
	}
	return screenSale(next), jobID, nil
}

// commitSale stores the COMMITTED sale s with its outbox row of kind, the
// audit entry and its receipt's print job in one transaction, then wakes
// the spooler. A receipt that cannot be rendered is left out (printErr,
// coded CodePrintFailed) and never fails the commit; err means nothing
// was written.
func (t *Terminal) commitSale(ctx context.Context, actor string, s Sale, kind OutboxKind, action, detail string) (jobID string, printErr, err error) {
	now := t.clock.Now()
	payload, err := json.Marshal(s)
	if err != nil {
		return "", nil, internal("encode outbox payload", err)
	}
	item := OutboxItem{Kind: kind, RequestNo: t.ids.next(prefixRequest, now), OrderNo: s.OrderNo,
		Payload: payload, CreatedAt: now, NextAttemptAt: now}
	a := AuditEntry{At: now, Actor: actor, Action: action, Subject: s.OrderNo, Detail: detail}
	var job *PrintJob
	if t.printer != nil {
		j, err := t.printer.PrepareReceipt(ctx, t.saleReceipt(ctx, s, ReceiptSale, false))
		if err != nil {
			t.log.Warn("receipt not queued", "order", s.OrderNo, "err", err)
			printErr = &Error{Code: CodePrintFailed, Detail: "receipt of " + s.OrderNo + " was not queued; the sale is saved, reprint it later", Err: err}
		} else {
			job = &j
		}
	}
	if err := t.store.CommitSale(ctx, s, a, item, job); err != nil {
		return "", nil, internal("save sale "+s.OrderNo, err)
	}
	if job == nil {
		return "", printErr, nil
	}
	t.printer.Wake()
	return job.ID, nil, nil
}

// commitKind is the outbox kind that delivers committed sale s: the
// voucher commit of its freeze online, the transaction batch offline.
func commitKind(s Sale) OutboxKind {
	if s.Offline {
		return OutboxSaleOffline
	}
	return OutboxSaleCommit
}

// Cancel abandons the sale. A voucher the platform froze (FROZEN, or PAID
// online) is released: the CANCELLED sale and a CANCEL outbox row are
// saved together. A draft or an offline-accepted sale only leaves an audit
// entry. A committed sale cannot be cancelled: the manager refunds it.
func (d *SaleWizard) Cancel(ctx context.Context, reason string) error {
	defer d.lock()()
	if err := d.s.roleAllows(ActSell); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	t := d.t
	now := t.clock.Now()
	next := d.sale
	if err := next.TransitionTo(SaleCancelled, now); err != nil {
		return err
	}
	switch {
	case next.FrozenNo != "":
		if err := d.saveWithOutbox(ctx, next, OutboxCancel, "sale.cancel", reasonDetail(reason)); err != nil {
			return err
		}
	case d.sale.State != SaleDraft: // stored at Confirm: store the cancellation
		if err := d.saveLocked(ctx, next, "sale.cancel", reasonDetail(reason)); err != nil {
			return err
		}
	default: // a draft was never stored
		if err := t.audit(ctx, d.s.staff.ID, "sale.cancel", next.OrderNo, reasonDetail(reason)); err != nil {
			return internal("audit cancel", err)
		}
	}
	d.sale = next
	t.live.Delete(next.OrderNo)
	return nil
}

// saveLocked stores s (a state between Confirm and Commit) with its audit
// entry, without an outbox row. d.mu must be held.
func (d *SaleWizard) saveLocked(ctx context.Context, s Sale, action, detail string) error {
	a := AuditEntry{At: d.t.clock.Now(), Actor: d.s.staff.ID, Action: action, Subject: s.OrderNo, Detail: detail}
	if err := d.t.store.SaveSale(ctx, s, a); err != nil {
		return internal("save sale "+s.OrderNo, err)
	}
	return nil
}

// saveWithOutbox saves s with one outbox row of kind and the audit entry,
// in one store transaction. The outbox row gets its own request number: the
// platform's idempotency key for that call.
func (d *SaleWizard) saveWithOutbox(ctx context.Context, s Sale, kind OutboxKind, action, detail string) error {
	return d.t.saveSaleWithOutbox(ctx, d.s.staff.ID, s, kind, action, detail)
}

// saveSaleWithOutbox is the one place that writes a sale with an outbox row.
func (t *Terminal) saveSaleWithOutbox(ctx context.Context, actor string, s Sale, kind OutboxKind, action, detail string) error {
	now := t.clock.Now()
	payload, err := json.Marshal(s)
	if err != nil {
		return internal("encode outbox payload", err)
	}
	item := OutboxItem{
		Kind:          kind,
		RequestNo:     t.ids.next(prefixRequest, now),
		OrderNo:       s.OrderNo,
		Payload:       payload,
		CreatedAt:     now,
		NextAttemptAt: now,
	}
	a := AuditEntry{At: now, Actor: actor, Action: action, Subject: s.OrderNo, Detail: detail}
	if err := t.store.SaveSale(ctx, s, a, item); err != nil {
		return internal("save sale "+s.OrderNo, err)
	}
	return nil
}

// printSale queues the receipt of s. Personal data is masked first.
func (t *Terminal) printSale(ctx context.Context, s Sale, kind ReceiptKind, reprint bool) (string, error) {
	if t.printer == nil {
		return "", nil
	}
	id, err := t.printer.PrintReceipt(ctx, t.saleReceipt(ctx, s, kind, reprint))
	if err != nil {
		t.log.Warn("receipt not queued", "order", s.OrderNo, "kind", kind, "err", err)
		return "", &Error{Code: CodePrintFailed, Detail: "receipt of " + s.OrderNo + " was not queued; the sale is saved, reprint it later", Err: err}
	}
	return id, nil
}

// saleReceipt is the receipt of kind for s, personal data masked.
// The category names are the rules' own, from the sets in force when the
// sale was made.
func (t *Terminal) saleReceipt(ctx context.Context, s Sale, kind ReceiptKind, reprint bool) Receipt {
	r := Receipt{
		Kind:      kind,
		Store:     t.info,
		Reprint:   reprint,
		Sale:      receiptSale(s),
		VerifyURL: t.verifyURL(s.OrderNo),
		PrintedAt: t.clock.Now(),
	}
	cats := []Category{s.Product.Category}
	if s.TradeIn != nil {
		cats = append(cats, s.TradeIn.Category)
	}
	r.CategoryNames = t.categoryNamesZH(ctx, s.CreatedAt, cats...)
	return r
}

// verifyURL is the receipt's verification QR content; "" without a base.
func (t *Terminal) verifyURL(orderNo string) string {
	if t.verify == "" {
		return ""
	}
	return t.verify + orderNo
}

// receiptSale returns a copy of s fit for paper: the auth code is dropped
// and the phone masked.
func receiptSale(s Sale) *Sale {
	c := copySale(s)
	c.Consumer.AuthCode = ""
	if c.Consumer.Phone != "" {
		c.Consumer.Phone = MaskPhone(c.Consumer.Phone)
	}
	return &c
}
