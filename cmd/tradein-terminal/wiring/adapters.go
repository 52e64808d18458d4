package wiring

import (
	"context"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/sync/client"
	"tradein/sync/status"
)

// kickingStore is the store as the Terminal sees it: after a sale or
// pickup with outbox items is durable, it kicks the drainer, so a committed
// sale reaches the platform at once instead of at the next idle poll.
type kickingStore struct {
	*store.Store
	kick func()
}

func (s kickingStore) SaveSale(ctx context.Context, sale agent.Sale, a agent.AuditEntry, out ...agent.OutboxItem) error {
	err := s.Store.SaveSale(ctx, sale, a, out...)
	if err == nil && len(out) > 0 {
		s.kick()
	}
	return err
}

func (s kickingStore) CommitSale(ctx context.Context, sale agent.Sale, a agent.AuditEntry, item agent.OutboxItem, job *agent.PrintJob) error {
	err := s.Store.CommitSale(ctx, sale, a, item, job)
	if err == nil {
		s.kick()
	}
	return err
}

func (s kickingStore) SavePickup(ctx context.Context, p agent.Pickup, a agent.AuditEntry, out ...agent.OutboxItem) error {
	err := s.Store.SavePickup(ctx, p, a, out...)
	if err == nil && len(out) > 0 {
		s.kick()
	}
	return err
}

// observedPlatform is the platform as the clerk's online calls use it: each
// outcome also updates the connectivity tracker, so a try that times out
// turns the status bar offline at once (and the next sale takes the
// offline path) instead of waiting for the next probe.
//
// A try the platform refuses because of its rules (CATEGORY_PAUSED,
// CAMPAIGN_CLOSED) also calls rulesChanged: the terminal then refreshes
// its rules at once, so the status bar and the product step show the
// pause, and offline sales in the category are refused, without waiting
// for the next periodic refresh.
type observedPlatform struct {
	c            *client.Client
	st           *status.Tracker
	rulesChanged func()
}

func (p observedPlatform) QuerySN(ctx context.Context, sn string) (agent.SNStatus, error) {
	s, err := p.c.QuerySN(ctx, sn)
	p.st.Observe(err)
	return s, err
}

func (p observedPlatform) TryVoucher(ctx context.Context, t agent.VoucherTry) (agent.VoucherFrozen, error) {
	f, err := p.c.TryVoucher(ctx, t)
	p.st.Observe(err)
	if c := agent.CodeOf(err); err != nil && (c == agent.CodeCategoryPaused || c == agent.CodeCampaignClosed) && p.rulesChanged != nil {
		p.rulesChanged()
	}
	return f, err
}
