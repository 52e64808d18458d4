package sim

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// handleTry freezes a voucher for this terminal's sale. A new try by the
// same terminal for a voucher it already holds frozen replaces that freeze
// (the clerk changed the price); another terminal's live freeze makes the
// voucher VOUCHER_USED until it is committed, cancelled or expires.
func (s *Server) handleTry(c *call) (any, error) {
	var req api.TryRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	req.SN = agent.NormalizeSN(req.SN)
	if err := validateTry(req, c.terminal); err != nil {
		return nil, err
	}
	fp, err := fingerprint(c.r.URL.Path, req)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	return s.idempotent(ctx, c.terminal.No, scopeRequest, req.RequestNo, fp, func(tx querier) (any, error) {
		now := s.clock.Now()
		rules, err := s.rules(tx, c)
		if err != nil {
			return nil, err
		}
		v, err := s.resolveVoucher(ctx, tx, req.AuthCode, now)
		if err != nil {
			return nil, err
		}
		if err := supersedeFreeze(ctx, tx, c.terminal.No, v.ID, now); err != nil {
			return nil, err
		}
		p, err := loadProduct(ctx, tx, req.Barcode)
		if err != nil {
			return nil, err
		}
		// A try is live: the platform's clock is its transaction time.
		subsidy, set, _, err := s.check(ctx, tx, rules, saleCheck{Terminal: c.terminal, Voucher: v, Product: p,
			Category: req.Category, AmountFen: req.AmountFen, SN: req.SN, At: now, RuleSetID: req.RuleSetID})
		if err != nil {
			return nil, err
		}
		out := api.TryResponse{
			FrozenNo:       newID("FZ", now),
			VoucherID:      v.ID,
			MaskedConsumer: v.Masked,
			CRef:           v.CRef,
			DiscountFen:    subsidy,
			PayFen:         req.AmountFen - subsidy,
			FrozenUntil:    now.Add(s.cfg.FreezeTTL).UTC().Truncate(time.Second),
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO freezes (frozen_no, voucher_id, terminal_no, barcode, sn, amount_fen,
			discount_fen, frozen_until, status, rule_set_id, frozen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.FrozenNo, v.ID, c.terminal.No, req.Barcode, req.SN, int64(req.AmountFen), int64(subsidy), out.FrozenUntil.Unix(),
			freezeFrozen, set.ID, now.Unix())
		return out, err
	})
}

func validateTry(req api.TryRequest, t terminal) error {
	if err := checkRequestNo("request_no", req.RequestNo); err != nil {
		return err
	}
	if req.AuthCode == "" || len(req.AuthCode) > agent.MaxConsumerCodeLen {
		return invalid("auth_code must be 1..%d bytes", agent.MaxConsumerCodeLen)
	}
	if req.Category == "" {
		return invalid("category is required")
	}
	if err := agent.ValidateRegion(req.CountyCode); err != nil {
		return invalid("county_code: %v", err)
	}
	if req.CountyCode != t.County {
		return invalid("county_code %s is not the enrolled store's county", req.CountyCode)
	}
	if err := checkBarcode(req.Barcode); err != nil {
		return err
	}
	if err := checkSN(req.SN); err != nil {
		return err
	}
	return checkPositive("amount_fen", req.AmountFen)
}

// validateSaleBody checks the fields commit and offline transactions share.
func validateSaleBody(orderNo string, transTime time.Time, a api.Amounts, p api.ProductRef, sn string, ti *api.TradeInWire, paymentRef string) error {
	if err := checkKey("order_no", orderNo); err != nil {
		return err
	}
	if transTime.IsZero() {
		return invalid("trans_time is required")
	}
	if err := checkPositive("amounts.final_price_fen", a.FinalPriceFen); err != nil {
		return err
	}
	if a.SubsidyFen < 0 || a.PayFen < 0 || a.PayFen+a.SubsidyFen != a.FinalPriceFen {
		return invalid("amounts: pay_fen + subsidy_fen must equal final_price_fen")
	}
	if err := checkBarcode(p.Barcode); err != nil {
		return err
	}
	if p.Category == "" {
		return invalid("product.category is required")
	}
	if err := checkSN(sn); err != nil {
		return err
	}
	if ti != nil {
		if err := checkKey("trade_in.ticket_no", ti.TicketNo); err != nil {
			return err
		}
		if err := checkCondition("trade_in.condition", ti.Condition); err != nil {
			return err
		}
		if ti.PriceFen < 0 {
			return invalid("trade_in.price_fen must not be negative")
		}
		if err := checkText("trade_in.brand", ti.Brand, false, 64); err != nil {
			return err
		}
		if err := checkText("trade_in.model", ti.Model, false, 64); err != nil {
			return err
		}
	}
	return checkText("payment_ref", paymentRef, true, 64)
}

// handleCommit redeems a frozen voucher: it locks the SN, marks the voucher
// used and records the sale, after checking that the sale is the one that
// was frozen and still passes every rule.
func (s *Server) handleCommit(c *call) (any, error) {
	var req api.CommitRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	req.SN = agent.NormalizeSN(req.SN)
	if err := checkRequestNo("request_no", req.RequestNo); err != nil {
		return nil, err
	}
	if err := checkKey("frozen_no", req.FrozenNo); err != nil {
		return nil, err
	}
	if err := validateSaleBody(req.OrderNo, req.TransTime, req.Amounts, req.Product, req.SN, req.TradeIn, req.PaymentRef); err != nil {
		return nil, err
	}
	fp, err := fingerprint(c.r.URL.Path, req)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	return s.idempotent(ctx, c.terminal.No, scopeRequest, req.RequestNo, fp, func(tx querier) (any, error) {
		now := s.clock.Now()
		var fz struct {
			voucherID, barcode, sn, status, ruleSetID string
			amount, discount                          agent.Fen
			until, frozenAt                           int64
		}
		err := tx.QueryRowContext(ctx, `SELECT voucher_id, barcode, sn, amount_fen, discount_fen, frozen_until, status,
			rule_set_id, frozen_at FROM freezes WHERE frozen_no = ? AND terminal_no = ?`, req.FrozenNo, c.terminal.No).
			Scan(&fz.voucherID, &fz.barcode, &fz.sn, &fz.amount, &fz.discount, &fz.until, &fz.status, &fz.ruleSetID, &fz.frozenAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, agent.Errorf(agent.CodeVoucherNotFound, "no freeze %s for this terminal", req.FrozenNo)
		}
		if err != nil {
			return nil, err
		}
		if err := orderFree(ctx, tx, c.terminal.No, req.OrderNo); err != nil {
			return nil, err
		}
		switch {
		case fz.status == freezeCommitted:
			return nil, agent.Errorf(agent.CodeVoucherUsed, "freeze %s is already committed", req.FrozenNo)
		case fz.status == freezeCancelled:
			return nil, agent.Errorf(agent.CodeVoucherNotFound, "freeze %s was cancelled", req.FrozenNo)
		case now.Unix() >= fz.until:
			return nil, agent.Errorf(agent.CodeVoucherExpired, "freeze %s expired; try again", req.FrozenNo)
		}
		if req.Product.Barcode != fz.barcode || req.SN != fz.sn || req.Amounts.FinalPriceFen != fz.amount || req.Amounts.SubsidyFen != fz.discount {
			return nil, invalid("barcode, sn, final price and subsidy must be those of the try (%s, %q, %d, %d)",
				fz.barcode, fz.sn, fz.amount, fz.discount)
		}
		v, err := loadVoucher(ctx, tx, fz.voucherID)
		if err != nil {
			return nil, err
		}
		if v.Status == voucherUsed {
			return nil, agent.Errorf(agent.CodeVoucherUsed, "voucher %s is already redeemed", v.ID)
		}
		if req.RuleSetID != "" && fz.ruleSetID != "" && req.RuleSetID != fz.ruleSetID {
			return nil, invalid("rule_set_id %s is not the freeze's %s", req.RuleSetID, fz.ruleSetID)
		}
		// The sale's transaction time is its freeze: a voucher frozen at
		// 23:59:50 on 31 December and committed after midnight is judged
		// by the set in force when it was frozen, the one it names.
		at := now
		if fz.frozenAt > 0 {
			at = time.Unix(fz.frozenAt, 0)
		}
		p, subsidy, setID, err := s.checkRecord(ctx, tx, c, req.Product, saleCheck{Terminal: c.terminal, Voucher: v,
			AmountFen: req.Amounts.FinalPriceFen, SN: req.SN,
			TradeInKnown: true, HasTradeIn: req.TradeIn != nil, At: at, RuleSetID: fz.ruleSetID, ExceptFreeze: req.FrozenNo})
		if err != nil {
			return nil, err
		}
		if subsidy != req.Amounts.SubsidyFen {
			return nil, invalid("subsidy is now %d fen, not %d: the rules or the filed price changed; try again", subsidy, req.Amounts.SubsidyFen)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE freezes SET status = ? WHERE frozen_no = ?", freezeCommitted, req.FrozenNo); err != nil {
			return nil, err
		}
		return s.recordSale(ctx, tx, c.terminal, v, saleRecord{RequestNo: req.RequestNo, OrderNo: req.OrderNo, TransTime: req.TransTime,
			Amounts: req.Amounts, Product: p, SN: req.SN, TradeIn: req.TradeIn, PaymentRef: req.PaymentRef, Now: now, RuleSetID: setID})
	})
}

// orderFree refuses an order number this terminal already committed under
// another request_no.
func orderFree(ctx context.Context, q querier, terminalNo, orderNo string) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM sales WHERE terminal_no = ? AND order_no = ?", terminalNo, orderNo).Scan(&one)
	if err == nil {
		return agent.Errorf(agent.CodeIdempotencyConflict, "order_no %s is already committed under another request_no", orderNo)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// saleRecord is a sale about to be recorded.
type saleRecord struct {
	RequestNo  string
	OrderNo    string
	TransTime  time.Time
	Amounts    api.Amounts
	Product    agent.Product
	SN         string
	TradeIn    *api.TradeInWire
	PaymentRef string
	Offline    bool
	Now        time.Time
	RuleSetID  string // the set that computed the subsidy
}

// recordSale writes the sale, locks its SN and spends the voucher.
func (s *Server) recordSale(ctx context.Context, tx querier, t terminal, v voucher, r saleRecord) (api.CommitResponse, error) {
	tradeIn := ""
	if r.TradeIn != nil {
		raw, err := json.Marshal(r.TradeIn)
		if err != nil {
			return api.CommitResponse{}, err
		}
		tradeIn = string(raw)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sales (terminal_no, order_no, request_no, voucher_id, cref, category, barcode, sn,
		final_price_fen, subsidy_fen, pay_fen, trade_in, payment_ref, offline, trans_time, committed_at, day, status, rule_set_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.No, r.OrderNo, r.RequestNo, v.ID, v.CRef, string(r.Product.Category), r.Product.Barcode, r.SN,
		int64(r.Amounts.FinalPriceFen), int64(r.Amounts.SubsidyFen), int64(r.Amounts.PayFen), tradeIn, r.PaymentRef,
		r.Offline, r.TransTime.Unix(), r.Now.Unix(), chinaDay(r.TransTime), saleCommitted, r.RuleSetID)
	if err != nil {
		return api.CommitResponse{}, fmt.Errorf("insert sale: %w", err)
	}
	if r.SN != "" {
		if _, err := tx.ExecContext(ctx, "INSERT INTO sn_locks VALUES (?, ?, ?, ?)", r.SN, t.No, r.OrderNo, r.Now.Unix()); err != nil {
			return api.CommitResponse{}, fmt.Errorf("lock SN: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE vouchers SET status = ? WHERE voucher_id = ?", voucherUsed, v.ID); err != nil {
		return api.CommitResponse{}, err
	}
	return api.CommitResponse{OrderNo: r.OrderNo, VoucherID: v.ID, Status: api.StatusCommitted,
		SubsidyFen: r.Amounts.SubsidyFen, SN: r.SN, CommittedAt: r.Now.UTC().Truncate(time.Second)}, nil
}

// handleCancel releases a frozen voucher. Cancelling a cancelled or
// expired freeze succeeds; a committed one is VOUCHER_USED (refund it).
func (s *Server) handleCancel(c *call) (any, error) {
	var req api.CancelRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	if err := checkRequestNo("request_no", req.RequestNo); err != nil {
		return nil, err
	}
	if err := checkKey("frozen_no", req.FrozenNo); err != nil {
		return nil, err
	}
	if req.OrderNo != "" {
		if err := checkKey("order_no", req.OrderNo); err != nil {
			return nil, err
		}
	}
	if err := checkText("reason", req.Reason, false, 200); err != nil {
		return nil, err
	}
	fp, err := fingerprint(c.r.URL.Path, req)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	return s.idempotent(ctx, c.terminal.No, scopeRequest, req.RequestNo, fp, func(tx querier) (any, error) {
		var status string
		err := tx.QueryRowContext(ctx, "SELECT status FROM freezes WHERE frozen_no = ? AND terminal_no = ?", req.FrozenNo, c.terminal.No).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, agent.Errorf(agent.CodeVoucherNotFound, "no freeze %s for this terminal", req.FrozenNo)
		}
		if err != nil {
			return nil, err
		}
		if status == freezeCommitted {
			return nil, agent.Errorf(agent.CodeVoucherUsed, "freeze %s is committed; refund the sale instead", req.FrozenNo)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE freezes SET status = ? WHERE frozen_no = ?", freezeCancelled, req.FrozenNo); err != nil {
			return nil, err
		}
		return api.CancelResponse{FrozenNo: req.FrozenNo, Status: api.StatusCancelled}, nil
	})
}

// handleRefund refunds a committed sale: the SN is unlocked and, when the
// category rule restores quota on refund, the voucher becomes usable again.
func (s *Server) handleRefund(c *call) (any, error) {
	var req api.RefundRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	if err := checkRequestNo("request_no", req.RequestNo); err != nil {
		return nil, err
	}
	if err := checkKey("order_no", req.OrderNo); err != nil {
		return nil, err
	}
	if err := checkKey("refund_no", req.RefundNo); err != nil {
		return nil, err
	}
	if err := checkText("reason", req.Reason, true, 200); err != nil {
		return nil, err
	}
	fp, err := fingerprint(c.r.URL.Path, req)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	return s.idempotent(ctx, c.terminal.No, scopeRequest, req.RequestNo, fp, func(tx querier) (any, error) {
		now := s.clock.Now()
		var sale struct {
			voucherID, category, sn, status, refundNo, ruleSetID string
			subsidy                                              agent.Fen
			refundedAt, transTime                                int64
			restored                                             bool
		}
		err := tx.QueryRowContext(ctx, `SELECT voucher_id, category, sn, status, refund_no, subsidy_fen, refunded_at, quota_restored,
			rule_set_id, trans_time FROM sales WHERE terminal_no = ? AND order_no = ?`, c.terminal.No, req.OrderNo).
			Scan(&sale.voucherID, &sale.category, &sale.sn, &sale.status, &sale.refundNo, &sale.subsidy, &sale.refundedAt, &sale.restored,
				&sale.ruleSetID, &sale.transTime)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, agent.Errorf(agent.CodeNotFound, "no committed order %s for this terminal", req.OrderNo)
		}
		if err != nil {
			return nil, err
		}
		if sale.status == saleRefunded {
			if sale.refundNo != req.RefundNo {
				return nil, agent.Errorf(agent.CodeIdempotencyConflict, "order %s was already refunded as %s", req.OrderNo, sale.refundNo)
			}
			return api.RefundResponse{OrderNo: req.OrderNo, RefundNo: req.RefundNo, Status: api.StatusRefunded,
				SubsidyFen: sale.subsidy, SNUnlocked: sale.sn != "", QuotaRestored: sale.restored,
				RefundedAt: time.Unix(sale.refundedAt, 0).UTC()}, nil
		}
		rules, err := s.rules(tx, c)
		if err != nil {
			return nil, err
		}
		// A refund follows the rule set of its sale, whatever is in force
		// today: that set's flag says whether the quota comes back.
		set, ok := rules.ByID(sale.ruleSetID)
		if !ok {
			set, _, _ = rules.ForCategory(agent.Category(sale.category), c.terminal.County, time.Unix(sale.transTime, 0))
		}
		rule, _ := set.Rule(agent.Category(sale.category))
		restored := rule.QuotaRestoredOnRefund
		if _, err := tx.ExecContext(ctx, `UPDATE sales SET status = ?, refund_no = ?, refund_reason = ?, refunded_at = ?,
			refund_day = ?, quota_restored = ? WHERE terminal_no = ? AND order_no = ?`,
			saleRefunded, req.RefundNo, req.Reason, now.Unix(), chinaDay(now), restored, c.terminal.No, req.OrderNo); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sn_locks WHERE sn = ? AND terminal_no = ? AND order_no = ?",
			sale.sn, c.terminal.No, req.OrderNo); err != nil {
			return nil, err
		}
		if restored {
			if _, err := tx.ExecContext(ctx, "UPDATE vouchers SET status = ? WHERE voucher_id = ?", voucherActive, sale.voucherID); err != nil {
				return nil, err
			}
		}
		return api.RefundResponse{OrderNo: req.OrderNo, RefundNo: req.RefundNo, Status: api.StatusRefunded,
			SubsidyFen: sale.subsidy, SNUnlocked: sale.sn != "", QuotaRestored: restored,
			RefundedAt: now.UTC().Truncate(time.Second)}, nil
	})
}
