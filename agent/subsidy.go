package agent

import (
	"strconv"
	"time"
)

// SubsidyResult is the subsidy computed for one item.
type SubsidyResult struct {
	SubsidyFen Fen
	RateBP     int  // the rate applied; 0 for a fixed amount
	Capped     bool // the per-item cap lowered the amount
}

// SubsidyOptions carries facts about an item that the product library does
// not hold.
type SubsidyOptions struct {
	// ElderlyFriendly marks a home-renovation product certified as
	// elderly-friendly (适老化); the clerk confirms it from the product's
	// certificate. It selects CategoryRule.ElderlyRateBP when that is set.
	ElderlyFriendly bool
}

// ComputeSubsidy returns the subsidy for product p sold at finalPrice (after
// all merchant and platform discounts) under rule:
//
//	min(floor(finalPrice × rate / 10000), cap)
//
// in integer fen, or the rule's fixed amount (at most the price and the cap).
// The rate is the grade's rate when the rule has grade rates (the better of
// the energy and the water efficiency grade), else RateBP.
//
// Errors, checked in this order: CodeInvalidRequest when the rule is for
// another category; CodeInvalidAmount for a price ≤ 0; CodeNotEligible for a
// delisted product, a grade without a rate (e.g. grade 3 appliances) or a
// zero rate; CodePriceAboveCeiling when the price exceeds the category
// ceiling; CodePriceAboveFiled when it exceeds the product's filed price
// (价格备案; only when the library has one); CodeSubsidyZero when the
// subsidy rounds down to ¥0.00 (15 % of a mistyped ¥0.01 price). A
// subsidised sale spends the consumer's one-per-category quota whatever its
// amount, so a ¥0.00 subsidy would cost the consumer their subsidy for
// nothing; it is refused rather than sold. The platform computes with this
// function too and refuses the same prices.
func ComputeSubsidy(rule CategoryRule, p Product, finalPrice Fen) (SubsidyResult, error) {
	return ComputeSubsidyWith(rule, p, finalPrice, SubsidyOptions{})
}

// ComputeSubsidyWith is ComputeSubsidy with the facts of o.
func ComputeSubsidyWith(rule CategoryRule, p Product, finalPrice Fen, o SubsidyOptions) (SubsidyResult, error) {
	if p.Category != rule.Category {
		return SubsidyResult{}, Errorf(CodeInvalidRequest, "rule for %s applied to a %s product", rule.Category, p.Category)
	}
	if finalPrice <= 0 {
		return SubsidyResult{}, Errorf(CodeInvalidAmount, "final price %s is not positive", finalPrice)
	}
	if p.Status == ProductDelisted {
		return SubsidyResult{}, Errorf(CodeNotEligible, "product %s is delisted", p.Barcode)
	}
	if rule.PriceCeilingFen > 0 && finalPrice > rule.PriceCeilingFen {
		return SubsidyResult{}, Errorf(CodePriceAboveCeiling, "final price %s above the %s ceiling %s", finalPrice, rule.Category, rule.PriceCeilingFen)
	}
	if p.FiledPriceFen > 0 && finalPrice > p.FiledPriceFen {
		return SubsidyResult{}, Errorf(CodePriceAboveFiled, "final price %s above the filed price %s", finalPrice, p.FiledPriceFen)
	}

	if rule.FixedFen > 0 {
		amount := min(rule.FixedFen, finalPrice)
		capped := false
		if rule.CapFen > 0 && amount > rule.CapFen {
			amount, capped = rule.CapFen, true
		}
		return SubsidyResult{SubsidyFen: amount, Capped: capped}, nil
	}

	rate := rule.RateBP
	if len(rule.GradeRatesBP) > 0 {
		var ok bool
		rate, ok = gradeRate(rule.GradeRatesBP, p)
		if !ok {
			return SubsidyResult{}, Errorf(CodeNotEligible, "energy grade %d / water grade %d of %s is not subsidised", p.EnergyGrade, p.WaterGrade, rule.Category)
		}
	}
	if o.ElderlyFriendly && rule.ElderlyRateBP > 0 {
		rate = rule.ElderlyRateBP
	}
	if rate <= 0 {
		return SubsidyResult{}, Errorf(CodeNotEligible, "no subsidy rate for %s", rule.Category)
	}
	amount := applyRate(finalPrice, rate)
	if amount <= 0 {
		return SubsidyResult{}, Errorf(CodeSubsidyZero, "final price %s gives a subsidy of 0 at %d bp", finalPrice, rate)
	}
	res := SubsidyResult{SubsidyFen: amount, RateBP: rate}
	if rule.CapFen > 0 && amount > rule.CapFen {
		res.SubsidyFen, res.Capped = rule.CapFen, true
	}
	return res, nil
}

// gradeRate returns the rate of the product's better-paid efficiency
// grade: the rules subsidise "energy or water efficiency grade N", so a
// washer with energy grade 2 and water grade 1 gets the grade-1 rate. A
// grade of 0 (none) has no rate.
func gradeRate(rates map[string]int, p Product) (int, bool) {
	best, ok := 0, false
	for _, g := range []int{p.EnergyGrade, p.WaterGrade} {
		if g <= 0 {
			continue
		}
		if r, has := rates[strconv.Itoa(g)]; has && (!ok || r > best) {
			best, ok = r, true
		}
	}
	return best, ok
}

// applyRate returns floor(price × bp / 10000) for price ≥ 0 and 0 ≤ bp ≤
// 10000 without overflowing int64: the price is split at 10000 fen so that
// no intermediate product exceeds price.
func applyRate(price Fen, bp int) Fen {
	hi, lo := price/10000, price%10000
	return hi*Fen(bp) + lo*Fen(bp)/10000
}

// CheckSaleRules checks the rule-set conditions of a sale that do not depend
// on history, and returns the category's rule:
//   - CodeCampaignClosed when now is outside the campaign window;
//   - CodeCampaignClosed when the platform paused the whole set;
//   - CodeNotEligible when the rules do not cover the store's county or have
//     no rule for the product's category;
//   - CodeCategoryPaused when the platform paused the category;
//   - CodeTradeInRequired when the rule requires an old item and the sale
//     has none;
//   - CodeInvalidSN when the rule or the product requires a serial number and
//     the sale has none, or it is malformed.
//
// Per-consumer limits and one-SN-once need history: see CheckFraud.
func CheckSaleRules(r Rules, s Sale, storeCounty string, now time.Time) (CategoryRule, error) {
	if !r.InCampaign(now) {
		return CategoryRule{}, Errorf(CodeCampaignClosed, "%s is outside the campaign window", now.In(ChinaTime).Format(time.DateOnly))
	}
	if !r.CoversRegion(storeCounty) {
		return CategoryRule{}, Errorf(CodeNotEligible, "rules for region %q do not cover county %s", r.RegionPrefix, storeCounty)
	}
	if r.Paused != nil {
		return CategoryRule{}, Errorf(CodeCampaignClosed, "rule set %s is paused: %s", r.ID, r.Paused.Message)
	}
	rule, ok := r.Rule(s.Product.Category)
	if !ok {
		return CategoryRule{}, Errorf(CodeNotEligible, "category %q is not subsidised", s.Product.Category)
	}
	if rule.Paused != nil {
		return rule, Errorf(CodeCategoryPaused, "%s is paused: %s", rule.Category, rule.Paused.Message)
	}
	if rule.TradeInRequired && s.TradeIn == nil {
		return rule, Errorf(CodeTradeInRequired, "%s requires the old item to be handed in", rule.Category)
	}
	if rule.SNRequired || s.Product.SNRequired {
		if s.SN == "" {
			return rule, Errorf(CodeInvalidSN, "%s requires a serial number or IMEI", rule.Category)
		}
		if err := ValidateSN(s.SN); err != nil { // an IMEI is a valid SN too
			return rule, err
		}
	}
	return rule, nil
}

// CheckSaleRulesAt selects the rule set in force at the sale's transaction
// time at for its category (RuleSets.ForCategory) and checks the sale with
// CheckSaleRules. It returns the set and the rule. A category no set in
// force subsidises is CodeNotEligible; no set in force at all is
// CodeCampaignClosed.
func CheckSaleRulesAt(sets RuleSets, s Sale, storeCounty string, at time.Time) (Rules, CategoryRule, error) {
	r, _, ok := sets.ForCategory(s.Product.Category, storeCounty, at)
	if !ok {
		if len(sets.InForce(storeCounty, at)) == 0 {
			return Rules{}, CategoryRule{}, Errorf(CodeCampaignClosed, "no rule set is in force at %s", at.In(ChinaTime).Format(time.DateTime))
		}
		return Rules{}, CategoryRule{}, Errorf(CodeNotEligible, "category %q is not subsidised at %s", s.Product.Category, at.In(ChinaTime).Format(time.DateOnly))
	}
	rule, err := CheckSaleRules(r, s, storeCounty, at)
	return r, rule, err
}
