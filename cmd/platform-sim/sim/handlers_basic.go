package sim

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

func (s *Server) handleHealth(c *call) (any, error) {
	if err := s.db.PingContext(c.r.Context()); err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	return api.HealthResponse{Status: "UP", Time: s.clock.Now().UTC(), Version: agent.Version}, nil
}

// handleEnroll registers a device. Each (code, fingerprint) enrolls once:
// the answer, with the terminal's signing secret, is given again only to a
// retry that carries the same enrollment_proof, a random value only the
// enrolling process holds (a lost answer is recovered by retrying, and
// otherwise by a new code). Whoever else knows the code and can rebuild the
// fingerprint gets UNAUTHORIZED, not the secret. Attempts are rate limited
// per caller (enroll_limit.go).
func (s *Server) handleEnroll(c *call) (any, error) {
	if err := s.enrollLimit.allow(callerIP(c.r), s.clock.Now()); err != nil {
		return nil, err
	}
	resp, err := s.enroll(c)
	if agent.CodeOf(err) == agent.CodeUnauthorized || agent.CodeOf(err) == agent.CodeInvalidRequest {
		s.enrollLimit.failed(callerIP(c.r), s.clock.Now())
	}
	return resp, err
}

func (s *Server) enroll(c *call) (any, error) {
	var req api.EnrollRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	if err := checkText("enrollment_code", req.EnrollmentCode, true, 64); err != nil {
		return nil, err
	}
	if err := checkText("device_fingerprint", req.DeviceFingerprint, true, 256); err != nil {
		return nil, err
	}
	proof, err := base64.StdEncoding.DecodeString(req.EnrollmentProof)
	if err != nil || len(proof) != api.EnrollmentProofSize {
		return nil, invalid("enrollment_proof must be %d random bytes in base64", api.EnrollmentProofSize)
	}
	proofHash := sha256.Sum256(proof)
	ctx := c.r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var storeID string
	var maxUses, uses int
	err = tx.QueryRowContext(ctx, "SELECT store_id, max_uses, uses FROM enrollment_codes WHERE code = ?", req.EnrollmentCode).
		Scan(&storeID, &maxUses, &uses)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauthorized("unknown enrollment code")
	}
	if err != nil {
		return nil, err
	}
	var termNo string
	var secret, storedProof []byte
	err = tx.QueryRowContext(ctx, "SELECT terminal_no, hmac_secret, proof_hash FROM terminals WHERE code = ? AND fingerprint = ?",
		req.EnrollmentCode, req.DeviceFingerprint).Scan(&termNo, &secret, &storedProof)
	switch {
	case err == nil && subtle.ConstantTimeCompare(storedProof, proofHash[:]) != 1:
		s.log.Warn("enrollment refused: code already used by this device", "terminal_no", termNo)
		return nil, unauthorized("enrollment code already used for this device; ask the platform operator for a new code")
	case errors.Is(err, sql.ErrNoRows):
		if uses >= maxUses {
			return nil, unauthorized("enrollment code used up (%d terminals)", maxUses)
		}
		var n int
		var county string
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), (SELECT county_code FROM stores WHERE store_id = ?) FROM terminals",
			storeID).Scan(&n, &county); err != nil {
			return nil, err
		}
		termNo = fmt.Sprintf("T%s%04d", county, n+1)
		secret = make([]byte, 32)
		rand.Read(secret)
		if _, err := tx.ExecContext(ctx, `INSERT INTO terminals (terminal_no, store_id, code, fingerprint, hmac_secret,
			enrolled_at, proof_hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			termNo, storeID, req.EnrollmentCode, req.DeviceFingerprint, secret, s.clock.Now().Unix(), proofHash[:]); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enrollment_codes SET uses = uses + 1 WHERE code = ?", req.EnrollmentCode); err != nil {
			return nil, err
		}
		s.log.Info("terminal enrolled", "terminal_no", termNo, "store_id", storeID)
	case err != nil:
		return nil, err
	}
	var st api.StoreWire
	var merchantNo string
	if err := tx.QueryRowContext(ctx, "SELECT merchant_no, name, uniscid, county_code FROM stores WHERE store_id = ?", storeID).
		Scan(&merchantNo, &st.Name, &st.UniSCID, &st.CountyCode); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return api.EnrollResponse{
		TerminalNo:        termNo,
		MerchantNo:        merchantNo,
		Store:             st,
		HMACSecret:        base64.StdEncoding.EncodeToString(secret),
		PlatformPublicKey: base64.StdEncoding.EncodeToString(s.pub),
	}, nil
}

// rules loads every rule set.
func (s *Server) rules(q querier, c *call) (agent.RuleSets, error) {
	var raw []byte
	if err := q.QueryRowContext(c.r.Context(), "SELECT value FROM meta WHERE key = ?", metaRules).Scan(&raw); err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return s.decodeRulesCached(raw)
}

// decodeRules decodes the stored rule sets. A database seeded before rule
// sets existed holds one agent.Rules object: it reads as a list of one,
// named by its version.
func decodeRules(raw []byte) (agent.RuleSets, error) {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		var r agent.Rules
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("decode rules: %w", err)
		}
		if r.ID == "" {
			r.ID = r.Version
		}
		return agent.RuleSets{r}, nil
	}
	var rs agent.RuleSets
	if err := json.Unmarshal(raw, &rs); err != nil {
		return nil, fmt.Errorf("decode rules: %w", err)
	}
	return rs, nil
}

// handleRules serves every rule set that covers the terminal's county,
// past, current and announced, in stored order.
func (s *Server) handleRules(c *call) (any, error) {
	if len(c.body) > 0 {
		return nil, invalid("GET /v1/rules takes no body")
	}
	all, err := s.rules(s.db, c)
	if err != nil {
		return nil, err
	}
	out := api.RulesResponse{RuleSets: agent.RuleSets{}}
	for _, r := range all {
		if r.CoversRegion(c.terminal.County) {
			out.RuleSets = append(out.RuleSets, r)
		}
	}
	return out, nil
}

// pageToken is the opaque continuation of a product delta: the target
// version of the delta, the last barcode sent and the delta's total.
type pageToken struct {
	Since  int64  `json:"s"`
	Target int64  `json:"t"`
	AfterV int64  `json:"v"` // version of the last row sent
	After  string `json:"a"` // barcode of the last row sent
	Total  int    `json:"n"`
}

func (p pageToken) encode() string {
	raw, _ := json.Marshal(p)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodePageToken(s string) (pageToken, error) {
	var p pageToken
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(raw, &p) != nil || p.Target < 0 || p.Total < 0 {
		return pageToken{}, invalid("page_token is not a token this platform issued")
	}
	return p, nil
}

// handleProducts serves one page of the library delta (since_version,
// target]. The first page fixes the target (the current version) and the
// total in its token, so later changes never tear a delta: they land in
// the next one. Pages are in (version, barcode) order, continued with a
// row-value keyset so that every page is an index range scan (a million-row
// library pages in constant time per page).
func (s *Server) handleProducts(c *call) (any, error) {
	q := c.r.URL.Query()
	for k := range q {
		if k != "since_version" && k != "page_token" && k != "limit" {
			return nil, invalid("unknown query parameter %q", k)
		}
	}
	since, err := int64Param(q.Get("since_version"), 0)
	if err != nil || since < 0 {
		return nil, invalid("since_version must be a non-negative integer")
	}
	limit64, err := int64Param(q.Get("limit"), api.DefaultPageLimit)
	if err != nil || limit64 < 1 || limit64 > api.MaxPageLimit {
		return nil, invalid("limit must be 1..%d", api.MaxPageLimit)
	}
	limit := int(limit64)
	ctx := c.r.Context()
	var tok pageToken
	if t := q.Get("page_token"); t != "" {
		if tok, err = decodePageToken(t); err != nil {
			return nil, err
		}
		if tok.Since != since {
			return nil, invalid("page_token belongs to since_version %d", tok.Since)
		}
	} else {
		current, err := s.libraryVersion(c)
		if err != nil {
			return nil, err
		}
		if since > current {
			return nil, invalid("since_version %d is ahead of the library version %d; resync from 0", since, current)
		}
		tok = pageToken{Since: since, Target: current, AfterV: since}
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM products WHERE version > ? AND version <= ?", since, current).
			Scan(&tok.Total); err != nil {
			return nil, err
		}
	}
	rows, err := s.queryProductPage(ctx, tok, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := api.ProductPage{Items: make([]agent.Product, 0, limit), Version: tok.Target, Total: tok.Total}
	more := false
	var lastVersion int64
	for rows.Next() {
		if len(page.Items) == limit {
			more = true
			break
		}
		var p agent.Product
		var cat string
		if err := rows.Scan(&p.Barcode, &p.Name, &p.Brand, &p.Model, &cat, &p.EnergyGrade, &p.FiledPriceFen, &p.SNRequired, &p.Status, &lastVersion, &p.WaterGrade); err != nil {
			return nil, err
		}
		p.Category = agent.Category(cat)
		page.Items = append(page.Items, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if more {
		next := tok
		next.AfterV, next.After = lastVersion, page.Items[len(page.Items)-1].Barcode
		page.NextPageToken = next.encode()
	}
	return page, nil
}

// The two product page queries (see queryProductPage). Rows are in Scan
// order: barcode, name, brand, model, category, energy_grade,
// filed_price_fen, sn_required, status, version, water_grade.
const (
	firstProductPageSQL = `SELECT barcode, name, brand, model, category, energy_grade, filed_price_fen, sn_required, status, version, water_grade
		FROM products WHERE version > ? AND version <= ? ORDER BY version, barcode LIMIT ?`
	nextProductPageSQL = `SELECT barcode, name, brand, model, category, energy_grade, filed_price_fen, sn_required, status, version, water_grade
		FROM products WHERE (version, barcode) > (?, ?) AND version <= ? ORDER BY version, barcode LIMIT ?`
)

// queryProductPage reads up to n rows of the delta tok describes, in
// (version, barcode) order, starting after the token's last row.
//
// Each page must be one range read of the products_version index, whatever
// its position in the delta. The first page starts at version since+1. A
// later page starts right after (AfterV, After) and bounds only that row
// value: with "version > since" in the same WHERE, SQLite picks the version
// range for the index and walks (then filters out) every row of the earlier
// pages, which made a million-product sync quadratic (≈150 ms for a page
// near the end of a 1M-row version, against 3 ms for the row-value range).
// The row-value bound implies version > since because a token's AfterV is
// the version of a row already sent; a token whose AfterV is not above
// since (never issued by this server) starts at the beginning of the delta.
func (s *Server) queryProductPage(ctx context.Context, tok pageToken, n int) (*sql.Rows, error) {
	if tok.After == "" || tok.AfterV <= tok.Since {
		return s.db.QueryContext(ctx, firstProductPageSQL, tok.Since, tok.Target, n)
	}
	return s.db.QueryContext(ctx, nextProductPageSQL, tok.AfterV, tok.After, tok.Target, n)
}

func (s *Server) libraryVersion(c *call) (int64, error) {
	var v string
	if err := s.db.QueryRowContext(c.r.Context(), "SELECT value FROM meta WHERE key = ?", metaLibraryVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("library version: %w", err)
	}
	return strconv.ParseInt(v, 10, 64)
}

func int64Param(v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	return strconv.ParseInt(v, 10, 64)
}

// handleSNQuery reports each SN: NOT_SELLABLE(USED) when a sale locked it,
// NOT_SELLABLE(NOT_FOUND) when the registry marks it void, else SELLABLE.
// SNs are compared and answered in their agent.NormalizeSN form (trimmed,
// upper case), like every SN the platform takes (sync/api/openapi.yaml).
func (s *Server) handleSNQuery(c *call) (any, error) {
	var req api.SNQueryRequest
	if err := decodeBody(c.body, &req); err != nil {
		return nil, err
	}
	if len(req.SNList) == 0 || len(req.SNList) > api.MaxSNQuery {
		return nil, invalid("sn_list must hold 1..%d serial numbers", api.MaxSNQuery)
	}
	out := api.SNQueryResponse{Items: make([]api.SNResult, 0, len(req.SNList))}
	for _, sn := range req.SNList {
		sn = agent.NormalizeSN(sn)
		if err := agent.ValidateSN(sn); err != nil {
			return nil, invalid("sn_list: %v", err)
		}
		st, err := snState(c.r.Context(), s.db, sn)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, st)
	}
	return out, nil
}

// snState is the registry's view of one SN, given in its agent.NormalizeSN
// form. Locks taken before the platform normalised SNs hold them as the
// terminal sent them: the all-lower-case spelling is looked up too.
func snState(ctx context.Context, q querier, sn string) (api.SNResult, error) {
	var one int
	lower := strings.ToLower(sn)
	err := q.QueryRowContext(ctx, "SELECT 1 FROM sn_locks WHERE sn IN (?, ?)", sn, lower).Scan(&one)
	if err == nil {
		return api.SNResult{SN: sn, Status: api.SNNotSellable, Reason: api.SNReasonUsed}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return api.SNResult{}, err
	}
	err = q.QueryRowContext(ctx, "SELECT 1 FROM sn_void WHERE sn IN (?, ?)", sn, lower).Scan(&one)
	if err == nil {
		return api.SNResult{SN: sn, Status: api.SNNotSellable, Reason: api.SNReasonNone}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return api.SNResult{}, err
	}
	return api.SNResult{SN: sn, Status: api.SNSellable}, nil
}

// handleDaySummary totals the calling terminal's sales committed and
// refunds made on one China-time day.
func (s *Server) handleDaySummary(c *call) (any, error) {
	q := c.r.URL.Query()
	date := q.Get("date")
	if len(q) != 1 || date == "" {
		return nil, invalid("want exactly the query parameter date=YYYY-MM-DD")
	}
	if _, err := time.ParseInLocation(api.DateLayout, date, agent.ChinaTime); err != nil {
		return nil, invalid("date %q is not YYYY-MM-DD", date)
	}
	ctx := c.r.Context()
	out := api.DaySummary{Date: date, TerminalNo: c.terminal.No, ByCategory: []agent.CategoryTotal{}}
	rows, err := s.db.QueryContext(ctx, `SELECT category, COUNT(*), SUM(final_price_fen), SUM(subsidy_fen), SUM(pay_fen),
		SUM(trade_in != '') FROM sales WHERE terminal_no = ? AND day = ? GROUP BY category ORDER BY category`, c.terminal.No, date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ct agent.CategoryTotal
		var cat string
		var pay agent.Fen
		var tradeIns int
		if err := rows.Scan(&cat, &ct.Sales, &ct.FinalFen, &ct.SubsidyFen, &pay, &tradeIns); err != nil {
			return nil, err
		}
		ct.Category = agent.Category(cat)
		out.ByCategory = append(out.ByCategory, ct)
		out.Sales += ct.Sales
		out.FinalPriceFen += ct.FinalFen
		out.SubsidyFen += ct.SubsidyFen
		out.PayFen += pay
		out.TradeIns += tradeIns
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(subsidy_fen), 0) FROM sales
		WHERE terminal_no = ? AND refund_day = ?`, c.terminal.No, date).Scan(&out.Refunds, &out.RefundedFen); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pickups WHERE terminal_no = ? AND day = ?", c.terminal.No, date).
		Scan(&out.Pickups); err != nil {
		return nil, err
	}
	return out, nil
}
