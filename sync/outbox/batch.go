package outbox

import (
	"context"

	"tradein/agent"
	"tradein/sync/api"
)

// sentBatch is one batch request and the platform's answer to it.
type sentBatch struct {
	group []agent.OutboxItem
	sales []agent.Sale // the sales sent, for refusals; nil for pickups
	res   api.BatchResult
	err   error // transport or platform error of the whole request
	// short reports that the batch ends early because an item after its
	// head could not be read: nothing may be sent after it (order).
	short bool
}

// deliverRun delivers a run of offline sales (or of pickups), BatchSize
// items per request, and settles every item the platform answered for.
//
// Requests go out strictly one after another, so the platform sees the
// items in queue order; but the next request is sent while the answer to
// the previous one is being settled in the store. Settling an item costs a
// durable SQLite commit, so this overlap nearly halves the drain time of a
// long queue. When the drainer stops early (failure, cancelled ctx) the
// request in flight may have been applied by the platform without being
// settled here: its items are resent later and the platform answers
// DUPLICATE, so nothing is counted twice.
func (d *Drainer) deliverRun(ctx context.Context, run []agent.OutboxItem) (outcome, error) {
	var chunks [][]agent.OutboxItem
	for len(run) > 0 {
		n := min(len(run), d.cfg.BatchSize)
		chunks = append(chunks, run[:n])
		run = run[n:]
	}
	answers := make(chan sentBatch, 1) // one request ahead of the settling
	stop := make(chan struct{})
	go func() {
		defer close(answers)
		for _, g := range chunks {
			b := d.sendBatch(ctx, g)
			select {
			case answers <- b:
			case <-stop:
				return
			}
			if b.err != nil || b.short {
				return
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	finish := func() {
		close(stop)
		for range answers { // wait for the sender; unsettled answers are resent later
		}
	}

	var out outcome
	for b := range answers {
		if b.err == nil {
			if err := d.settleBatch(ctx, b.group, b.sales, b.res, &out); err != nil || out.localErr != nil {
				finish()
				return out, err
			}
			continue
		}
		finish()
		return d.settleFailedBatch(ctx, b, out)
	}
	return out, nil
}

// settleFailedBatch handles a batch request that failed as a whole.
func (d *Drainer) settleFailedBatch(ctx context.Context, b sentBatch, out outcome) (outcome, error) {
	if !isFinal(b.err) {
		out.stuck = &b.group[0]
		return out, b.err
	}
	if len(b.group) > 1 {
		// The platform refused the batch as a whole (one malformed item?).
		// Send the head alone: its own verdict settles it, and the rest
		// follow in the next request.
		b = d.sendBatch(ctx, b.group[:1])
		if b.err == nil {
			err := d.settleBatch(ctx, b.group, b.sales, b.res, &out)
			return out, err
		}
		if !isFinal(b.err) {
			out.stuck = &b.group[0]
			return out, b.err
		}
	}
	var s *agent.Sale
	if b.sales != nil {
		s = &b.sales[0]
	}
	d.settleRefused(ctx, b.group[0], s, agent.CodeOf(b.err), reasonOf(b.err), &out)
	return out, nil
}

// sendBatch sends group as one batch request of its kind.
func (d *Drainer) sendBatch(ctx context.Context, group []agent.OutboxItem) sentBatch {
	b := sentBatch{group: group}
	switch group[0].Kind {
	case agent.OutboxSaleOffline:
		req := api.TransactionBatch{Items: make([]api.Transaction, 0, len(group))}
		b.sales = make([]agent.Sale, 0, len(group))
		for i, it := range group {
			s, err := d.saleOf(ctx, it)
			if err != nil {
				if i == 0 {
					b.err = err
					return b
				}
				b.group, b.short = group[:i], true
				break
			}
			b.sales = append(b.sales, s)
			req.Items = append(req.Items, api.TransactionFromSale(s, it.RequestNo))
		}
		req.RequestNo = batchRequestNo("TB", b.group)
		b.res, b.err = d.cfg.Platform.TransactionsBatch(ctx, req)
		d.observe(b.err)
	case agent.OutboxPickup:
		req := api.PickupBatch{Items: make([]api.PickupItem, 0, len(group))}
		for i, it := range group {
			p, err := decodePickup(it)
			if err != nil {
				if i == 0 {
					b.err = err
					return b
				}
				b.group, b.short = group[:i], true
				break
			}
			req.Items = append(req.Items, api.PickupFromDomain(p, it.RequestNo))
		}
		req.RequestNo = batchRequestNo("PB", b.group)
		b.res, b.err = d.cfg.Platform.PickupsBatch(ctx, req)
		d.observe(b.err)
	}
	return b
}
