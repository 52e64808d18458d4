package outbox

import (
	"context"
	"errors"
	"fmt"

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
// It adds to out; on a missing or unknown verdict it sets out.stuck to the
// item concerned and returns the error.
func (d *Drainer) settleBatch(ctx context.Context, group []agent.OutboxItem, sales []agent.Sale, res api.BatchResult, out *outcome) error {
	byReq := make(map[string]api.BatchItemResult, len(res.Items))
	for _, r := range res.Items {
		byReq[r.RequestNo] = r
	}
	for i, it := range group {
		r, ok := byReq[it.RequestNo]
		if !ok {
			out.stuck = &group[i]
			return fmt.Errorf("outbox: batch answer has no verdict for item %d (request_no %s)", it.Seq, it.RequestNo)
		}
		switch r.Status {
		case api.ItemAccepted, api.ItemDuplicate:
			d.settleDelivered(ctx, it, out)
		case api.ItemRejected:
			var s *agent.Sale
			if sales != nil {
				s = &sales[i]
			}
			d.settleRefused(ctx, it, s, agent.Code(r.Code), r.Message, out)
		default:
			out.stuck = &group[i]
			return fmt.Errorf("outbox: item %d: unknown batch status %q", it.Seq, r.Status)
		}
		if out.localErr != nil {
			return nil
		}
	}
	return nil
}

// settleDelivered removes a confirmed item and counts it in out (or sets
// out.localErr when the store failed).
func (d *Drainer) settleDelivered(ctx context.Context, it agent.OutboxItem, out *outcome) {
	a := agent.AuditEntry{
		At:      d.cfg.Clock.Now(),
		Actor:   "system",
		Action:  ActionDelivered,
		Subject: subjectOf(it),
		Detail:  fmt.Sprintf("%s request_no=%s attempts=%d", it.Kind, it.RequestNo, it.Attempts+1),
	}
	if err := d.cfg.Outbox.CompleteOutbox(ctx, it.Seq, nil, a); err != nil && !errors.Is(err, agent.ErrNotFound) {
		// ErrNotFound: the item is already gone (another drainer, e.g.
		// terminalctl, settled it): the platform has it either way.
		out.localErr = fmt.Errorf("outbox: complete item %d: %w", it.Seq, err)
		return
	}
	out.delivered++
}

// settleRefused removes an item the platform refused for good and, in the
// same transaction, puts its sale on the review list with the reason.
// queued is the sale as queued (nil for pickups); the current sale from
// Config.Sales is preferred when available.
func (d *Drainer) settleRefused(ctx context.Context, it agent.OutboxItem, queued *agent.Sale, code agent.Code, msg string, out *outcome) {
	now := d.cfg.Clock.Now()
	a := agent.AuditEntry{At: now, Actor: "system", Subject: subjectOf(it)}
	var sale *agent.Sale
	if it.Kind == agent.OutboxPickup {
		a.Action = ActionPickupRefused
		a.Detail = fmt.Sprintf("%s request_no=%s rejected %s: %s", it.Kind, it.RequestNo, code, msg)
	} else {
		s, err := d.currentSale(ctx, it, queued)
		if err != nil {
			out.localErr = err
			return
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
		sale = &s
		a.Action = ActionReview
		a.Detail = fmt.Sprintf("%s request_no=%s rejected %s: %s (state %s -> %s)", it.Kind, it.RequestNo, code, msg, from, s.State)
	}
	if err := d.cfg.Outbox.CompleteOutbox(ctx, it.Seq, sale, a); err != nil && !errors.Is(err, agent.ErrNotFound) {
		out.localErr = fmt.Errorf("outbox: settle refused item %d: %w", it.Seq, err)
		return
	}
	d.log.Warn("platform refused outbox item; moved to review", "seq", it.Seq, "kind", it.Kind, "order_no", it.OrderNo, "code", code)
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
