package outbox

import (
	"context"

	"tradein/agent"
)

// KickingStore is an agent.Store that kicks the drainer whenever a save
// queued outbox items, so a committed sale, refund or pickup is sent at
// once instead of at the next idle poll. The app wires it in place of the
// plain store in agent.Deps.Store; everything else passes through.
type KickingStore struct {
	agent.Store
	Drainer *Drainer
}

// SaveSale saves and, when items were queued, kicks the drainer.
func (k KickingStore) SaveSale(ctx context.Context, s agent.Sale, a agent.AuditEntry, out ...agent.OutboxItem) error {
	err := k.Store.SaveSale(ctx, s, a, out...)
	if err == nil && len(out) > 0 {
		k.Drainer.Kick()
	}
	return err
}

// CommitSale commits and kicks the drainer.
func (k KickingStore) CommitSale(ctx context.Context, s agent.Sale, a agent.AuditEntry, item agent.OutboxItem, job *agent.PrintJob) error {
	err := k.Store.CommitSale(ctx, s, a, item, job)
	if err == nil {
		k.Drainer.Kick()
	}
	return err
}

// SavePickup saves and, when items were queued, kicks the drainer.
func (k KickingStore) SavePickup(ctx context.Context, p agent.Pickup, a agent.AuditEntry, out ...agent.OutboxItem) error {
	err := k.Store.SavePickup(ctx, p, a, out...)
	if err == nil && len(out) > 0 {
		k.Drainer.Kick()
	}
	return err
}
