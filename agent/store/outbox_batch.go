package store

import (
	"context"
	"database/sql"
	"fmt"

	"tradein/agent"
)

// CompleteOutboxBatch settles many confirmed outbox items in ONE write
// transaction: each item is removed, its sale saved (when Sale is non-nil)
// and its audit entry appended, in slice order, exactly as CompleteOutbox
// does for one item. Either all of it is durable or none of it: an item
// that is not queued (already completed) rolls the batch back with an
// error matching agent.ErrNotFound.
//
// A drain settles a whole batch answer of the platform with it: one
// durable commit (one WAL fsync under synchronous=FULL) per batch instead
// of one per item, which was most of the terminal's cost of a long drain.
// The audit chain is the same as with CompleteOutbox one by one: one entry
// per item, appended in order, each linked to the one before.
func (s *Store) CompleteOutboxBatch(ctx context.Context, done []agent.OutboxCompletion) error {
	if len(done) == 0 {
		return nil
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, c := range done {
			if err := s.completeOutboxTx(ctx, tx, c.Seq, c.Sale, c.Audit); err != nil {
				return err
			}
		}
		return nil
	})
}

// completeOutboxTx is the work of completing one item inside tx: remove
// the item (agent.ErrNotFound when it is not queued), save the sale's new
// state when sale is non-nil, append the audit entry (its subject defaults
// to the sale's order number).
func (s *Store) completeOutboxTx(ctx context.Context, tx *sql.Tx, seq int64, sale *agent.Sale, a agent.AuditEntry) error {
	if err := execOne(ctx, tx, "complete", fmt.Sprintf("outbox item %d", seq),
		`DELETE FROM outbox WHERE seq = ?`, seq); err != nil {
		return err
	}
	s.changes.add(0, -1, 0)
	if sale != nil {
		if err := s.saveSaleTx(ctx, tx, *sale); err != nil {
			return err
		}
		if a.Subject == "" {
			a.Subject = sale.OrderNo
		}
	}
	_, err := s.appendAudit(ctx, tx, a)
	return err
}
