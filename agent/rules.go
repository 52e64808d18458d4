package agent

import (
	"fmt"
	"strconv"
	"time"
)

// DefaultRulesVersion is the Version of DefaultRules. The platform's rule
// sets carry their own versions; this one marks the seed.
const DefaultRulesVersion = "2025-national-default-1"

// Default rates, caps and limits of the 2025 national programme (docs/DOMAIN.md).
// Rates are basis points of the final price.
const (
	applianceGrade1BP  = 2000 // 20 % for energy/water efficiency grade 1
	applianceGrade2BP  = 1500 // 15 % for grade 2; grades 3-5 are not eligible
	applianceCapFen    = Fen(2000_00)
	digitalRateBP      = 1500 // 15 % of the final price after all discounts
	digitalCapFen      = Fen(500_00)
	digitalCeilingFen  = Fen(6000_00)
	homeRateBP         = 1500 // the national ceiling; provinces may set less
	homeElderlyRateBP  = 3000 // elderly-friendly (适老化) renovation products
	homeCapFen         = Fen(2000_00)
	ebikeFixedFen      = Fen(500_00)
	airCondPerConsumer = 3 // air conditioners: up to three per consumer
)

// categoryNames lists the 17 seeded categories in display order with their
// group and names. The Chinese names are the programme's own terms.
var categoryNames = []struct {
	cat    Category
	group  Group
	zh, en string
}{
	{CatFridge, GroupAppliance, "冰箱", "Refrigerator"},
	{CatWasher, GroupAppliance, "洗衣机", "Washing machine"},
	{CatTV, GroupAppliance, "电视", "Television"},
	{CatAirCond, GroupAppliance, "空调", "Air conditioner"},
	{CatComputer, GroupAppliance, "电脑", "Computer"},
	{CatWaterHeater, GroupAppliance, "热水器", "Water heater"},
	{CatHob, GroupAppliance, "家用灶具", "Hob"},
	{CatRangeHood, GroupAppliance, "吸油烟机", "Range hood"},
	{CatWaterPurifier, GroupAppliance, "净水器", "Water purifier"},
	{CatDishwasher, GroupAppliance, "洗碗机", "Dishwasher"},
	{CatRiceCooker, GroupAppliance, "电饭煲", "Rice cooker"},
	{CatMicrowave, GroupAppliance, "微波炉", "Microwave oven"},
	{CatPhone, GroupDigital, "手机", "Mobile phone"},
	{CatTablet, GroupDigital, "平板电脑", "Tablet"},
	{CatSmartwatch, GroupDigital, "智能手表(手环)", "Smartwatch / band"},
	{CatHomeReno, GroupHome, "家装厨卫", "Home renovation"},
	{CatEBike, GroupEBike, "电动自行车", "E-bike"},
}

// DefaultRules returns the 2025 national defaults of docs/DOMAIN.md: the seed data
// of the reference platform, and what tests and the demo sell under. The
// campaign runs from 2025-01-01 to 2026-12-31 inclusive, China time; the
// region prefix is "" (national). Each call returns a fresh value that the
// caller may modify.
func DefaultRules() Rules {
	r := Rules{
		Version:       DefaultRulesVersion,
		CampaignStart: time.Date(2025, 1, 1, 0, 0, 0, 0, ChinaTime),
		CampaignEnd:   time.Date(2027, 1, 1, 0, 0, 0, 0, ChinaTime), // exclusive
		RegionPrefix:  "",
		Offline: OfflinePolicy{
			SignedCodesOnly:      true,
			MaxSubsidyPerSaleFen: 2000_00,
			MaxPendingSubsidyFen: 20000_00,
			MaxOldestPending:     72 * time.Hour,
		},
	}
	for _, n := range categoryNames {
		cr := CategoryRule{Category: n.cat, Group: n.group, NameZH: n.zh, NameEN: n.en,
			PerConsumerLimit: 1, QuotaRestoredOnRefund: true}
		switch n.group {
		case GroupAppliance:
			cr.GradeRatesBP = map[string]int{"1": applianceGrade1BP, "2": applianceGrade2BP}
			cr.CapFen = applianceCapFen
			if n.cat == CatAirCond {
				cr.PerConsumerLimit = airCondPerConsumer
			}
		case GroupDigital:
			cr.RateBP = digitalRateBP
			cr.CapFen = digitalCapFen
			cr.PriceCeilingFen = digitalCeilingFen
			cr.SNRequired = true
		case GroupHome:
			cr.RateBP = homeRateBP
			cr.ElderlyRateBP = homeElderlyRateBP
			cr.CapFen = homeCapFen
		case GroupEBike:
			cr.FixedFen = ebikeFixedFen
			cr.CapFen = ebikeFixedFen
			cr.TradeInRequired = true // old bike and battery are handed in
		}
		r.Categories = append(r.Categories, cr)
	}
	return r
}

// Rule returns the rule of category c, and whether the rule set has one. A
// category without a rule is not subsidised.
func (r Rules) Rule(c Category) (CategoryRule, bool) {
	for _, cr := range r.Categories {
		if cr.Category == c {
			return cr, true
		}
	}
	return CategoryRule{}, false
}

// InCampaign reports whether t lies in the campaign window
// [CampaignStart, CampaignEnd). A zero bound is open.
func (r Rules) InCampaign(t time.Time) bool {
	if !r.CampaignStart.IsZero() && t.Before(r.CampaignStart) {
		return false
	}
	if !r.CampaignEnd.IsZero() && !t.Before(r.CampaignEnd) {
		return false
	}
	return true
}

// CoversRegion reports whether the rule set applies to a store in the
// 6-digit county code (see RegionCovers; "" is national).
func (r Rules) CoversRegion(county string) bool {
	return RegionCovers(r.RegionPrefix, county)
}

// Validate checks a rule set received from the platform before the terminal
// caches it, so that a broken rule set never replaces a working one. It
// returns an error coded CodeInvalidRequest naming the first problem.
func (r Rules) Validate() error {
	bad := func(format string, args ...any) error {
		return &Error{Code: CodeInvalidRequest, Detail: "rules: " + fmt.Sprintf(format, args...)}
	}
	if r.Version == "" {
		return bad("version is empty")
	}
	if !r.CampaignStart.IsZero() && !r.CampaignEnd.IsZero() && !r.CampaignStart.Before(r.CampaignEnd) {
		return bad("campaign ends before it starts")
	}
	if p := r.RegionPrefix; p != "" && (len(p) > 6 || firstNonDigit(p) >= 0) {
		return bad("region prefix %q is not a region code prefix", p)
	}
	if len(r.Categories) == 0 {
		return bad("no categories")
	}
	seen := map[Category]bool{}
	for _, c := range r.Categories {
		if c.Category == "" {
			return bad("category with an empty code")
		}
		if seen[c.Category] {
			return bad("category %s listed twice", c.Category)
		}
		seen[c.Category] = true
		if err := validateRate(c.RateBP); err != nil {
			return bad("%s: rate %v", c.Category, err)
		}
		if err := validateRate(c.ElderlyRateBP); err != nil {
			return bad("%s: elderly rate %v", c.Category, err)
		}
		for g, bp := range c.GradeRatesBP {
			if n, err := strconv.Atoi(g); err != nil || n < 1 || n > 5 {
				return bad("%s: grade %q is not 1..5", c.Category, g)
			}
			if err := validateRate(bp); err != nil {
				return bad("%s: grade %s rate %v", c.Category, g, err)
			}
		}
		if c.FixedFen < 0 || c.CapFen < 0 || c.PriceCeilingFen < 0 {
			return bad("%s: negative amount", c.Category)
		}
		if c.PerConsumerLimit < 0 {
			return bad("%s: negative per-consumer limit", c.Category)
		}
	}
	o := r.Offline
	if o.MaxSubsidyPerSaleFen < 0 || o.MaxPendingSubsidyFen < 0 || o.MaxOldestPending < 0 {
		return bad("offline policy has a negative limit")
	}
	return nil
}

// validateRate accepts 0 (unset) to 10000 basis points (100 %).
func validateRate(bp int) error {
	if bp < 0 || bp > 10000 {
		return fmt.Errorf("%d bp is outside 0..10000", bp)
	}
	return nil
}
