package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tradein/agent"
)

// SavePickup records the recycler's pickup, appends the audit entry and
// enqueues the outbox items in ONE transaction. One pickup per trade-in
// ticket: a second pickup of the same ticket with a different ID fails.
// Saving the same pickup ID again updates it.
func (s *Store) SavePickup(ctx context.Context, p agent.Pickup, a agent.AuditEntry, out ...agent.OutboxItem) error {
	if p.ID == "" || p.TicketNo == "" {
		return agent.Errorf(agent.CodeInvalidRequest, "store: pickup without ID or ticket number")
	}
	if p.At.IsZero() {
		p.At = s.clock.Now()
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pickups (id, ticket_no, order_no, recycler_id,
			condition, weight_grams, certificate_no, photo_sha256, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET ticket_no = excluded.ticket_no, order_no = excluded.order_no,
				recycler_id = excluded.recycler_id, condition = excluded.condition,
				weight_grams = excluded.weight_grams, certificate_no = excluded.certificate_no,
				photo_sha256 = excluded.photo_sha256, at = excluded.at`,
			p.ID, p.TicketNo, p.OrderNo, p.RecyclerID, p.Condition, p.WeightGrams, p.CertificateNo,
			p.PhotoSHA256, nanos(p.At)); err != nil {
			return fmt.Errorf("store: save pickup of ticket %s: %w", p.TicketNo, err)
		}
		if a.Subject == "" {
			a.Subject = p.TicketNo
		}
		if _, err := s.appendAudit(ctx, tx, a); err != nil {
			return err
		}
		for _, it := range out {
			if it.OrderNo == "" {
				it.OrderNo = p.OrderNo
			}
			if _, err := s.insertOutboxTx(ctx, tx, it, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// PickupByTicket returns the pickup of the trade-in ticket, or an error
// matching agent.ErrNotFound.
func (s *Store) PickupByTicket(ctx context.Context, ticketNo string) (agent.Pickup, error) {
	var p agent.Pickup
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT id, ticket_no, order_no, recycler_id, condition,
		weight_grams, certificate_no, photo_sha256, at FROM pickups WHERE ticket_no = ?`, ticketNo).
		Scan(&p.ID, &p.TicketNo, &p.OrderNo, &p.RecyclerID, &p.Condition, &p.WeightGrams,
			&p.CertificateNo, &p.PhotoSHA256, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("pickup of ticket %s", ticketNo)
	}
	if err != nil {
		return p, fmt.Errorf("store: pickup of ticket %s: %w", ticketNo, err)
	}
	p.At = fromNanos(at)
	return p, nil
}
