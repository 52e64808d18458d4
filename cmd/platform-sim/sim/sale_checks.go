package sim

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// Voucher and freeze states (stored).
const (
	voucherActive = "ACTIVE"
	voucherUsed   = "USED"

	freezeFrozen    = "FROZEN"
	freezeCommitted = "COMMITTED"
	freezeCancelled = "CANCELLED"

	saleCommitted = "COMMITTED"
	saleRefunded  = "REFUNDED"
)

// voucher is one consumer voucher with its holder's masked name.
type voucher struct {
	ID        string
	CRef      string
	Category  agent.Category
	Region    string
	ExpiresAt int64
	Status    string
	Masked    string
}

func (v voucher) claims() agent.ConsumerClaims {
	return agent.ConsumerClaims{VID: v.ID, Cat: v.Category, Reg: v.Region, Exp: v.ExpiresAt, CRef: v.CRef}
}

const voucherColumns = `v.voucher_id, v.cref, v.category, v.region, v.expires_at, v.status, c.masked
	FROM vouchers v JOIN consumers c ON c.cref = v.cref`

func scanVoucher(row *sql.Row) (voucher, error) {
	var v voucher
	var cat string
	err := row.Scan(&v.ID, &v.CRef, &cat, &v.Region, &v.ExpiresAt, &v.Status, &v.Masked)
	v.Category = agent.Category(cat)
	return v, err
}

// resolveVoucher finds the voucher an auth code names, as of at: a signed
// TIQ1 code must verify under the platform key and name a known voucher;
// any other string must be a known opaque code. It refuses expired and
// spent vouchers.
func (s *Server) resolveVoucher(ctx context.Context, q querier, code string, at time.Time) (voucher, error) {
	return s.resolveChecked(ctx, q, s.checkCode(code, at), at)
}

// codeCheck is a consumer code with the outcome of its signature check
// (signed codes only): the part of resolving a voucher that needs no
// database, so a batch can run it for all its items in parallel before it
// takes the write lock (checkCodes).
type codeCheck struct {
	code   string
	signed bool
	claims agent.ConsumerClaims // of a signed code that verified
	err    error                // the contract error of a signed code that did not
}

// checkCode verifies a signed code's signature and expiry as of at; other
// codes are passed through for the opaque-code lookup.
func (s *Server) checkCode(code string, at time.Time) codeCheck {
	cc := codeCheck{code: code, signed: agent.IsSignedCodeFormat(code)}
	if !cc.signed || code == "" || len(code) > agent.MaxConsumerCodeLen {
		return cc
	}
	claims, verr := agent.VerifyConsumerCode(code, s.pub, at)
	switch {
	case verr == nil:
		cc.claims = claims
	case agent.CodeOf(verr) == agent.CodeVoucherExpired:
		cc.err = verr
	case agent.CodeOf(verr) == agent.CodeBadSignature:
		cc.err = agent.Errorf(agent.CodeVoucherNotFound, "consumer code signature is not the platform's")
	default: // malformed
		cc.err = invalid("auth_code: %v", verr)
	}
	return cc
}

// checkCodes runs checkCode for every code (as of the matching time) on
// GOMAXPROCS goroutines: Ed25519 verification is a fifth of the CPU time
// of an offline-sales batch, and it needs neither the database nor s.mu.
func (s *Server) checkCodes(codes []string, at []time.Time) []codeCheck {
	out := make([]codeCheck, len(codes))
	workers := min(runtime.GOMAXPROCS(0), len(codes))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(codes); i += workers {
				out[i] = s.checkCode(codes[i], at[i])
			}
		}()
	}
	wg.Wait()
	return out
}

// resolveChecked is resolveVoucher for a code checkCode already checked.
func (s *Server) resolveChecked(ctx context.Context, q querier, cc codeCheck, at time.Time) (voucher, error) {
	code := cc.code
	if code == "" || len(code) > agent.MaxConsumerCodeLen {
		return voucher{}, invalid("auth_code must be 1..%d bytes", agent.MaxConsumerCodeLen)
	}
	var v voucher
	var err error
	if cc.signed {
		if cc.err != nil {
			return voucher{}, cc.err
		}
		claims := cc.claims
		v, err = scanVoucher(q.QueryRowContext(ctx, "SELECT "+voucherColumns+" WHERE v.voucher_id = ?", claims.VID))
		if err == nil && (v.CRef != claims.CRef || v.Category != claims.Cat) {
			return voucher{}, agent.Errorf(agent.CodeVoucherNotFound, "consumer code does not match voucher %s", claims.VID)
		}
	} else {
		v, err = scanVoucher(q.QueryRowContext(ctx, "SELECT "+voucherColumns+" WHERE v.auth_code = ?", code))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return voucher{}, agent.Errorf(agent.CodeVoucherNotFound, "no voucher for this consumer code")
	}
	if err != nil {
		return voucher{}, fmt.Errorf("load voucher: %w", err)
	}
	if at.Unix() >= v.ExpiresAt {
		return voucher{}, agent.Errorf(agent.CodeVoucherExpired, "voucher %s expired", v.ID)
	}
	if v.Status == voucherUsed {
		return voucher{}, agent.Errorf(agent.CodeVoucherUsed, "voucher %s is already redeemed", v.ID)
	}
	return v, nil
}

func loadVoucher(ctx context.Context, q querier, id string) (voucher, error) {
	v, err := scanVoucher(q.QueryRowContext(ctx, "SELECT "+voucherColumns+" WHERE v.voucher_id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return voucher{}, agent.Errorf(agent.CodeVoucherNotFound, "voucher %s", id)
	}
	return v, err
}

// loadProduct loads a library product; PRODUCT_NOT_FOUND when absent.
func loadProduct(ctx context.Context, q querier, barcode string) (agent.Product, error) {
	var p agent.Product
	var cat string
	err := q.QueryRowContext(ctx, `SELECT barcode, name, brand, model, category, energy_grade, filed_price_fen, sn_required, status,
		water_grade FROM products WHERE barcode = ?`, barcode).
		Scan(&p.Barcode, &p.Name, &p.Brand, &p.Model, &cat, &p.EnergyGrade, &p.FiledPriceFen, &p.SNRequired, &p.Status, &p.WaterGrade)
	if errors.Is(err, sql.ErrNoRows) {
		return agent.Product{}, agent.Errorf(agent.CodeProductNotFound, "barcode %s is not in the product library", barcode)
	}
	if err != nil {
		return agent.Product{}, fmt.Errorf("load product: %w", err)
	}
	p.Category = agent.Category(cat)
	return p, nil
}

// matchLibrary checks that a sale's product reference agrees with the
// library (docs/DOMAIN.md: barcode, model and energy grade must match).
func matchLibrary(ref api.ProductRef, p agent.Product) error {
	if ref.Category != p.Category || ref.Model != p.Model || ref.EnergyGrade != p.EnergyGrade || ref.Brand != p.Brand {
		return agent.Errorf(agent.CodeProductNotFound, "product %s: category/brand/model/grade do not match the library (%s %s %s grade %d)",
			p.Barcode, p.Category, p.Brand, p.Model, p.EnergyGrade)
	}
	return nil
}

// activeFreeze returns the voucher's freeze that is FROZEN and not expired.
func activeFreeze(ctx context.Context, q querier, voucherID string, now time.Time) (frozenNo, terminalNo string, found bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT frozen_no, terminal_no FROM freezes
		WHERE voucher_id = ? AND status = ? AND frozen_until > ?`, voucherID, freezeFrozen, now.Unix()).Scan(&frozenNo, &terminalNo)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return frozenNo, terminalNo, err == nil, err
}

// supersedeFreeze makes way for a new sale of the voucher: a freeze by
// another terminal is VOUCHER_USED; this terminal's own active freeze is
// cancelled, as the new sale replaces it.
func supersedeFreeze(ctx context.Context, tx querier, terminalNo, voucherID string, now time.Time) error {
	fz, term, found, err := activeFreeze(ctx, tx, voucherID, now)
	switch {
	case err != nil:
		return err
	case found && term != terminalNo:
		return agent.Errorf(agent.CodeVoucherUsed, "voucher %s is frozen by another sale", voucherID)
	case found:
		_, err := tx.ExecContext(ctx, "UPDATE freezes SET status = ? WHERE frozen_no = ?", freezeCancelled, fz)
		return err
	}
	return nil
}

// checkRecord checks a sale about to be recorded (a commit or an offline
// transaction): the product ref names must be the library's, and sc must
// pass every rule. sc's Product and Category are filled from the library
// and ref. It returns the library's product, the subsidy the platform
// computes (the caller compares that with the subsidy the terminal sent)
// and the ID of the rule set that computed it.
func (s *Server) checkRecord(ctx context.Context, tx querier, c *call, ref api.ProductRef, sc saleCheck) (agent.Product, agent.Fen, string, error) {
	p, err := loadProduct(ctx, tx, ref.Barcode)
	if err != nil {
		return p, 0, "", err
	}
	if err := matchLibrary(ref, p); err != nil {
		return p, 0, "", err
	}
	rules, err := s.rules(tx, c)
	if err != nil {
		return p, 0, "", err
	}
	sc.Product, sc.Category = p, ref.Category
	subsidy, set, _, err := s.check(ctx, tx, rules, sc)
	return p, subsidy, set.ID, err
}

// saleCheck is what the platform checks for any subsidised sale: a try, a
// commit or an offline transaction.
type saleCheck struct {
	Terminal  terminal
	Voucher   voucher
	Product   agent.Product
	Category  agent.Category // as the request states it
	AmountFen agent.Fen
	SN        string
	// TradeInKnown is false for a try (the old item is recorded later);
	// HasTradeIn says whether a commit or transaction carries one.
	TradeInKnown, HasTradeIn bool
	// At is the sale's transaction time: the rule set in force then
	// judges it, however late the sale arrives.
	At time.Time
	// RuleSetID is the set the terminal (or the freeze) computed the sale
	// under; "" accepts the set in force at At. A different set is refused:
	// both sides must compute under the same rules.
	RuleSetID string
	// ExceptFreeze is the sale's own freeze, not counted against the quota.
	ExceptFreeze string
}

// check runs the sale checks in a fixed order and returns the subsidy and
// the rule set that computed it: category and region of the voucher, the
// set in force at c.At for the category (agent.CheckSaleRulesAt: campaign,
// pauses and rule conditions), the SN (void → SN_NOT_FOUND, locked →
// SN_USED), the consumer's quota within that set's period, and the price
// and subsidy by agent.ComputeSubsidy — the terminal's own calculator, so
// both sides agree to the fen.
func (s *Server) check(ctx context.Context, q querier, sets agent.RuleSets, c saleCheck) (agent.Fen, agent.Rules, agent.CategoryRule, error) {
	var set agent.Rules
	if c.Category != c.Product.Category {
		return 0, set, agent.CategoryRule{}, invalid("category %s does not match the product's category %s", c.Category, c.Product.Category)
	}
	if err := agent.CheckClaims(c.Voucher.claims(), c.Product.Category, c.Terminal.County); err != nil {
		return 0, set, agent.CategoryRule{}, err
	}
	sale := agent.Sale{Product: c.Product, SN: c.SN}
	if c.HasTradeIn || !c.TradeInKnown {
		// A try does not know the trade-in yet: the commit checks it.
		sale.TradeIn = &agent.TradeIn{}
	}
	set, rule, err := agent.CheckSaleRulesAt(sets, sale, c.Terminal.County, c.At)
	if err != nil {
		return 0, set, rule, err
	}
	if c.RuleSetID != "" && c.RuleSetID != set.ID {
		return 0, set, rule, agent.Errorf(agent.CodeNotEligible, "the sale names rule set %s, but %s is in force for %s at %s",
			c.RuleSetID, set.ID, c.Product.Category, c.At.In(agent.ChinaTime).Format(time.DateTime))
	}
	if c.SN != "" {
		st, err := snState(ctx, q, c.SN)
		if err != nil {
			return 0, set, rule, err
		}
		switch {
		case st.Reason == api.SNReasonUsed:
			return 0, set, rule, agent.Errorf(agent.CodeSNUsed, "SN %s is already subsidised", c.SN)
		case st.Reason == api.SNReasonNone:
			return 0, set, rule, agent.Errorf(agent.CodeSNNotFound, "SN %s is not in the manufacturers' registry", c.SN)
		}
	}
	used, err := quotaUsed(ctx, q, c.Voucher.CRef, c.Product.Category, c.ExceptFreeze, c.At, set)
	if err != nil {
		return 0, set, rule, err
	}
	if rule.PerConsumerLimit > 0 && used >= rule.PerConsumerLimit {
		return 0, set, rule, agent.Errorf(agent.CodeQuotaExhausted, "consumer has used %d of %d %s subsidies under rule set %s", used, rule.PerConsumerLimit, rule.Category, set.ID)
	}
	res, err := agent.ComputeSubsidy(rule, c.Product, c.AmountFen)
	if err != nil {
		return 0, set, rule, err
	}
	return res.SubsidyFen, set, rule, nil
}

// quotaUsed counts the consumer's subsidies in the category within the
// effective period of rule set `set` (a fridge bought under the 2025 set
// does not use up the 2026 quota): committed sales, refunded sales whose
// quota was not restored, and live freezes of other sales.
func quotaUsed(ctx context.Context, q querier, cref string, cat agent.Category, exceptFreeze string, now time.Time, set agent.Rules) (int, error) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !set.CampaignStart.IsZero() {
		from = set.CampaignStart.Unix()
	}
	if !set.CampaignEnd.IsZero() {
		to = set.CampaignEnd.Unix()
	}
	var sales, frozen int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sales WHERE cref = ? AND category = ?
		AND trans_time >= ? AND trans_time < ?
		AND (status = ? OR (status = ? AND quota_restored = 0))`, cref, string(cat), from, to, saleCommitted, saleRefunded).Scan(&sales); err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM freezes f JOIN vouchers v ON v.voucher_id = f.voucher_id
		WHERE v.cref = ? AND v.category = ? AND f.status = ? AND f.frozen_until > ? AND f.frozen_no != ?
		AND f.frozen_at < ? AND (f.frozen_at = 0 OR f.frozen_at >= ?)`,
		cref, string(cat), freezeFrozen, now.Unix(), exceptFreeze, to, from).Scan(&frozen); err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	return sales + frozen, nil
}

// newID returns a platform-made identifier: prefix, China-time timestamp
// and 8 random base32 characters.
func newID(prefix string, now time.Time) string {
	return prefix + now.In(agent.ChinaTime).Format("20060102150405") + rand.Text()[:8]
}

// chinaDay is the China-time calendar day of t.
func chinaDay(t time.Time) string { return t.In(agent.ChinaTime).Format(api.DateLayout) }
