package agent

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The sale wizard (docs/DOMAIN.md). A SaleWizard walks one sale through
//
//	DRAFT --Confirm--> FROZEN (online) | OFFLINE_ACCEPTED (offline)
//	      --SetPaymentRef--> PAID --Commit--> COMMITTED
//
// with Cancel possible until Commit. A draft lives only in memory (its
// cancellation leaves an audit entry). From Confirm on, every state is
// stored with its audit entry, so that a crash between Confirm and Commit
// leaves a record Terminal.Recover can finish: a paid sale is committed, an
// unpaid one cancelled (releasing a frozen voucher through the outbox).
// Only Commit writes a sale's outbox row.
//
// Decisions this file makes (DESIGN leaves them open):
//   - Selling needs rules cached by sync/: before the first rules refresh
//     NewSale refuses with CodeRulesMissing. The built-in DefaultRules are
//     seed data for the platform, not a licence to pay subsidies the
//     province may have changed.
//   - The platform's discount is authoritative online. When it differs from
//     the local computation the sale uses the platform's figure and carries
//     a SUBSIDY_DIFFERS warning for the manager's review list.
//   - The SN is checked against the local history even online: a sale
//     captured offline and not yet synced is known only here.

// Warning codes added by the sale flow (CheckFraud has its own).
const (
	WarnSubsidyDiffers = "SUBSIDY_DIFFERS" // platform discount != local computation
	WarnFreezeExpired  = "FREEZE_EXPIRED"  // committed after the platform's frozen_until
	WarnSNUnchecked    = "SN_UNCHECKED"    // notice from SetSN: platform not asked; local history only
)

// consumerLimitWindow bounds how far back SalesByConsumer looks when the
// rules carry no campaign start.
const consumerLimitWindow = 366 * 24 * time.Hour

// barcodeHistoryWindow is how far back the fraud checks see sales of the
// same barcode (bursts of one model, prices raised before a sale).
const barcodeHistoryWindow = 30 * 24 * time.Hour

// maxPaymentRefLen bounds the payment reference typed or scanned from the
// store's payment terminal (UnionPay/WeChat/Alipay references are ≤ 32).
const maxPaymentRefLen = 64

// Quote is the subsidy preview shown before Confirm.
type Quote struct {
	FinalPriceFen Fen
	SubsidyFen    Fen
	PayFen        Fen // FinalPriceFen - SubsidyFen
	RateBP        int
	Capped        bool
	Rule          CategoryRule
	Warnings      []Warning
}

// SaleWizard is one sale in the wizard. (It is not called SaleDraft: that
// name is the DRAFT state.) It is safe for concurrent use. The steps take
// the wizard's lock for their whole run, Confirm included while it waits
// for the platform; the read-only accessors (Sale, SNRequired,
// NeedsTradeIn, PrintError) never wait: they return the state after the
// last completed step. Everything returned to the caller has personal
// data masked (no auth code; the phone masked).
type SaleWizard struct {
	s *Session
	t *Terminal

	mu         sync.Mutex // guards everything below
	sale       Sale
	sets       RuleSets // every cached set, read when the sale started
	rules      Rules    // the set of rule, chosen by selectRuleLocked
	rule       CategoryRule
	haveRule   bool
	claims     *ConsumerClaims // set for verified signed codes
	quoted     bool
	snWarnings []Warning
	printErr   error

	view atomic.Pointer[wizardView] // published by lock's release; never nil
}

// NewSale starts a sale. It needs ActSell, cached rules (CodeRulesMissing
// before the first rules refresh) and an open campaign (CodeCampaignClosed).
func (s *Session) NewSale(ctx context.Context) (*SaleWizard, error) {
	if err := s.require(ActSell); err != nil {
		return nil, err
	}
	t := s.t
	sets, err := t.store.Rules(ctx)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeRulesMissing, "subsidy rules have not been downloaded from the platform yet; connect and refresh the library")
	}
	if err != nil {
		return nil, internal("read rules", err)
	}
	now := t.clock.Now()
	if len(sets.InForce(t.info.CountyCode, now)) == 0 {
		return nil, Errorf(CodeCampaignClosed, "no rule set covering county %s is in force at %s", t.info.CountyCode, now.In(ChinaTime).Format("2006-01-02 15:04"))
	}
	d := &SaleWizard{s: s, t: t, sets: sets}
	d.sale = Sale{
		OrderNo:    t.ids.next(prefixOrder, now),
		TerminalNo: t.info.TerminalNo,
		StaffID:    s.staff.ID,
		State:      SaleDraft,
		CreatedAt:  now,
		UpdatedAt:  now,
		RequestNo:  t.ids.next(prefixRequest, now),
	}
	d.lock()() // publish the first view
	t.live.Store(d.sale.OrderNo, struct{}{})
	return d, nil
}

// wizardView is what the read-only accessors return without taking d.mu,
// so a screen can render while Confirm waits for the platform.
type wizardView struct {
	sale         Sale // screenSale copy: no auth code, phone masked
	snRequired   bool
	needsTradeIn bool
	printErr     error
}

// lock takes d.mu and returns the function that publishes the new view
// and releases it: every step starts with `defer d.lock()()`.
func (d *SaleWizard) lock() func() {
	d.mu.Lock()
	return func() {
		d.view.Store(&wizardView{
			sale:         screenSale(d.sale),
			snRequired:   d.snRequiredLocked(),
			needsTradeIn: d.haveRule && d.rule.TradeInRequired,
			printErr:     d.printErr,
		})
		d.mu.Unlock()
	}
}

// Sale returns the sale as it stands after the last completed step, with
// personal data masked. It never waits for a step in progress.
func (d *SaleWizard) Sale() Sale { return copySale(d.view.Load().sale) }

// PrintError reports why the receipt of the committed sale could not be
// queued; nil when it was queued (or there is no printer).
func (d *SaleWizard) PrintError() error { return d.view.Load().printErr }

// editableLocked refuses changes once the sale left DRAFT. d.mu must be held.
func (d *SaleWizard) editableLocked() error {
	if err := d.s.require(ActSell); err != nil {
		return err
	}
	if d.sale.State != SaleDraft {
		return Errorf(CodeIllegalState, "sale %s is %s; cancel it to change it", d.sale.OrderNo, d.sale.State)
	}
	return nil
}

// SetConsumerCode takes the consumer's qualification code. A signed TIQ1
// code is verified here with the platform key (signature, expiry, region
// against the store's county, and the category once the product is known)
// and must not have paid for another sale on this terminal. Any other
// string is an opaque code that only the platform can check: it is
// accepted online and refused offline with CodeOfflineRefused.
func (d *SaleWizard) SetConsumerCode(ctx context.Context, code string) (Consumer, error) {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return Consumer{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > MaxConsumerCodeLen || !printableASCII(code) {
		return Consumer{}, Errorf(CodeInvalidCode, "the consumer code is empty, too long or not printable")
	}
	t := d.t
	d.quoted = false

	if !IsSignedCodeFormat(code) {
		if !t.isOnline() {
			return Consumer{}, Errorf(CodeOfflineRefused, "the platform is unreachable and this code is not a signed TIQ1 code; ask the consumer for the signed QR code")
		}
		d.claims = nil
		d.sale.Consumer = Consumer{AuthCode: code, Masked: maskCode(code)}
		return screenSale(d.sale).Consumer, nil
	}

	claims, err := VerifyConsumerCode(code, t.key, t.clock.Now())
	if err != nil {
		return Consumer{}, err
	}
	if !RegionCovers(claims.Reg, t.info.CountyCode) {
		return Consumer{}, Errorf(CodeVoucherRegionMismatch, "voucher region %s does not cover store county %s", claims.Reg, t.info.CountyCode)
	}
	if d.haveRule {
		if err := CheckClaims(claims, d.sale.Product.Category, t.info.CountyCode); err != nil {
			return Consumer{}, err
		}
	}
	if used, orderNo, err := d.voucherUsedLocally(ctx, claims.VID); err != nil {
		return Consumer{}, err
	} else if used {
		return Consumer{}, Errorf(CodeVoucherUsed, "this voucher already paid for order %s", orderNo)
	}
	d.claims = &claims
	d.sale.Consumer = Consumer{
		AuthCode:  code,
		VoucherID: claims.VID,
		CRef:      claims.CRef,
		Region:    claims.Reg,
		Signed:    true,
		Masked:    maskCode(claims.VID),
	}
	return screenSale(d.sale).Consumer, nil
}

// SetConsumerPhone records the consumer's contact phone for the pickup of
// the old appliance. It is stored encrypted and shown masked.
func (d *SaleWizard) SetConsumerPhone(phone string) error {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return err
	}
	p := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(phone))
	if p != "" && (len(p) < 7 || len(p) > 15 || firstNonDigit(p) >= 0) {
		return Errorf(CodeInvalidRequest, "a phone number has 7 to 15 digits")
	}
	d.sale.Consumer.Phone = p
	return nil
}

// ScanProduct looks the barcode up in the local product library and finds
// the category's rule. Changing the product clears the SN and the quote.
func (d *SaleWizard) ScanProduct(ctx context.Context, barcode string) (Product, CategoryRule, error) {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return Product{}, CategoryRule{}, err
	}
	barcode = strings.TrimSpace(barcode)
	if err := ValidateGTIN(barcode); err != nil {
		return Product{}, CategoryRule{}, err
	}
	t := d.t
	p, err := t.store.Product(ctx, barcode)
	if errors.Is(err, ErrNotFound) {
		return Product{}, CategoryRule{}, Errorf(CodeProductNotFound, "barcode %s is not in the local product library", barcode)
	}
	if err != nil {
		return Product{}, CategoryRule{}, internal("read product", err)
	}
	if p.Status == ProductDelisted {
		return Product{}, CategoryRule{}, Errorf(CodeProductNotFound, "product %s (%s) was delisted from the library", barcode, p.Model)
	}
	set, rule, err := selectRule(d.sets, p.Category, t.info.CountyCode, t.clock.Now())
	if err != nil {
		return Product{}, CategoryRule{}, err
	}
	if d.claims != nil {
		if err := CheckClaims(*d.claims, p.Category, t.info.CountyCode); err != nil {
			return Product{}, CategoryRule{}, err
		}
	}
	if d.sale.Product.Barcode != p.Barcode {
		d.sale.SN = ""
		d.snWarnings = nil
	}
	d.sale.Product = p
	d.rules, d.rule, d.haveRule = set, rule, true
	d.quoted = false
	return p, rule, nil
}

// selectRule returns the set in force at `at` for category c in the
// county and its rule (RuleSets.ForCategory), refusing a category no set
// in force subsidises (CodeNotEligible, or CodeCampaignClosed when no set
// is in force at all), a paused set (CodeCampaignClosed) and a paused
// category (CodeCategoryPaused): the product step says so before anyone
// types a price.
func selectRule(sets RuleSets, c Category, county string, at time.Time) (Rules, CategoryRule, error) {
	set, rule, ok := sets.ForCategory(c, county, at)
	switch {
	case !ok && len(sets.InForce(county, at)) == 0:
		return Rules{}, CategoryRule{}, Errorf(CodeCampaignClosed, "no rule set is in force at %s", at.In(ChinaTime).Format("2006-01-02 15:04"))
	case !ok:
		return Rules{}, CategoryRule{}, Errorf(CodeNotEligible, "category %s is not subsidised by the rules in force", c)
	case set.Paused != nil:
		return Rules{}, CategoryRule{}, Errorf(CodeCampaignClosed, "rule set %s is paused: %s", set.ID, set.Paused.Message)
	case rule.Paused != nil:
		return Rules{}, CategoryRule{}, Errorf(CodeCategoryPaused, "%s is paused in rule set %s: %s", c, set.ID, rule.Paused.Message)
	}
	return set, rule, nil
}

// snRequiredLocked reports whether the product needs its SN/IMEI. d.mu must be held.
func (d *SaleWizard) snRequiredLocked() bool {
	return d.haveRule && (d.rule.SNRequired || d.sale.Product.SNRequired)
}

// SNRequired reports whether the scanned product needs its SN/IMEI.
func (d *SaleWizard) SNRequired() bool { return d.view.Load().snRequired }

// SetSN takes the product's serial number or IMEI (15 digits, Luhn) in its
// NormalizeSN form (trimmed, upper case), so one device is one SN whatever
// case it was scanned or typed in. Online
// the platform is asked whether it may be sold (USED and NOT_FOUND refuse);
// always, the local history is checked too (an SN subsidised on this
// terminal and not refunded refuses with CodeSNUsed). It returns the
// warnings found: fraud warnings (e.g. SN_SEEN_BEFORE), which also go on
// the sale and so to the review list, and SN_UNCHECKED when the platform
// could not be asked. SN_UNCHECKED is a notice for the screen only: the
// platform checks the SN again when the sale syncs, and a rejection puts
// the sale on the review list then, so it does not flood the list with
// every offline sale.
func (d *SaleWizard) SetSN(ctx context.Context, sn string) ([]Warning, error) {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return nil, err
	}
	// A product barcode with a wrong check digit classifies as an SN, so a
	// scan of one reaches SetSN even before the product is known.
	sn = NormalizeSN(sn)
	if misreadProductCode(sn, d.sale.Product.Barcode) {
		return nil, Errorf(CodeInvalidGTIN, "a product barcode with a wrong check digit was scanned where the SN belongs")
	}
	if !d.haveRule {
		return nil, Errorf(CodeInvalidRequest, "scan the product barcode before its SN/IMEI")
	}
	if len(sn) == 15 && firstNonDigit(sn) < 0 {
		if err := ValidateIMEI(sn); err != nil {
			return nil, err
		}
	} else if err := ValidateSN(sn); err != nil {
		return nil, err
	}
	t := d.t
	var notices []Warning
	unchecked := func(why string) {
		notices = append(notices, Warning{Code: WarnSNUnchecked, Detail: why + "; SN checked against local history only"})
	}
	if !t.isOnline() {
		unchecked("offline")
	} else {
		status, err := t.platform.QuerySN(ctx, sn)
		switch {
		case errors.Is(err, ErrPlatformDown):
			unchecked("platform unreachable")
		case err != nil:
			return nil, err
		case status == SNUsed:
			return nil, Errorf(CodeSNUsed, "the platform reports SN %s as already subsidised", sn)
		case status == SNNotFound:
			return nil, Errorf(CodeSNNotFound, "the platform does not know SN %s; check the number on the box", sn)
		case status != SNSellable:
			unchecked("platform answered " + string(status))
		}
	}
	history, err := t.store.SalesBySN(ctx, sn)
	if err != nil {
		return nil, internal("read SN history", err)
	}
	candidate := d.sale
	candidate.SN = sn
	fw, block := CheckFraud(candidate, d.rule, FraudHistory{SNSales: otherSales(history, d.sale.OrderNo)}, t.clock.Now())
	if block != nil {
		return nil, block
	}
	d.sale.SN = sn
	d.snWarnings = fw
	d.quoted = false
	return mergeWarnings(notices, fw), nil
}

// misreadProductCode reports whether s, scanned where the SN belongs, is a
// product barcode with a wrong check digit rather than a serial number: a
// digit string of GTIN length whose GS1 check digit is wrong, and which
// either is a 13-digit 69… code (the national library's product codes) or
// shares its first 7 digits (the shortest GS1 company prefix) with the
// sale's product barcode. Serial numbers may be all digits, so a digit
// string of another shape stays an SN; one of this shape is far likelier the
// box's barcode misread or mistyped, and "rescan" helps the clerk where the
// platform's "SN not found" would not.
func misreadProductCode(s, productBarcode string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	if firstNonDigit(s) >= 0 || GTINCheckDigit(s[:len(s)-1]) == s[len(s)-1] {
		return false
	}
	const companyPrefix = 7
	return len(s) == 13 && strings.HasPrefix(s, "69") ||
		len(productBarcode) >= companyPrefix && s[:companyPrefix] == productBarcode[:companyPrefix]
}

// NeedsTradeIn reports whether the scanned product's rule requires an old
// appliance to be handed in.
func (d *SaleWizard) NeedsTradeIn() bool { return d.view.Load().needsTradeIn }

// Trade-in conditions (TradeIn.Condition, Pickup.Condition). Stored and sent.
const (
	ConditionGood   = "GOOD"
	ConditionWorn   = "WORN"
	ConditionBroken = "BROKEN"
)

// ValidCondition reports whether c is one of the condition codes.
func ValidCondition(c string) bool {
	return c == ConditionGood || c == ConditionWorn || c == ConditionBroken
}

// SetTradeIn records the old appliance and assigns its ticket number
// ("TI…", printed as a QR code on the receipt for the recycler). Setting it
// again keeps the ticket number.
func (d *SaleWizard) SetTradeIn(ctx context.Context, ti TradeIn) (TradeIn, error) {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return TradeIn{}, err
	}
	ti.Brand, ti.Model = strings.TrimSpace(ti.Brand), strings.TrimSpace(ti.Model)
	switch {
	case ti.Category == "":
		return TradeIn{}, Errorf(CodeInvalidRequest, "choose the category of the old appliance")
	case !ValidCondition(ti.Condition):
		return TradeIn{}, Errorf(CodeInvalidRequest, "condition must be GOOD, WORN or BROKEN")
	case ti.PriceFen < 0:
		return TradeIn{}, Errorf(CodeInvalidAmount, "the trade-in price cannot be negative")
	case utf8.RuneCountInString(ti.Brand) > maxTradeInText || utf8.RuneCountInString(ti.Model) > maxTradeInText:
		// Characters, as sync/api/openapi.yaml's maxLength counts them.
		return TradeIn{}, Errorf(CodeInvalidRequest, "brand and model have at most %d characters", maxTradeInText)
	}
	if d.sale.TradeIn != nil && d.sale.TradeIn.TicketNo != "" {
		ti.TicketNo = d.sale.TradeIn.TicketNo
	} else {
		ti.TicketNo = d.t.nextTicketNo(d.t.clock.Now())
	}
	d.sale.TradeIn = &ti
	return ti, nil
}

// Quote computes the subsidy for the final price (after all merchant and
// platform discounts) with the local rules and runs the fraud checks. It
// calls no platform. Refusals: CodeInvalidAmount, CodeNotEligible (grade),
// CodePriceAboveCeiling, CodePriceAboveFiled, CodeSNUsed, CodeQuotaExhausted.
func (d *SaleWizard) Quote(ctx context.Context, finalPrice Fen) (Quote, error) {
	defer d.lock()()
	if err := d.editableLocked(); err != nil {
		return Quote{}, err
	}
	return d.quoteLocked(ctx, finalPrice, d.t.clock.Now())
}

// quoteLocked is Quote with d.mu held, under the rule set in force at now
// for the product's category: a quote shown at 23:59 on 31 December and
// confirmed after midnight is computed again under the new year's set.
func (d *SaleWizard) quoteLocked(ctx context.Context, finalPrice Fen, now time.Time) (Quote, error) {
	if !d.haveRule {
		return Quote{}, Errorf(CodeInvalidRequest, "scan the product barcode before entering the price")
	}
	if finalPrice <= 0 {
		return Quote{}, Errorf(CodeInvalidAmount, "the final price must be above zero")
	}
	t := d.t
	set, rule, err := selectRule(d.sets, d.sale.Product.Category, t.info.CountyCode, now)
	if err != nil {
		d.quoted = false
		return Quote{}, err
	}
	d.rules, d.rule = set, rule
	res, err := ComputeSubsidy(d.rule, d.sale.Product, finalPrice)
	if err != nil {
		return Quote{}, err
	}
	pay := finalPrice - res.SubsidyFen
	if pay < 0 || pay+res.SubsidyFen != finalPrice {
		return Quote{}, Errorf(CodeInternal, "subsidy %d exceeds price %d", res.SubsidyFen, finalPrice)
	}

	candidate := d.sale
	candidate.FinalPriceFen, candidate.SubsidyFen, candidate.PayFen = finalPrice, res.SubsidyFen, pay
	h, err := d.historyLocked(ctx, now)
	if err != nil {
		return Quote{}, err
	}
	fw, block := CheckFraud(candidate, d.rule, h, now)
	if block != nil {
		return Quote{}, block
	}
	d.sale.FinalPriceFen, d.sale.SubsidyFen, d.sale.PayFen = finalPrice, res.SubsidyFen, pay
	d.sale.RuleSetID = set.ID
	d.sale.Warnings = mergeWarnings(d.snWarnings, fw)
	d.quoted = true
	return Quote{
		FinalPriceFen: finalPrice,
		SubsidyFen:    res.SubsidyFen,
		PayFen:        pay,
		RateBP:        res.RateBP,
		Capped:        res.Capped,
		Rule:          d.rule,
		Warnings:      append([]Warning(nil), d.sale.Warnings...),
	}, nil
}

// historyLocked gathers what CheckFraud needs from the store. d.mu must be held.
func (d *SaleWizard) historyLocked(ctx context.Context, now time.Time) (FraudHistory, error) {
	t := d.t
	var h FraudHistory
	if d.sale.SN != "" {
		sns, err := t.store.SalesBySN(ctx, d.sale.SN)
		if err != nil {
			return h, internal("read SN history", err)
		}
		h.SNSales = otherSales(sns, d.sale.OrderNo)
	}
	if cref := d.sale.Consumer.CRef; cref != "" {
		// Per-consumer limits count within the period of the set in
		// force: a fridge bought under the 2025 set does not use up the
		// 2026 quota.
		since := d.rules.CampaignStart
		if since.IsZero() {
			since = now.Add(-consumerLimitWindow)
		}
		cs, err := t.store.SalesByConsumer(ctx, cref, since)
		if err != nil {
			return h, internal("read consumer history", err)
		}
		h.ConsumerSales = otherSales(cs, d.sale.OrderNo)
	}
	bs, err := t.store.SalesOfBarcode(ctx, d.sale.Product.Barcode, now.Add(-barcodeHistoryWindow))
	if err != nil {
		return h, internal("read barcode history", err)
	}
	h.BarcodeSales = otherSales(bs, d.sale.OrderNo)
	for _, s := range h.BarcodeSales {
		h.PriceHistory = append(h.PriceHistory, PricePoint{At: s.CreatedAt, PriceFen: s.FinalPriceFen})
	}
	return h, nil
}

// voucherUsedLocally reports whether another sale on this terminal holds
// the voucher (see HoldsSN: any state but DRAFT, CANCELLED or REFUNDED).
func (d *SaleWizard) voucherUsedLocally(ctx context.Context, vid string) (bool, string, error) {
	sales, err := d.t.store.SalesByVoucher(ctx, vid)
	if err != nil {
		return false, "", internal("read voucher history", err)
	}
	for _, o := range otherSales(sales, d.sale.OrderNo) {
		if HoldsSN(o.State) {
			return true, o.OrderNo, nil
		}
	}
	return false, "", nil
}
