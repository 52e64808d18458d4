package sim

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// maxOfflineAge bounds how old an offline sale may be when it arrives. The
// terminal's own limit is 72 h (docs/DOMAIN.md); the platform allows a month
// for a terminal that was switched off.
const maxOfflineAge = 30 * 24 * time.Hour

// runBatch answers a batch: a replay of the batch's request_no returns the
// stored answer; otherwise every item runs, each idempotent on its own
// request_no, and the batch answer is stored.
//
// The whole batch is ONE write transaction under s.mu: each item runs in a
// savepoint (idempotentTx), so a refused item leaves only its refusal, and
// the batch commits once instead of once per item. Two identical batches
// racing are serialised by s.mu: the second finds the first one's stored
// answer and returns it. An internal failure of any item rolls the whole
// batch back (nothing is stored, the terminal sends it again).
//
// prepare, when not nil, runs once before the lock is taken (and not for a
// replay): work of the items that needs neither the database nor the lock.
//
// The transaction runs to its end even when the terminal hangs up
// (context.WithoutCancel): the answer is then stored for the terminal's
// resend, exactly as when it hangs up just after the commit. A cancellable
// context would cost a goroutine per SQL statement (the driver watches it
// to interrupt SQLite), about a tenth of the platform's CPU in a long drain.
func (s *Server) runBatch(c *call, requestNo string, fp string, n int, prepare func(),
	item func(ctx context.Context, tx querier, i int) (api.BatchItemResult, error)) (any, error) {
	ctx := c.r.Context()
	if a, found, err := lookupAnswer(ctx, s.db, c.terminal.No, scopeRequest, requestNo, fp); err != nil || found {
		return a, err
	}
	if prepare != nil {
		prepare()
	}
	ctx = context.WithoutCancel(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	var a answer
	err := s.writeTx(ctx, func(tx querier) error {
		stored, found, err := lookupAnswer(ctx, tx, c.terminal.No, scopeRequest, requestNo, fp)
		if err != nil || found {
			a = stored
			return err
		}
		out := api.BatchResult{Items: make([]api.BatchItemResult, n)}
		for i := range n {
			r, err := item(ctx, tx, i)
			if err != nil {
				return err
			}
			out.Items[i] = r
		}
		a, _ = answerOf(out, nil)
		return storeAnswer(ctx, tx, c.terminal.No, scopeRequest, requestNo, fp, a, s.clock.Now().Unix())
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// runItem runs one batch item idempotently inside the batch's transaction
// tx and turns the outcome into its verdict: a fresh success is ACCEPTED
// (or DUPLICATE when op found the effect already there), a replayed
// success DUPLICATE, and any contract error REJECTED with its code. Only
// internal failures return an error.
func (s *Server) runItem(ctx context.Context, tx querier, c *call, requestNo, key string, item any, validate func() error,
	op func(tx querier) (api.BatchItemResult, error)) (api.BatchItemResult, error) {
	rejected := func(err error) api.BatchItemResult {
		var ae *agent.Error
		errors.As(err, &ae)
		return api.BatchItemResult{RequestNo: requestNo, Key: key, Status: api.ItemRejected,
			Code: string(contractCode(ae.Code)), Message: ae.Detail}
	}
	if err := checkRequestNo("request_no", requestNo); err != nil {
		return rejected(err), nil
	}
	if err := validate(); err != nil {
		return rejected(err), nil
	}
	fp, err := fingerprint("item:"+c.r.URL.Path, item)
	if err != nil {
		return api.BatchItemResult{}, err
	}
	a, err := idempotentTx(ctx, tx, c.terminal.No, scopeItem, requestNo, fp, s.clock.Now().Unix(),
		func(tx querier) (any, error) { return op(tx) })
	if err != nil {
		if agent.CodeOf(err) == agent.CodeInternal {
			return api.BatchItemResult{}, err
		}
		return rejected(err), nil
	}
	var env api.Envelope
	if err := json.Unmarshal(a.envelope, &env); err != nil {
		return api.BatchItemResult{}, fmt.Errorf("stored item answer: %w", err)
	}
	if env.Code != api.CodeOK {
		return api.BatchItemResult{RequestNo: requestNo, Key: key, Status: api.ItemRejected, Code: env.Code, Message: env.Message}, nil
	}
	var r api.BatchItemResult
	if err := json.Unmarshal(env.Data, &r); err != nil {
		return api.BatchItemResult{}, fmt.Errorf("stored item answer: %w", err)
	}
	if a.replayed {
		r.Status = api.ItemDuplicate
	}
	return r, nil
}

// handleTransactions accepts offline-captured sales. Each item is checked
// like a try and a commit in one step, as of its trans_time (the voucher
// and the campaign must have been valid when the sale happened), against
// today's SN locks and voucher state: a voucher another terminal redeemed
// meanwhile is VOUCHER_USED, an SN sold elsewhere SN_USED.
func (s *Server) handleTransactions(c *call) (any, error) {
	var req api.TransactionBatch
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	for i := range req.Items {
		req.Items[i].SN = agent.NormalizeSN(req.Items[i].SN)
	}
	if err := checkRequestNo("request_no", req.RequestNo); err != nil {
		return nil, err
	}
	if len(req.Items) == 0 || len(req.Items) > api.MaxBatchItems {
		return nil, invalid("items must hold 1..%d transactions", api.MaxBatchItems)
	}
	fp, err := fingerprint(c.r.URL.Path, req)
	if err != nil {
		return nil, err
	}
	var codes []codeCheck // the items' consumer codes, verified before the lock
	prepare := func() {
		auth := make([]string, len(req.Items))
		at := make([]time.Time, len(req.Items))
		for i, it := range req.Items {
			auth[i], at[i] = it.AuthCode, it.TransTime
		}
		codes = s.checkCodes(auth, at)
	}
	return s.runBatch(c, req.RequestNo, fp, len(req.Items), prepare, func(ctx context.Context, tx querier, i int) (api.BatchItemResult, error) {
		it := req.Items[i]
		validate := func() error {
			if it.CountyCode != "" && it.CountyCode != c.terminal.County {
				return invalid("county_code %s is not the enrolled store's county", it.CountyCode)
			}
			if it.AuthCode == "" || len(it.AuthCode) > agent.MaxConsumerCodeLen {
				return invalid("auth_code must be 1..%d bytes", agent.MaxConsumerCodeLen)
			}
			return validateSaleBody(it.OrderNo, it.TransTime, it.Amounts, it.Product, it.SN, it.TradeIn, it.PaymentRef)
		}
		return s.runItem(ctx, tx, c, it.RequestNo, it.OrderNo, it, validate, func(tx querier) (api.BatchItemResult, error) {
			return s.offlineSale(ctx, tx, c, it, codes[i])
		})
	})
}

// offlineSale records one offline-captured sale; code is its consumer
// code as checkCode checked it.
func (s *Server) offlineSale(ctx context.Context, tx querier, c *call, it api.Transaction, code codeCheck) (api.BatchItemResult, error) {
	now := s.clock.Now()
	res := api.BatchItemResult{RequestNo: it.RequestNo, Key: it.OrderNo, Status: api.ItemAccepted}
	if it.TransTime.After(now.Add(api.MaxSkew)) {
		return res, invalid("trans_time is in the future")
	}
	if now.Sub(it.TransTime) > maxOfflineAge {
		return res, invalid("trans_time is older than %s", maxOfflineAge)
	}
	if orig, found, err := committedSale(ctx, tx, c.terminal.No, it.OrderNo); err != nil {
		return res, err
	} else if found {
		res.Status, res.Commit = api.ItemDuplicate, &orig
		return res, nil
	}
	v, err := s.resolveChecked(ctx, tx, code, it.TransTime)
	if err != nil {
		return res, err
	}
	if err := supersedeFreeze(ctx, tx, c.terminal.No, v.ID, now); err != nil {
		return res, err
	}
	// The sale is judged by the set in force at its transaction time (and
	// must name that set when it names one), however late it arrives.
	p, subsidy, setID, err := s.checkRecord(ctx, tx, c, it.Product, saleCheck{Terminal: c.terminal, Voucher: v,
		AmountFen: it.Amounts.FinalPriceFen, SN: it.SN,
		TradeInKnown: true, HasTradeIn: it.TradeIn != nil, At: it.TransTime, RuleSetID: it.RuleSetID})
	if err != nil {
		return res, err
	}
	if subsidy != it.Amounts.SubsidyFen {
		return res, invalid("subsidy %d fen differs from the platform's %d fen", it.Amounts.SubsidyFen, subsidy)
	}
	cr, err := s.recordSale(ctx, tx, c.terminal, v, saleRecord{RequestNo: it.RequestNo, OrderNo: it.OrderNo, TransTime: it.TransTime,
		Amounts: it.Amounts, Product: p, SN: it.SN, TradeIn: it.TradeIn, PaymentRef: it.PaymentRef, Offline: true, Now: now, RuleSetID: setID})
	if err != nil {
		return res, err
	}
	res.Commit = &cr
	return res, nil
}

// committedSale returns the commit result of an order this terminal
// already recorded.
func committedSale(ctx context.Context, q querier, terminalNo, orderNo string) (api.CommitResponse, bool, error) {
	var cr api.CommitResponse
	var at int64
	err := q.QueryRowContext(ctx, "SELECT order_no, voucher_id, subsidy_fen, sn, committed_at FROM sales WHERE terminal_no = ? AND order_no = ?",
		terminalNo, orderNo).Scan(&cr.OrderNo, &cr.VoucherID, &cr.SubsidyFen, &cr.SN, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return cr, false, nil
	}
	if err != nil {
		return cr, false, err
	}
	cr.Status = api.StatusCommitted
	cr.CommittedAt = time.Unix(at, 0).UTC()
	return cr, true, nil
}

// handlePickups records recyclers' pickups of old appliances. A pickup must
// name the ticket of a sale this terminal committed with that trade-in.
func (s *Server) handlePickups(c *call) (any, error) {
	var req api.PickupBatch
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	if err := checkRequestNo("request_no", req.RequestNo); err != nil {
		return nil, err
	}
	if len(req.Items) == 0 || len(req.Items) > api.MaxBatchItems {
		return nil, invalid("items must hold 1..%d pickups", api.MaxBatchItems)
	}
	fp, err := fingerprint(c.r.URL.Path, req)
	if err != nil {
		return nil, err
	}
	return s.runBatch(c, req.RequestNo, fp, len(req.Items), nil, func(ctx context.Context, tx querier, i int) (api.BatchItemResult, error) {
		it := req.Items[i]
		return s.runItem(ctx, tx, c, it.RequestNo, it.ID, it, func() error { return validatePickup(it) },
			func(tx querier) (api.BatchItemResult, error) { return s.recordPickup(ctx, tx, c, it) })
	})
}

func validatePickup(it api.PickupItem) error {
	for _, f := range []struct{ name, v string }{{"id", it.ID}, {"ticket_no", it.TicketNo}, {"order_no", it.OrderNo},
		{"recycler_id", it.RecyclerID}, {"certificate_no", it.CertificateNo}} {
		if err := checkKey(f.name, f.v); err != nil {
			return err
		}
	}
	if err := checkCondition("condition", it.Condition); err != nil {
		return err
	}
	if it.WeightGrams <= 0 || it.WeightGrams > 1_000_000 {
		return invalid("weight_grams must be 1..1000000")
	}
	if it.PhotoSHA256 != "" {
		if b, err := hex.DecodeString(it.PhotoSHA256); err != nil || len(b) != 32 {
			return invalid("photo_sha256 must be 64 hex digits")
		}
	}
	if it.At.IsZero() {
		return invalid("at is required")
	}
	return nil
}

func (s *Server) recordPickup(ctx context.Context, tx querier, c *call, it api.PickupItem) (api.BatchItemResult, error) {
	now := s.clock.Now()
	res := api.BatchItemResult{RequestNo: it.RequestNo, Key: it.ID, Status: api.ItemAccepted}
	var orig api.PickupResponse
	var recorded int64
	err := tx.QueryRowContext(ctx, "SELECT id, ticket_no, recorded_at FROM pickups WHERE terminal_no = ? AND id = ?", c.terminal.No, it.ID).
		Scan(&orig.ID, &orig.TicketNo, &recorded)
	if err == nil {
		orig.RecordedAt = time.Unix(recorded, 0).UTC()
		res.Status, res.Pickup = api.ItemDuplicate, &orig
		return res, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	var tradeIn string
	err = tx.QueryRowContext(ctx, "SELECT trade_in FROM sales WHERE terminal_no = ? AND order_no = ?", c.terminal.No, it.OrderNo).Scan(&tradeIn)
	if errors.Is(err, sql.ErrNoRows) {
		return res, agent.Errorf(agent.CodeNotFound, "no committed order %s for this terminal", it.OrderNo)
	}
	if err != nil {
		return res, err
	}
	var ti api.TradeInWire
	if tradeIn == "" || json.Unmarshal([]byte(tradeIn), &ti) != nil || ti.TicketNo != it.TicketNo {
		return res, agent.Errorf(agent.CodeNotFound, "order %s has no trade-in ticket %s", it.OrderNo, it.TicketNo)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO pickups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		c.terminal.No, it.ID, it.RequestNo, it.TicketNo, it.OrderNo, it.RecyclerID, it.Condition, it.WeightGrams,
		it.CertificateNo, it.PhotoSHA256, it.At.Unix(), now.Unix(), chinaDay(it.At))
	if err != nil {
		return res, fmt.Errorf("insert pickup: %w", err)
	}
	res.Pickup = &api.PickupResponse{ID: it.ID, TicketNo: it.TicketNo, RecordedAt: now.UTC().Truncate(time.Second)}
	return res, nil
}
