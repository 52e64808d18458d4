package agent

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Confirm asks for the subsidy. Online, the platform freezes the voucher
// (FROZEN) and its discount is authoritative. When the platform cannot be
// reached, or the terminal is offline, the offline policy decides
// (OFFLINE_ACCEPTED): signed codes only, per-sale and pending caps, the age
// of the oldest unsynced sale, and one voucher / one SN once locally.
// Platform refusals keep their platform codes.
func (d *SaleWizard) Confirm(ctx context.Context) (Sale, error) {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return Sale{}, err
	}
	s := &d.sale
	t := d.t
	switch {
	case s.Consumer.AuthCode == "":
		return Sale{}, Errorf(CodeInvalidCode, "scan the consumer's qualification code first")
	case !d.haveRule:
		return Sale{}, Errorf(CodeInvalidRequest, "scan the product barcode first")
	case !d.quoted:
		return Sale{}, Errorf(CodeInvalidAmount, "enter the final price first")
	}
	// now is the sale's transaction time: the rule set in force at now
	// computes it, here and at the platform, whenever it is delivered.
	now := t.clock.Now()
	// Read the cached sets again: a refresh since the sale started may
	// have paused the category or published a new set.
	if sets, err := t.store.Rules(ctx); err == nil {
		d.sets = sets
	}
	// Campaign, region, pause, SN and trade-in requirements of that set.
	if _, _, err := CheckSaleRulesAt(d.sets, *s, t.info.CountyCode, now); err != nil {
		return Sale{}, err
	}
	// The quote may be minutes old: check again with fresh history, under
	// the set in force now. When a change of sets altered the subsidy the
	// clerk quoted, the new quote is shown before anything is frozen.
	quoted := s.SubsidyFen
	q, err := d.quoteLocked(ctx, s.FinalPriceFen, now)
	if err != nil {
		return Sale{}, err
	}
	if q.SubsidyFen != quoted {
		d.quoted = false
		return Sale{}, Errorf(CodeInvalidAmount, "the rules changed to %s: the subsidy is now %s instead of %s; enter the price again to confirm",
			d.rules.ID, q.SubsidyFen, quoted)
	}
	if d.claims != nil {
		if _, err := VerifyConsumerCode(s.Consumer.AuthCode, t.key, now); err != nil {
			return Sale{}, err
		}
	}

	if t.isOnline() {
		sale, err := d.confirmOnlineLocked(ctx, now)
		if !errors.Is(err, ErrPlatformDown) {
			return sale, err
		}
		t.log.Warn("platform unreachable during confirm; trying the offline policy", "order", s.OrderNo)
	}
	return d.confirmOfflineLocked(ctx, now)
}

// confirmOnlineLocked freezes the voucher at the platform. d.mu must be held.
func (d *SaleWizard) confirmOnlineLocked(ctx context.Context, now time.Time) (Sale, error) {
	s := &d.sale
	t := d.t
	fr, err := t.platform.TryVoucher(ctx, VoucherTry{
		RequestNo:  s.RequestNo,
		AuthCode:   s.Consumer.AuthCode,
		Category:   s.Product.Category,
		CountyCode: t.info.CountyCode,
		Barcode:    s.Product.Barcode,
		SN:         s.SN,
		AmountFen:  s.FinalPriceFen,
		RuleSetID:  s.RuleSetID,
		TransTime:  now,
	})
	if err != nil {
		return Sale{}, err
	}
	next := *s
	next.ConfirmedAt = now
	next.FrozenNo = fr.FrozenNo
	next.FrozenUntil = fr.FrozenUntil
	if fr.VoucherID != "" {
		next.Consumer.VoucherID = fr.VoucherID
	}
	if fr.CRef != "" {
		next.Consumer.CRef = fr.CRef
	}
	if fr.MaskedConsumer != "" {
		next.Consumer.Masked = fr.MaskedConsumer
	}
	if fr.DiscountFen != s.SubsidyFen {
		next.Warnings = mergeWarnings(next.Warnings, []Warning{{Code: WarnSubsidyDiffers,
			Detail: fmt.Sprintf("platform discount %s, local computation %s", fr.DiscountFen, s.SubsidyFen)}})
		next.SubsidyFen = fr.DiscountFen
	}
	next.PayFen = next.FinalPriceFen - next.SubsidyFen
	if next.SubsidyFen < 0 || next.PayFen < 0 || (fr.PayFen != 0 && fr.PayFen != next.PayFen) {
		d.cancelFrozenLocked(ctx, next, "platform amounts inconsistent")
		return Sale{}, Errorf(CodeInternal, "platform amounts do not add up: price %s, discount %s, pay %s", next.FinalPriceFen, fr.DiscountFen, fr.PayFen)
	}
	// An opaque code's voucher is known only now; a sale captured offline
	// with the same voucher and not yet synced is invisible to the platform.
	if !next.Consumer.Signed && next.Consumer.VoucherID != "" {
		used, orderNo, err := d.voucherUsedLocally(ctx, next.Consumer.VoucherID)
		if err != nil {
			d.cancelFrozenLocked(ctx, next, "local voucher check failed")
			return Sale{}, err
		}
		if used {
			d.cancelFrozenLocked(ctx, next, "voucher already used on this terminal")
			return Sale{}, Errorf(CodeVoucherUsed, "this voucher already paid for order %s", orderNo)
		}
	}
	if err := next.TransitionTo(SaleFrozen, now); err != nil {
		return Sale{}, err
	}
	// Stored at once, so that a crash before Commit leaves a record that
	// Recover can cancel (releasing the voucher) instead of a silent freeze.
	if err := d.saveLocked(ctx, next, "sale.freeze", fmt.Sprintf("frozen_no=%s subsidy_fen=%d", next.FrozenNo, next.SubsidyFen)); err != nil {
		t.log.Error("voucher frozen but the sale could not be stored; the freeze expires at the platform", "order", next.OrderNo, "err", err)
		return Sale{}, err
	}
	*s = next
	return screenSale(*s), nil
}

// cancelFrozenLocked releases a voucher the platform froze for a sale that
// will not go ahead: the CANCELLED sale and its CANCEL outbox row are saved
// in one transaction and sync/ sends the cancel. d.mu must be held.
func (d *SaleWizard) cancelFrozenLocked(ctx context.Context, s Sale, reason string) {
	t := d.t
	if err := s.TransitionTo(SaleCancelled, t.clock.Now()); err != nil {
		t.log.Error("cancel frozen voucher", "order", s.OrderNo, "err", err)
		return
	}
	if err := d.saveWithOutbox(ctx, s, OutboxCancel, "sale.cancel", reason); err != nil {
		t.log.Error("queue voucher cancel", "order", s.OrderNo, "err", err)
		return
	}
	d.sale = s
}

// confirmOfflineLocked applies the offline policy. d.mu must be held.
func (d *SaleWizard) confirmOfflineLocked(ctx context.Context, now time.Time) (Sale, error) {
	s := &d.sale
	t := d.t
	pending, err := t.store.Pending(ctx)
	if err != nil {
		return Sale{}, internal("read pending summary", err)
	}
	check := OfflineCheck{Policy: d.rules.Offline, Pending: pending, Now: now}
	if s.Consumer.VoucherID != "" {
		used, _, err := d.voucherUsedLocally(ctx, s.Consumer.VoucherID)
		if err != nil {
			return Sale{}, err
		}
		check.VoucherUsedLocally = used
	}
	if s.SN != "" {
		sns, err := t.store.SalesBySN(ctx, s.SN)
		if err != nil {
			return Sale{}, internal("read SN history", err)
		}
		for _, o := range otherSales(sns, s.OrderNo) {
			if HoldsSN(o.State) {
				check.SNUsedLocally = true
			}
		}
	}
	if err := CheckOffline(*s, check); err != nil {
		return Sale{}, err
	}
	next := *s
	next.Offline = true
	next.ConfirmedAt = now
	if err := next.TransitionTo(SaleOfflineAccepted, now); err != nil {
		return Sale{}, err
	}
	if err := d.saveLocked(ctx, next, "sale.offline_accept", fmt.Sprintf("subsidy_fen=%d", next.SubsidyFen)); err != nil {
		return Sale{}, err
	}
	*s = next
	return screenSale(*s), nil
}
