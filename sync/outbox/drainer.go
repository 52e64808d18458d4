// Package outbox delivers the terminal's outbox to the central platform,
// exactly once and in order (docs/DOMAIN.md).
//
// Every sale, cancellation, refund and pickup is durable in the store's
// outbox before anything is sent. The Drainer sends the items in Seq order
// and removes an item only when the platform confirmed that very item
// (agent.Outbox.CompleteOutbox). Consecutive offline sales travel together
// in one POST /v1/transactions/batch and consecutive pickups in one
// POST /v1/pickups/batch; commits, cancellations and refunds go one by one.
//
// Exactly once rests on two facts: an item is removed only after the
// platform answered for it, and every request carries the item's stored
// request_no, which the platform treats as an idempotency key. A crash
// between the platform's answer and the removal therefore only causes a
// resend, which the platform answers with the original result (DUPLICATE in
// a batch). Nothing is ever dropped: a refusal moves the sale to REVIEW in
// the same transaction that removes the item, with an audit entry.
//
// A transient failure (unreachable, 5xx, timeout, 429, UNAUTHORIZED) leaves
// the head item in place with a backoff (agent/backoff), and the head blocks
// every later item, so the platform sees the terminal's history in order.
package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/sync/api"
	"tradein/sync/status"
)

// SaleLookup reads the current state of a sale. agent.Store implements it.
// The drainer uses it to move a refused sale to REVIEW from its current
// state rather than from the snapshot queued in the outbox (the sale may
// have changed since, e.g. refunded before it was synced).
type SaleLookup interface {
	Sale(ctx context.Context, orderNo string) (agent.Sale, error)
}

// Config wires a Drainer. Outbox and Platform are required.
type Config struct {
	Outbox   agent.Outbox
	Platform Platform
	// Sales, when set, supplies the current sale for refusals; otherwise
	// the sale queued in the item's payload is used.
	Sales SaleLookup
	Clock agent.Clock
	// Retry is the backoff applied to the head item after a transient
	// failure. A zero Base means DefaultRetry.
	Retry backoff.Policy
	// BatchSize bounds the items of one batch request; 0 or anything above
	// api.MaxBatchItems means api.MaxBatchItems.
	BatchSize int
	// Status, when set, is told the outcome of every platform call.
	Status *status.Tracker
	// IdlePoll is how often Run looks at the queue when nothing kicked it;
	// 0 means 30 s. New sales Kick the drainer, so this is only a safety
	// net for items queued by another process (terminalctl queue retry).
	IdlePoll time.Duration
	Logger   *slog.Logger
	// AfterDelivery, when set, is called at the end of every pass in
	// which the platform confirmed or refused at least one item, with the
	// pass's context: the app reports its audit-chain head to the platform
	// there (sync/anchor), so the anchor moves with every delivery. It
	// runs while the pass lock is held and must not call the Drainer.
	AfterDelivery func(ctx context.Context)
}

// DefaultRetry is the outbox backoff: 1 s doubling to 5 min with ±20 %
// jitter. Five minutes keeps the queue moving soon after an outage ends even
// without a probe; the jitter spreads a store's terminals apart.
var DefaultRetry = backoff.Policy{Base: time.Second, Max: 5 * time.Minute, Jitter: 0.2}

// Drainer delivers the outbox. It is safe for concurrent use; passes are
// serialised by an internal mutex, so Kick and Run never send one item twice
// concurrently.
type Drainer struct {
	cfg  Config
	log  *slog.Logger
	kick chan struct{}

	// forceNext, when set, makes the next pass ignore the head item's
	// backoff: the platform just came back, so the outage the backoff was
	// waiting out is over.
	forceMu   sync.Mutex
	forceNext bool

	passMu sync.Mutex // held for a whole pass
}

// New returns a Drainer for cfg.
func New(cfg Config) (*Drainer, error) {
	if cfg.Outbox == nil || cfg.Platform == nil {
		return nil, errors.New("outbox: Config.Outbox and Config.Platform are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = agent.SystemClock{}
	}
	if cfg.Retry.Base <= 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > api.MaxBatchItems {
		cfg.BatchSize = api.MaxBatchItems
	}
	if cfg.IdlePoll <= 0 {
		cfg.IdlePoll = 30 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Drainer{cfg: cfg, log: log.With("component", "outbox"), kick: make(chan struct{}, 1)}, nil
}

// Result summarises one drain pass.
type Result struct {
	Delivered int // items the platform confirmed (ACCEPTED, DUPLICATE or OK)
	Refused   int // items the platform refused for good; their sales are in REVIEW
	// NextAttempt is when the head item may be tried again; zero when the
	// queue is empty.
	NextAttempt time.Time
	// LastErr is the transient failure that stopped the pass, if any.
	LastErr error
}

// Kick asks Run to drain now (call it after committing a sale). It never
// blocks; kicks while a pass is running coalesce into one more pass.
func (d *Drainer) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Resume asks Run to drain now and to ignore the head item's backoff once,
// because the platform is reachable again.
func (d *Drainer) Resume() {
	d.forceMu.Lock()
	d.forceNext = true
	d.forceMu.Unlock()
	d.Kick()
}

// Run drains whenever kicked, when the head item's backoff expires, and
// every IdlePoll, until ctx ends. When Config.Status is set it also resumes
// as soon as the platform is seen online again.
func (d *Drainer) Run(ctx context.Context) error {
	if d.cfg.Status != nil {
		// Subscribers run in whichever goroutine observed the change.
		var wasOnline atomic.Bool
		wasOnline.Store(d.cfg.Status.State().Online)
		cancel := d.cfg.Status.Subscribe(func(s status.State) {
			if was := wasOnline.Swap(s.Online); s.Online && !was {
				d.Resume()
			}
		})
		defer cancel()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	localFailures := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.kick:
		case <-timer.C:
		}
		d.forceMu.Lock()
		force := d.forceNext
		d.forceNext = false
		d.forceMu.Unlock()

		res, err := d.drain(ctx, force)
		wait := d.cfg.IdlePoll
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			// The store failed (disk full, locked): retry the pass with the
			// same policy rather than spinning.
			localFailures++
			wait = d.cfg.Retry.Delay(localFailures)
			d.log.Error("outbox pass failed", "err", err, "retry_in", wait)
		default:
			localFailures = 0
			if !res.NextAttempt.IsZero() {
				wait = min(max(res.NextAttempt.Sub(d.cfg.Clock.Now()), 0), d.cfg.IdlePoll)
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// Drain delivers due items until the queue is empty, the head item is
// waiting out a backoff, or a transient failure stops it. The returned
// error reports local failures only (the store, a cancelled ctx); platform
// failures are in Result.LastErr and scheduled for retry.
func (d *Drainer) Drain(ctx context.Context) (Result, error) {
	return d.drain(ctx, false)
}

// DrainNow is Drain ignoring the head item's backoff once (terminalctl
// "queue retry", the UI's 立即同步 button).
func (d *Drainer) DrainNow(ctx context.Context) (Result, error) {
	return d.drain(ctx, true)
}

func (d *Drainer) drain(ctx context.Context, force bool) (Result, error) {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	res, err := d.pass(ctx, force)
	if d.cfg.AfterDelivery != nil && res.Delivered+res.Refused > 0 && ctx.Err() == nil {
		d.cfg.AfterDelivery(ctx)
	}
	return res, err
}

// pass is one drain pass; d.passMu is held.
func (d *Drainer) pass(ctx context.Context, force bool) (Result, error) {
	var res Result
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		items, err := d.cfg.Outbox.OutboxItems(ctx, d.cfg.BatchSize*pipelineBatches)
		if err != nil {
			return res, fmt.Errorf("outbox: list items: %w", err)
		}
		if len(items) == 0 {
			res.NextAttempt = time.Time{}
			return res, nil
		}
		head := items[0]
		now := d.cfg.Clock.Now()
		if !force && head.NextAttemptAt.After(now) {
			res.NextAttempt = head.NextAttemptAt
			return res, nil
		}
		force = false

		out, sendErr := d.deliver(ctx, leadingRun(items))
		res.Delivered += out.delivered
		res.Refused += out.refused
		if out.localErr != nil {
			return res, out.localErr
		}
		if d.cfg.Status != nil && out.delivered+out.refused > 0 {
			d.cfg.Status.Synced(out.delivered + out.refused)
		}
		if sendErr == nil {
			continue
		}
		if ctx.Err() != nil {
			// Our own cancellation, not the platform's failure: leave the
			// item as it was.
			return res, ctx.Err()
		}
		stuck := head
		if out.stuck != nil {
			stuck = *out.stuck
		}
		next, err := d.scheduleRetry(ctx, stuck, sendErr)
		if err != nil {
			return res, err
		}
		res.NextAttempt, res.LastErr = next, sendErr
		return res, nil
	}
}

// leadingRun returns the items delivered together with the head: the
// consecutive offline sales (or pickups) at the head of the queue, or just
// the head for the kinds that have no batch endpoint.
func leadingRun(items []agent.OutboxItem) []agent.OutboxItem {
	k := items[0].Kind
	if k != agent.OutboxSaleOffline && k != agent.OutboxPickup {
		return items[:1]
	}
	n := 1
	for n < len(items) && items[n].Kind == k {
		n++
	}
	return items[:n]
}

// scheduleRetry records the failed attempt on the head item: the next try
// follows the retry policy, never before a 429's Retry-After.
func (d *Drainer) scheduleRetry(ctx context.Context, head agent.OutboxItem, sendErr error) (time.Time, error) {
	wait := d.cfg.Retry.Delay(head.Attempts + 1)
	if ra := retryAfter(sendErr); ra > wait {
		wait = ra
	}
	next := d.cfg.Clock.Now().Add(wait)
	if err := d.cfg.Outbox.RetryOutbox(ctx, head.Seq, next, sendErr.Error()); err != nil {
		return time.Time{}, fmt.Errorf("outbox: record retry of item %d: %w", head.Seq, err)
	}
	lvl := slog.LevelWarn
	if agent.CodeOf(sendErr) == agent.CodeUnauthorized {
		// Retrying never fixes this: say so loudly.
		lvl = slog.LevelError
		sendErr = fmt.Errorf("platform refused the terminal's signature; check the system clock (must be within %s of the platform) and the enrollment: %w", api.MaxSkew, sendErr)
	}
	d.log.Log(ctx, lvl, "outbox delivery failed; will retry",
		"seq", head.Seq, "kind", head.Kind, "attempt", head.Attempts+1, "retry_in", wait, "err", sendErr)
	return next, nil
}

// pipelineBatches is how many batches one look at the queue covers: a run
// of up to this many batches is sent back to back (see deliverRun) before
// the queue is read again.
const pipelineBatches = 10

// outcome is what delivering a run did to the queue.
type outcome struct {
	delivered, refused int
	localErr           error // the store failed; stop the pass
	// stuck is the item a transient failure left unsettled, when it is not
	// the head of the run (a later batch failed): it gets the retry.
	stuck *agent.OutboxItem
}

// deliver sends run (the head and, for batch kinds, the items of the same
// kind right after it) and settles every item the platform answered for.
// It returns the transport or platform error that left an item unsettled,
// if any.
func (d *Drainer) deliver(ctx context.Context, run []agent.OutboxItem) (outcome, error) {
	switch run[0].Kind {
	case agent.OutboxSaleOffline, agent.OutboxPickup:
		return d.deliverRun(ctx, run)
	default:
		return d.deliverOne(ctx, run[0])
	}
}

// batchRequestNo derives the request_no of a batch from its items' keys:
// resending the same batch replays the original answer, and a different
// batch (after some items were settled) never collides with it.
func batchRequestNo(prefix string, items []agent.OutboxItem) string {
	h := sha256.New()
	for _, it := range items {
		h.Write([]byte(it.RequestNo))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil))[:30]
}

// observe tells the status tracker about a platform call.
func (d *Drainer) observe(err error) {
	if d.cfg.Status != nil {
		d.cfg.Status.Observe(err)
	}
}

// decodeSale reads the Sale queued in an item.
func decodeSale(it agent.OutboxItem) (agent.Sale, error) {
	var s agent.Sale
	if err := json.Unmarshal(it.Payload, &s); err != nil {
		return s, fmt.Errorf("outbox item %d (%s): decode sale: %w", it.Seq, it.Kind, err)
	}
	return s, nil
}

// decodePickup reads the Pickup queued in an item.
func decodePickup(it agent.OutboxItem) (agent.Pickup, error) {
	var p agent.Pickup
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		return p, fmt.Errorf("outbox item %d (%s): decode pickup: %w", it.Seq, it.Kind, err)
	}
	return p, nil
}
