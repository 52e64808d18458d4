package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
	"unicode/utf8"

	"tradein/agent"
)

// maxLastError bounds the stored last_error text of an outbox item.
const maxLastError = 500

// insertOutboxTx enqueues it inside tx and returns its seq. CreatedAt
// defaults to now and NextAttemptAt to CreatedAt (due at once). A
// request_no that is already queued fails the insert, and with it the
// whole transaction: the idempotency key must be unique.
//
// sameAsSale says the payload is exactly the JSON of the sale saved in
// the same transaction (the usual commit item). Then the payload is not
// stored twice: the row is marked shares_sale and readers take the sale
// row's record, until the sale row changes (detachPayloads copies it
// first). This halves what a sale costs on disk and on the commit path.
func (s *Store) insertOutboxTx(ctx context.Context, tx *sql.Tx, it agent.OutboxItem, sameAsSale bool) (int64, error) {
	if it.Kind == "" || it.RequestNo == "" {
		return 0, agent.Errorf(agent.CodeInvalidRequest, "store: outbox item without kind or request number")
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = s.clock.Now()
	}
	if it.NextAttemptAt.IsZero() {
		it.NextAttemptAt = it.CreatedAt
	}
	var payload []byte // stays NULL when shared with the sale
	if !sameAsSale {
		var err error
		if payload, err = s.sealPayload(it.Payload); err != nil {
			return 0, err
		}
	}
	row := outboxRow{kind: string(it.Kind), requestNo: it.RequestNo, orderNo: it.OrderNo, payload: payload,
		shares: sameAsSale, created: nanos(it.CreatedAt)}
	args := []any{row.kind, row.requestNo, row.orderNo, payload, boolInt(sameAsSale), row.created,
		it.Attempts, nanos(it.NextAttemptAt), truncate(it.LastError, maxLastError)}
	if s.tagged {
		args = append(args, s.outboxTag(row))
	}
	res, err := tx.StmtContext(ctx, s.insOutbox).ExecContext(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue %s %s (request %s): %w", it.Kind, it.OrderNo, it.RequestNo, err)
	}
	s.changes.add(0, 1, 0)
	return res.LastInsertId()
}

// Enqueue adds outbox items with an audit entry in one transaction, for
// messages that change no sale or pickup row (e.g. a voucher cancel of an
// abandoned draft). It returns the seqs assigned.
func (s *Store) Enqueue(ctx context.Context, a agent.AuditEntry, items ...agent.OutboxItem) ([]int64, error) {
	var seqs []int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.appendAudit(ctx, tx, a); err != nil {
			return err
		}
		for _, it := range items {
			seq, err := s.insertOutboxTx(ctx, tx, it, false)
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seqs, nil
}

// outboxSelect reads outbox items with the sale record of those that
// share it.
const outboxSelect = `SELECT o.seq, o.kind, o.request_no, o.order_no, o.payload, o.shares_sale, s.data,
	o.created_at, o.attempts, o.next_attempt_at, o.last_error
	FROM outbox o LEFT JOIN sales s ON o.shares_sale = 1 AND s.order_no = o.order_no`

// DueOutbox returns up to limit items whose NextAttemptAt <= now, in seq order.
func (s *Store) DueOutbox(ctx context.Context, now time.Time, limit int) ([]agent.OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.queryOutbox(ctx, outboxSelect+` WHERE o.next_attempt_at <= ? ORDER BY o.seq LIMIT ?`, nanos(now), limit)
}

// OutboxItems lists up to limit pending items in seq order, due or not.
// limit <= 0 lists them all.
func (s *Store) OutboxItems(ctx context.Context, limit int) ([]agent.OutboxItem, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return s.queryOutbox(ctx, outboxSelect+` ORDER BY o.seq LIMIT ?`, limit)
}

// queryOutbox runs an outboxSelect query and decodes each item.
func (s *Store) queryOutbox(ctx context.Context, q string, args ...any) ([]agent.OutboxItem, error) {
	return queryAll(ctx, s.r, "outbox", q, args, s.scanOutboxItem)
}

// scanOutboxItem reads one outboxSelect row: a shared payload is taken
// from the sale's record, and sealed consumer fields are opened.
func (s *Store) scanOutboxItem(row scanner) (agent.OutboxItem, error) {
	var it agent.OutboxItem
	var kind string
	var created, next int64
	var saleRecord []byte
	var shared bool
	if err := row.Scan(&it.Seq, &kind, &it.RequestNo, &it.OrderNo, &it.Payload, &shared, &saleRecord,
		&created, &it.Attempts, &next, &it.LastError); err != nil {
		return it, fmt.Errorf("store: outbox: %w", err)
	}
	var err error
	if shared {
		if saleRecord == nil {
			return it, fmt.Errorf("store: outbox item %d: the sale %s it refers to is missing", it.Seq, it.OrderNo)
		}
		if it.Payload, err = unpackRecord(saleRecord); err != nil {
			return it, fmt.Errorf("store: outbox item %d: %w", it.Seq, err)
		}
	}
	it.Kind = agent.OutboxKind(kind)
	it.CreatedAt = fromNanos(created)
	it.NextAttemptAt = fromNanos(next)
	if it.Payload, err = s.openPayload(it.Payload); err != nil {
		return it, fmt.Errorf("store: outbox item %d: %w", it.Seq, err)
	}
	return it, nil
}

// CompleteOutbox removes the item the platform confirmed and, in the same
// transaction, saves the sale's new state (when sale is non-nil) and appends
// the audit entry. An item that is not queued (already completed) is an
// error matching agent.ErrNotFound and changes nothing.
// The work is completeOutboxTx (outbox_batch.go), shared with
// CompleteOutboxBatch.
func (s *Store) CompleteOutbox(ctx context.Context, seq int64, sale *agent.Sale, a agent.AuditEntry) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error { return s.completeOutboxTx(ctx, tx, seq, sale, a) })
}

// RetryOutbox records a failed attempt: Attempts+1, NextAttemptAt = next,
// LastError = lastErr (truncated to 500 bytes). lastErr must not contain
// personal data; platform error texts and codes are fine.
func (s *Store) RetryOutbox(ctx context.Context, seq int64, next time.Time, lastErr string) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, "retry", fmt.Sprintf("outbox item %d", seq),
			`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?`,
			nanos(next), truncate(lastErr, maxLastError), seq)
	})
}

// RetryAllNow makes every pending item due now (the operator's "retry
// now") and returns how many items are pending. Attempts are kept.
func (s *Store) RetryAllNow(ctx context.Context) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = MIN(next_attempt_at, ?)`,
			nanos(s.clock.Now()))
		if err != nil {
			return fmt.Errorf("store: retry all outbox items: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Pending summarises what still waits for the platform: the number of
// outbox items, the offline sales among them (SALE_OFFLINE items, counted
// once per order) with their subsidy total, and the creation time of the
// oldest item.
func (s *Store) Pending(ctx context.Context) (agent.PendingSummary, error) {
	var p agent.PendingSummary
	// One read transaction: both answers come from the same snapshot.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return p, fmt.Errorf("store: pending: %w", err)
	}
	defer tx.Rollback()
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox`).
		Scan(&p.Items, &oldest); err != nil {
		return p, fmt.Errorf("store: pending: %w", err)
	}
	if oldest.Valid {
		p.OldestPendingSince = fromNanos(oldest.Int64)
	}
	var sum int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(subsidy_fen), 0) FROM sales
		WHERE order_no IN (SELECT order_no FROM outbox WHERE kind = ?)`,
		string(agent.OutboxSaleOffline)).Scan(&p.OfflineSales, &sum); err != nil {
		return p, fmt.Errorf("store: pending offline sales: %w", err)
	}
	p.OfflineSubsidyFen = agent.Fen(sum)
	return p, nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
