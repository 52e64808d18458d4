package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// Audit actions written by the drainer. Stored on disk.
const (
	ActionDelivered     = "sync.delivered"  // the platform confirmed the item
	ActionReview        = "sale.review"     // the platform refused a sale, refund or cancel: on the review list
	ActionPickupRefused = "pickup.rejected" // the platform refused a pickup record
)

// WarnSyncRejected is the warning put on a sale whose refusal arrived after
// the sale had already left the states that can go to REVIEW (refunded or
// cancelled locally before the item was synced). Stored on disk.
// The agent's review list shows sales carrying it.
const WarnSyncRejected = agent.WarnSyncRejected

// deliverOne sends a commit, cancel or refund.
func (d *Drainer) deliverOne(ctx context.Context, it agent.OutboxItem) (outcome, error) {
	sale, err := d.saleOf(ctx, it)
	if err != nil {
		return outcome{}, err
	}
	switch it.Kind {
	case agent.OutboxSaleCommit:
		_, err = d.cfg.Platform.CommitVoucher(ctx, api.CommitRequestFromSale(sale, it.RequestNo))
	case agent.OutboxCancel:
		err = d.cfg.Platform.CancelVoucher(ctx, api.CancelRequestFromSale(sale, it.RequestNo))
	case agent.OutboxRefund:
		_, err = d.cfg.Platform.RefundVoucher(ctx, api.RefundRequestFromSale(sale, it.RequestNo))
	default:
		// An item kind this build does not know (written by a newer
		// version?): keep it at the head, loudly, rather than guess.
		return outcome{}, fmt.Errorf("outbox item %d: unknown kind %q", it.Seq, it.Kind)
	}
	d.observe(err)
	var out outcome
	switch {
	case err == nil:
		d.settleDelivered(ctx, it, &out)
	case isFinal(err):
		d.settleRefused(ctx, it, &sale, agent.CodeOf(err), reasonOf(err), &out)
	default:
		return out, err
	}
	return out, nil
}

// settleBatch applies the per-item verdicts of a batch, in order. Items are
// matched by request_no, not by position, so a platform answer that is
// short or reordered can never settle the wrong item; an item without a
// verdict stays queued, and the error makes the pass retry it.
//
// The items answered before the first one without a usable verdict are
// settled together in one store transaction (see complete).
//
// It adds to out; on a missing or unknown verdict it sets out.stuck to the
// item concerned and returns the error.
func (d *Drainer) settleBatch(ctx context.Context, group []agent.OutboxItem, sales []agent.Sale, res api.BatchResult, out *outcome) error {
	byReq := make(map[string]api.BatchItemResult, len(res.Items))
	for _, r := range res.Items {
		byReq[r.RequestNo] = r
	}
	settled := make([]settlement, 0, len(group))
	for i, it := range group {
		r, ok := byReq[it.RequestNo]
		if !ok {
			d.complete(ctx, settled, out)
			out.stuck = &group[i]
			return fmt.Errorf("outbox: batch answer has no verdict for item %d (request_no %s)", it.Seq, it.RequestNo)
		}
		switch r.Status {
		case api.ItemAccepted, api.ItemDuplicate:
			settled = append(settled, d.delivered(it))
		case api.ItemRejected:
			var s *agent.Sale
			if sales != nil {
				s = &sales[i]
			}
			st, err := d.refused(ctx, it, s, agent.Code(r.Code), r.Message)
			if err != nil {
				d.complete(ctx, settled, out)
				if out.localErr == nil {
					out.localErr = err
				}
				return nil
			}
			settled = append(settled, st)
		default:
			d.complete(ctx, settled, out)
			out.stuck = &group[i]
			return fmt.Errorf("outbox: item %d: unknown batch status %q", it.Seq, r.Status)
		}
	}
	d.complete(ctx, settled, out)
	return nil
}

// settlement is what settling one answered item writes to the store: the
// completion (item removed, sale saved, audit entry) and, for a refusal,
// the platform's code for the log.
type settlement struct {
	item    agent.OutboxItem
	done    agent.OutboxCompletion
	refused bool
	code    agent.Code
}

// settleDelivered removes a confirmed item and counts it in out (or sets
// out.localErr when the store failed).
func (d *Drainer) settleDelivered(ctx context.Context, it agent.OutboxItem, out *outcome) {
	d.complete(ctx, []settlement{d.delivered(it)}, out)
}

// delivered is the settlement of an item the platform confirmed.
func (d *Drainer) delivered(it agent.OutboxItem) settlement {
	a := agent.AuditEntry{
		At:      d.cfg.Clock.Now(),
		Actor:   "system",
		Action:  ActionDelivered,
		Subject: subjectOf(it),
		Detail:  fmt.Sprintf("%s request_no=%s attempts=%d", it.Kind, it.RequestNo, it.Attempts+1),
	}
	return settlement{item: it, done: agent.OutboxCompletion{Seq: it.Seq, Audit: a}}
}

// settleRefused removes an item the platform refused for good and, in the
// same transaction, puts its sale on the review list with the reason.
// queued is the sale as queued (nil for pickups); the current sale from
// Config.Sales is preferred when available.
func (d *Drainer) settleRefused(ctx context.Context, it agent.OutboxItem, queued *agent.Sale, code agent.Code, msg string, out *outcome) {
	st, err := d.refused(ctx, it, queued, code, msg)
	if err != nil {
		out.localErr = err
		return
	}
	d.complete(ctx, []settlement{st}, out)
}

// refused is the settlement of an item the platform refused for good: its
// sale moves to REVIEW (or, when it already left the states that can, keeps
// its state with a WarnSyncRejected warning) with the platform's code and
// reason, and an earlier review is cleared, so the manager always sees a
// sale on which the two sides disagree; a refused pickup is only audited.
func (d *Drainer) refused(ctx context.Context, it agent.OutboxItem, queued *agent.Sale, code agent.Code, msg string) (settlement, error) {
	now := d.cfg.Clock.Now()
	a := agent.AuditEntry{At: now, Actor: "system", Subject: subjectOf(it)}
	var sale *agent.Sale
	if it.Kind == agent.OutboxPickup {
		a.Action = ActionPickupRefused
		a.Detail = fmt.Sprintf("%s request_no=%s rejected %s: %s", it.Kind, it.RequestNo, code, msg)
	} else {
		s, err := d.currentSale(ctx, it, queued)
		if err != nil {
			return settlement{}, err
		}
		from := s.State
		if terr := s.TransitionTo(agent.SaleReview, now); terr != nil {
			// The sale moved on locally to a state that cannot go to
			// REVIEW (refunded or cancelled before the item was synced):
			// keep its state and record the refusal on it as a warning,
			// so it still reaches a person.
			s.UpdatedAt = now
			s.Warnings = append(s.Warnings, agent.Warning{Code: WarnSyncRejected,
				Detail: fmt.Sprintf("platform rejected %s: %s", it.Kind, code)})
		}
		s.RejectCode, s.RejectReason = string(code), msg
		// A refusal is a new disagreement with the platform: whatever the
		// manager decided about this sale before (the audit log keeps it),
		// this one needs its own review, so the sale is back on the list.
		s.ReviewedBy, s.ReviewedAt, s.ReviewNote = "", time.Time{}, ""
		sale = &s
		a.Action = ActionReview
		a.Detail = fmt.Sprintf("%s request_no=%s rejected %s: %s (state %s -> %s)", it.Kind, it.RequestNo, code, msg, from, s.State)
	}
	return settlement{item: it, done: agent.OutboxCompletion{Seq: it.Seq, Sale: sale, Audit: a}, refused: true, code: code}, nil
}

// complete writes settled in ONE store transaction
// (agent.Outbox.CompleteOutboxBatch: one durable commit for a whole batch
// answer instead of one per item) and counts the items in out, or sets
// out.localErr when the store failed.
//
// When an item is no longer queued (another drainer, e.g. terminalctl,
// settled it: the platform has it either way) the batch changes nothing
// and the items are completed one by one, each tolerating its own absence.
func (d *Drainer) complete(ctx context.Context, settled []settlement, out *outcome) {
	if len(settled) == 0 {
		return
	}
	done := make([]agent.OutboxCompletion, len(settled))
	for i, st := range settled {
		done[i] = st.done
	}
	err := d.cfg.Outbox.CompleteOutboxBatch(ctx, done)
	if errors.Is(err, agent.ErrNotFound) {
		for _, st := range settled {
			if err := d.cfg.Outbox.CompleteOutbox(ctx, st.done.Seq, st.done.Sale, st.done.Audit); err != nil && !errors.Is(err, agent.ErrNotFound) {
				out.localErr = fmt.Errorf("outbox: complete item %d: %w", st.item.Seq, err)
				return
			}
			d.count(st, out)
		}
		return
	}
	if err != nil {
		out.localErr = fmt.Errorf("outbox: complete %d items from item %d: %w", len(settled), settled[0].item.Seq, err)
		return
	}
	for _, st := range settled {
		d.count(st, out)
	}
}

// count adds a settled item to out, and logs a refusal.
func (d *Drainer) count(st settlement, out *outcome) {
	if !st.refused {
		out.delivered++
		return
	}
	d.log.Warn("platform refused outbox item; moved to review", "seq", st.item.Seq, "kind", st.item.Kind,
		"order_no", st.item.OrderNo, "code", st.code)
	out.refused++
}

// saleOf returns the sale to send for it: the queued payload, or the
// store's current sale when the payload cannot be read.
func (d *Drainer) saleOf(ctx context.Context, it agent.OutboxItem) (agent.Sale, error) {
	s, err := decodeSale(it)
	if err == nil {
		return s, nil
	}
	if d.cfg.Sales == nil || it.OrderNo == "" {
		return s, err
	}
	cur, lerr := d.cfg.Sales.Sale(ctx, it.OrderNo)
	if lerr != nil {
		return s, fmt.Errorf("%w (and the store has no sale: %v)", err, lerr)
	}
	d.log.Warn("outbox payload unreadable; sending the stored sale", "seq", it.Seq, "order_no", it.OrderNo, "err", err)
	return cur, nil
}

// currentSale returns the sale a refusal applies to: the store's current
// version when a lookup is configured, else the queued one.
func (d *Drainer) currentSale(ctx context.Context, it agent.OutboxItem, queued *agent.Sale) (agent.Sale, error) {
	if d.cfg.Sales != nil {
		s, err := d.cfg.Sales.Sale(ctx, it.OrderNo)
		if err == nil {
			return s, nil
		}
		if queued == nil {
			return agent.Sale{}, fmt.Errorf("outbox: load sale %s of refused item %d: %w", it.OrderNo, it.Seq, err)
		}
	}
	if queued == nil {
		s, err := decodeSale(it)
		return s, err
	}
	return *queued, nil
}

// reasonOf is the text of a refusal for the review list: the platform's
// message without the code (the code is stored on its own).
func reasonOf(err error) string {
	var e *agent.Error
	if errors.As(err, &e) && e.Detail != "" {
		return e.Detail
	}
	return err.Error()
}

// subjectOf is the audit subject of an item: its order number, or its
// request number when it has none.
func subjectOf(it agent.OutboxItem) string {
	if it.OrderNo != "" {
		return it.OrderNo
	}
	return it.RequestNo
}
