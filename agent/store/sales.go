package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tradein/agent"
)

// A new sale is one INSERT; an existing one is updated (after its queued
// outbox payloads were detached, see detachPayloads).
const insertSaleSQL = `INSERT INTO sales (order_no, state, created_at, updated_at, category, barcode,
	sn, cref, voucher_id, ticket_no, offline, final_price_fen, subsidy_fen, pay_fen, data, rule_set_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (order_no) DO NOTHING`

const updateSaleSQL = `UPDATE sales SET state = ?, created_at = ?, updated_at = ?, category = ?,
	barcode = ?, sn = ?, cref = ?, voucher_id = ?, ticket_no = ?, offline = ?,
	final_price_fen = ?, subsidy_fen = ?, pay_fen = ?, data = ?, rule_set_id = ? WHERE order_no = ?`

// A ticket belongs to one sale: saving the sale again updates its
// trade-in, while another sale with the same ticket number changes no row
// and is refused (saveSaleTx), never handed the first sale's ticket.
const upsertTradeInSQL = `INSERT INTO trade_ins (ticket_no, order_no, category, brand,
	model, condition, price_fen, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (ticket_no) DO UPDATE SET category = excluded.category, brand = excluded.brand,
		model = excluded.model, condition = excluded.condition, price_fen = excluded.price_fen
	WHERE trade_ins.order_no = excluded.order_no`

// SaveSale inserts or updates the sale, records its trade-in, appends the
// audit entry and enqueues the outbox items in ONE transaction: when it
// returns nil all of them are durable (synchronous=FULL), otherwise none
// of them was written.
func (s *Store) SaveSale(ctx context.Context, sale agent.Sale, a agent.AuditEntry, out ...agent.OutboxItem) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error { return s.saveSaleAllTx(ctx, tx, sale, a, out) })
}

// CommitSale saves the sale with its audit entry and outbox item, as
// SaveSale does, and the receipt's print job when job is non-nil, all in
// ONE transaction.
func (s *Store) CommitSale(ctx context.Context, sale agent.Sale, a agent.AuditEntry, item agent.OutboxItem, job *agent.PrintJob) error {
	if job != nil {
		if err := s.checkPrintJob(job); err != nil {
			return err
		}
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := s.saveSaleAllTx(ctx, tx, sale, a, []agent.OutboxItem{item}); err != nil {
			return err
		}
		if job == nil {
			return nil
		}
		return insertPrintJobTx(ctx, tx, *job)
	})
}

// saveSaleAllTx is SaveSale's work inside tx: sale row, audit entry,
// outbox items.
func (s *Store) saveSaleAllTx(ctx context.Context, tx *sql.Tx, sale agent.Sale, a agent.AuditEntry, out []agent.OutboxItem) error {
	if err := s.saveSaleTx(ctx, tx, sale); err != nil {
		return err
	}
	if a.Subject == "" {
		a.Subject = sale.OrderNo
	}
	if _, err := s.appendAudit(ctx, tx, a); err != nil {
		return err
	}
	var plain []byte // the sale's JSON, to spot payloads that are exactly the sale
	for _, it := range out {
		if it.OrderNo == "" {
			it.OrderNo = sale.OrderNo
		}
		if plain == nil {
			var err error
			if plain, err = json.Marshal(sale); err != nil {
				return fmt.Errorf("store: encode sale %s: %w", sale.OrderNo, err)
			}
		}
		sameAsSale := it.OrderNo == sale.OrderNo && bytes.Equal(it.Payload, plain)
		if _, err := s.insertOutboxTx(ctx, tx, it, sameAsSale); err != nil {
			return err
		}
	}
	return nil
}

// saveSaleTx writes the sale row (and its trade-in) inside tx.
func (s *Store) saveSaleTx(ctx context.Context, tx *sql.Tx, sale agent.Sale) error {
	if sale.OrderNo == "" || sale.State == "" {
		return agent.Errorf(agent.CodeInvalidRequest, "store: sale without order number or state")
	}
	if sale.CreatedAt.IsZero() {
		return agent.Errorf(agent.CodeInvalidRequest, "store: sale %s without a creation time", sale.OrderNo)
	}
	if sale.UpdatedAt.IsZero() {
		sale.UpdatedAt = sale.CreatedAt
	}
	data, err := s.encodeSale(sale)
	if err != nil {
		return err
	}
	ticket := ""
	if sale.TradeIn != nil {
		ticket = sale.TradeIn.TicketNo
	}
	cols := []any{string(sale.State), nanos(sale.CreatedAt), nanos(sale.UpdatedAt),
		string(sale.Product.Category), sale.Product.Barcode, sale.SN, sale.Consumer.CRef,
		sale.Consumer.VoucherID, ticket, boolInt(sale.Offline),
		int64(sale.FinalPriceFen), int64(sale.SubsidyFen), int64(sale.PayFen), data, sale.RuleSetID}
	res, err := tx.StmtContext(ctx, s.insertSale).ExecContext(ctx, append([]any{sale.OrderNo}, cols...)...)
	if err != nil {
		return fmt.Errorf("store: save sale %s: %w", sale.OrderNo, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: save sale %s: %w", sale.OrderNo, err)
	} else if n == 0 { // the sale exists: check the move, keep queued payloads, then update
		if err := checkStoredTransition(ctx, tx, sale); err != nil {
			return err
		}
		if err := s.detachPayloads(ctx, tx, sale.OrderNo); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.updateSale).ExecContext(ctx, append(cols, sale.OrderNo)...); err != nil {
			return fmt.Errorf("store: update sale %s: %w", sale.OrderNo, err)
		}
	} else {
		s.changes.add(1, 0, 0)
	}
	if t := sale.TradeIn; t != nil && t.TicketNo != "" {
		res, err := tx.StmtContext(ctx, s.upsertTradeIn).ExecContext(ctx, t.TicketNo, sale.OrderNo, string(t.Category),
			t.Brand, t.Model, t.Condition, int64(t.PriceFen), nanos(sale.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: save trade-in of sale %s: %w", sale.OrderNo, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: save trade-in of sale %s: %w", sale.OrderNo, err)
		} else if n == 0 {
			return agent.Errorf(agent.CodeInvalidRequest, "store: trade-in ticket %s of sale %s belongs to another sale",
				t.TicketNo, sale.OrderNo)
		}
	}
	return nil
}

// checkStoredTransition refuses to overwrite the stored sale with one in a
// state that the stored state cannot move to (agent.CanTransition);
// saving it again in the same state (a review note, a warning) is fine.
// Writers read a sale, change it and save it: the sync drainer and a
// manager's refund can both start from the same COMMITTED sale, and the
// later save must not carry the sale back from REFUNDED to REVIEW. The
// refused writer gets CodeIllegalState and reads the sale afresh.
func checkStoredTransition(ctx context.Context, tx *sql.Tx, sale agent.Sale) error {
	var stored string
	if err := tx.QueryRowContext(ctx, `SELECT state FROM sales WHERE order_no = ?`, sale.OrderNo).Scan(&stored); err != nil {
		return fmt.Errorf("store: sale %s: %w", sale.OrderNo, err)
	}
	from := agent.SaleState(stored)
	if from == sale.State || agent.CanTransition(from, sale.State) {
		return nil
	}
	return agent.Errorf(agent.CodeIllegalState, "store: sale %s is %s; it cannot be saved as %s (changed meanwhile?)",
		sale.OrderNo, from, sale.State)
}

// detachPayloads gives every queued outbox item of the order that shares
// the sale row's record (shares_sale, see insertOutboxTx) a copy of that
// record, before the sale row changes: a queued commit must still send the
// sale as it was when it was queued.
func (s *Store) detachPayloads(ctx context.Context, tx *sql.Tx, orderNo string) error {
	var shared int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE order_no = ? AND shares_sale = 1`,
		orderNo).Scan(&shared); err != nil {
		return fmt.Errorf("store: sale %s: queued payloads: %w", orderNo, err)
	}
	if shared == 0 {
		return nil
	}
	var data []byte
	if err := tx.QueryRowContext(ctx, `SELECT data FROM sales WHERE order_no = ?`, orderNo).Scan(&data); err != nil {
		return fmt.Errorf("store: sale %s: %w", orderNo, err)
	}
	js, err := unpackRecord(data)
	if err != nil {
		return fmt.Errorf("store: sale %s: %w", orderNo, err)
	}
	rows, err := queryAll(ctx, tx, "queued payloads", `SELECT seq, kind, request_no, order_no, payload, shares_sale,
		created_at, tag FROM outbox WHERE order_no = ? AND shares_sale = 1`, []any{orderNo}, scanOutboxRow)
	if err != nil {
		return err
	}
	for _, r := range rows {
		// Retag only an item whose tag held: an item edited outside the
		// app keeps a tag that does not match (tamper.go).
		ok := s.outboxTagOK(r)
		r.payload, r.shares = js, false
		tag := ""
		if ok {
			tag = s.outboxTag(r)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET payload = ?, shares_sale = 0, tag = ? WHERE seq = ?`,
			js, tag, r.seq); err != nil {
			return fmt.Errorf("store: sale %s: detach queued payloads: %w", orderNo, err)
		}
	}
	return nil
}

// Sale returns the sale with the order number, or an error matching
// agent.ErrNotFound.
func (s *Store) Sale(ctx context.Context, orderNo string) (agent.Sale, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM sales WHERE order_no = ?`, orderNo).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return agent.Sale{}, notFound("sale %s", orderNo)
	}
	if err != nil {
		return agent.Sale{}, fmt.Errorf("store: sale %s: %w", orderNo, err)
	}
	return s.decodeSale(data)
}

// SaleByTicket returns the sale whose trade-in has the ticket number, or an
// error matching agent.ErrNotFound.
func (s *Store) SaleByTicket(ctx context.Context, ticketNo string) (agent.Sale, error) {
	sales, err := s.querySales(ctx, `SELECT data FROM sales WHERE ticket_no = ? AND ticket_no <> ''
		ORDER BY created_at DESC LIMIT 1`, ticketNo)
	if err != nil {
		return agent.Sale{}, err
	}
	if len(sales) == 0 {
		return agent.Sale{}, notFound("trade-in ticket %s", ticketNo)
	}
	return sales[0], nil
}

// Sales returns the sales the filter selects, newest first. Zero fields
// match all; Limit 0 means no limit.
func (s *Store) Sales(ctx context.Context, f agent.SaleFilter) ([]agent.Sale, error) {
	var where []string
	var args []any
	if !f.From.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, nanos(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, nanos(f.To))
	}
	if len(f.States) > 0 {
		var in string
		in, args = inList(args, f.States)
		where = append(where, "state IN ("+in+")")
	}
	if f.Category != "" {
		where = append(where, "category = ?")
		args = append(args, string(f.Category))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		where = append(where, `(order_no LIKE ? ESCAPE '\' OR sn LIKE ? ESCAPE '\' OR barcode LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	q := "SELECT data FROM sales"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, order_no DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return s.querySales(ctx, q, args...)
}

// escapeLike escapes the LIKE wildcards of a user's search text.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SalesBySN returns the sales of the serial number in any state, newest
// first. sn is compared in its agent.NormalizeSN form (upper case), which is
// how sales store it; the all-lower-case spelling is looked up too, because
// sales saved before SNs were normalised hold the SN as it was scanned, and a
// scanner with Caps Lock on or a clerk typing by hand gives all lower case.
func (s *Store) SalesBySN(ctx context.Context, sn string) ([]agent.Sale, error) {
	sn = agent.NormalizeSN(sn)
	if sn == "" {
		return nil, nil
	}
	return s.querySales(ctx, `SELECT data FROM sales WHERE sn IN (?, ?) ORDER BY created_at DESC`, sn, strings.ToLower(sn))
}

// SalesByConsumer returns the consumer's sales created at or after since,
// newest first.
func (s *Store) SalesByConsumer(ctx context.Context, cref string, since time.Time) ([]agent.Sale, error) {
	if cref == "" {
		return nil, nil
	}
	return s.querySales(ctx, `SELECT data FROM sales WHERE cref = ? AND created_at >= ?
		ORDER BY created_at DESC`, cref, nanos(since))
}

// SalesByVoucher returns the sales that used the voucher, in any state,
// newest first.
func (s *Store) SalesByVoucher(ctx context.Context, voucherID string) ([]agent.Sale, error) {
	if voucherID == "" {
		return nil, nil
	}
	return s.querySales(ctx, `SELECT data FROM sales WHERE voucher_id = ? ORDER BY created_at DESC`, voucherID)
}

// SalesOfBarcode returns the sales of the barcode created at or after
// since, newest first.
func (s *Store) SalesOfBarcode(ctx context.Context, barcode string, since time.Time) ([]agent.Sale, error) {
	return s.querySales(ctx, `SELECT data FROM sales WHERE barcode = ? AND created_at >= ?
		ORDER BY created_at DESC`, barcode, nanos(since))
}

// CommittedWithoutReceipt returns the COMMITTED sales updated at or after
// since that have no print job of any kind, oldest first: sales committed
// before the receipt's job was part of the commit's transaction, whose
// program died between the two steps.
func (s *Store) CommittedWithoutReceipt(ctx context.Context, since time.Time) ([]agent.Sale, error) {
	return s.querySales(ctx, `SELECT data FROM sales WHERE state = ? AND updated_at >= ?
		AND order_no NOT IN (SELECT order_no FROM print_jobs) ORDER BY updated_at`,
		string(agent.SaleCommitted), nanos(since))
}

// querySales runs a query selecting the data column and decodes each row.
func (s *Store) querySales(ctx context.Context, q string, args ...any) ([]agent.Sale, error) {
	return queryAll(ctx, s.r, "query sales", q, args, func(row scanner) (agent.Sale, error) {
		var data []byte
		if err := row.Scan(&data); err != nil {
			return agent.Sale{}, fmt.Errorf("store: query sales: %w", err)
		}
		return s.decodeSale(data)
	})
}
