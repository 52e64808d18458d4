package agent

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IDs of the national rule sets, stored with every sale computed under them.
const (
	RuleSetNational2025 = "CN-2025"
	RuleSetNational2026 = "CN-2026"
)

// DefaultRulesVersion is the Version of DefaultRules. The platform's rule
// sets carry their own versions; this one marks the seed.
const DefaultRulesVersion = "2026-national-1"

// Rates, caps and limits of the national programme (docs/rules.md has
// the tables). Rates are basis points of the final price.
const (
	// 2025: appliances by energy/water efficiency grade, up to ¥2,000.
	appliance2025Grade1BP  = 2000 // 20 % for grade 1
	appliance2025Grade2BP  = 1500 // 15 % for grade 2; grades 3-5 are not eligible
	appliance2025CapFen    = Fen(2000_00)
	airCond2025PerConsumer = 3    // air conditioners: up to three per consumer in 2025
	homeRateBP             = 1500 // 2025 home renovation: the national ceiling; provinces may set less
	homeElderlyRateBP      = 3000 // elderly-friendly (适老化) renovation products
	homeCapFen             = Fen(2000_00)
	ebikeFixedFen          = Fen(500_00)

	// 2026: appliances of energy or water efficiency grade 1 only, 15 %,
	// up to ¥1,500; one per category per consumer.
	appliance2026Grade1BP = 1500
	appliance2026CapFen   = Fen(1500_00)

	// Both years: digital products at 15 % of the final price, up to ¥500,
	// final price at most ¥6,000, SN/IMEI mandatory.
	digitalRateBP     = 1500
	digitalCapFen     = Fen(500_00)
	digitalCeilingFen = Fen(6000_00)
)

// categoryName is a category of a national set with its group and names.
// The Chinese names are the programme's own terms.
type categoryName struct {
	cat    Category
	group  Group
	zh, en string
}

// appliances2026 are the six appliance categories of both years; 2025 had
// six more (appliances2025Only).
var appliances2026 = []categoryName{
	{CatFridge, GroupAppliance, "冰箱", "Refrigerator"},
	{CatWasher, GroupAppliance, "洗衣机", "Washing machine"},
	{CatTV, GroupAppliance, "电视", "Television"},
	{CatAirCond, GroupAppliance, "空调", "Air conditioner"},
	{CatComputer, GroupAppliance, "电脑", "Computer"},
	{CatWaterHeater, GroupAppliance, "热水器", "Water heater"},
}

var appliances2025Only = []categoryName{
	{CatHob, GroupAppliance, "家用灶具", "Hob"},
	{CatRangeHood, GroupAppliance, "吸油烟机", "Range hood"},
	{CatWaterPurifier, GroupAppliance, "净水器", "Water purifier"},
	{CatDishwasher, GroupAppliance, "洗碗机", "Dishwasher"},
	{CatRiceCooker, GroupAppliance, "电饭煲", "Rice cooker"},
	{CatMicrowave, GroupAppliance, "微波炉", "Microwave oven"},
}

var digital2025 = []categoryName{
	{CatPhone, GroupDigital, "手机", "Mobile phone"},
	{CatTablet, GroupDigital, "平板电脑", "Tablet"},
	{CatSmartwatch, GroupDigital, "智能手表(手环)", "Smartwatch / band"},
}

var smartGlasses = categoryName{CatSmartGlasses, GroupDigital, "智能眼镜", "Smart glasses"}

// nationalOffline is the offline policy of both national sets.
func nationalOffline() OfflinePolicy {
	return OfflinePolicy{
		SignedCodesOnly:      true,
		MaxSubsidyPerSaleFen: 2000_00,
		MaxPendingSubsidyFen: 20000_00,
		MaxOldestPending:     72 * time.Hour,
	}
}

// digitalRule is the rule of a digital category, the same in both years.
func digitalRule(n categoryName) CategoryRule {
	return CategoryRule{Category: n.cat, Group: n.group, NameZH: n.zh, NameEN: n.en,
		RateBP: digitalRateBP, CapFen: digitalCapFen, PriceCeilingFen: digitalCeilingFen,
		SNRequired: true, PerConsumerLimit: 1, QuotaRestoredOnRefund: true}
}

// NationalRules2025 returns the 2025 national rule set (2025-01-01 to
// 2025-12-31 China time): 12 appliance categories at 20 % for energy or
// water efficiency grade 1 and 15 % for grade 2 up to ¥2,000 (air
// conditioners up to three per consumer), phones, tablets and smartwatches
// at 15 % up to ¥500 below ¥6,000, home renovation at 15 % (30 %
// elderly-friendly) and e-bikes at a fixed ¥500 with the old bike handed
// in. Each call returns a fresh value that the caller may modify.
func NationalRules2025() Rules {
	r := Rules{
		ID:            RuleSetNational2025,
		Version:       "2025-national-1",
		CampaignStart: time.Date(2025, 1, 1, 0, 0, 0, 0, ChinaTime),
		CampaignEnd:   time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime), // exclusive
		Offline:       nationalOffline(),
	}
	for _, n := range append(append([]categoryName(nil), appliances2026...), appliances2025Only...) {
		cr := CategoryRule{Category: n.cat, Group: n.group, NameZH: n.zh, NameEN: n.en,
			GradeRatesBP:     map[string]int{"1": appliance2025Grade1BP, "2": appliance2025Grade2BP},
			CapFen:           appliance2025CapFen,
			PerConsumerLimit: 1, QuotaRestoredOnRefund: true}
		if n.cat == CatAirCond {
			cr.PerConsumerLimit = airCond2025PerConsumer
		}
		r.Categories = append(r.Categories, cr)
	}
	for _, n := range digital2025 {
		r.Categories = append(r.Categories, digitalRule(n))
	}
	r.Categories = append(r.Categories,
		CategoryRule{Category: CatHomeReno, Group: GroupHome, NameZH: "家装厨卫", NameEN: "Home renovation",
			RateBP: homeRateBP, ElderlyRateBP: homeElderlyRateBP, CapFen: homeCapFen,
			PerConsumerLimit: 1, QuotaRestoredOnRefund: true},
		CategoryRule{Category: CatEBike, Group: GroupEBike, NameZH: "电动自行车", NameEN: "E-bike",
			FixedFen: ebikeFixedFen, CapFen: ebikeFixedFen, TradeInRequired: true, // old bike and battery are handed in
			PerConsumerLimit: 1, QuotaRestoredOnRefund: true},
	)
	return r
}

// NationalRules2026 returns the 2026 national rule set (NDRC/MOF notice of
// 2025-12-30, in force from 2026-01-01 China time, no end announced):
// fridges, washers, TVs, air conditioners, computers and water heaters of
// energy or water efficiency grade 1 only, at 15 % up to ¥1,500; phones,
// tablets, smartwatches/bands and smart glasses at 15 % up to ¥500 with a
// final price of at most ¥6,000 and the SN/IMEI mandatory; one item per
// category per consumer. Smart-home products are set by the provinces in
// their own local sets. Each call returns a fresh value.
func NationalRules2026() Rules {
	r := Rules{
		ID:            RuleSetNational2026,
		Version:       DefaultRulesVersion,
		CampaignStart: time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime),
		Offline:       nationalOffline(),
	}
	for _, n := range appliances2026 {
		r.Categories = append(r.Categories, CategoryRule{Category: n.cat, Group: n.group, NameZH: n.zh, NameEN: n.en,
			GradeRatesBP:     map[string]int{"1": appliance2026Grade1BP},
			CapFen:           appliance2026CapFen,
			PerConsumerLimit: 1, QuotaRestoredOnRefund: true})
	}
	for _, n := range append(append([]categoryName(nil), digital2025...), smartGlasses) {
		r.Categories = append(r.Categories, digitalRule(n))
	}
	return r
}

// DefaultRules returns the national rule set in force today, the 2026
// one: what a single-set caller (a test selling on today's date, the
// demo) sells under. The reference platform seeds DefaultRuleSets.
func DefaultRules() Rules { return NationalRules2026() }

// DefaultRuleSets returns the national rule sets the reference platform
// seeds: 2025 and 2026, in that order. Fresh values on every call.
func DefaultRuleSets() RuleSets {
	return RuleSets{NationalRules2025(), NationalRules2026()}
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
	if r.ID == "" || len(r.ID) > 64 || !printableASCII(r.ID) || strings.ContainsRune(r.ID, ' ') {
		return bad("id %q is not 1..64 printable characters without spaces", r.ID)
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
		if !ValidCategoryCode(c.Category) {
			return bad("category code %q is not 1..32 of [a-z0-9_]", c.Category)
		}
		if c.Group == "" || c.NameZH == "" || c.NameEN == "" {
			return bad("%s: group or names missing", c.Category)
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
		if len(c.GradeRatesBP) == 0 && c.RateBP == 0 && c.FixedFen == 0 && c.ElderlyRateBP == 0 {
			return bad("%s: no rate, grade rate or fixed amount", c.Category)
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

// ValidCategoryCode accepts 1..32 bytes of [a-z0-9_]: codes are stored,
// sent and used as keys, and never shown to a person (names are).
func ValidCategoryCode(c Category) bool {
	if len(c) == 0 || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_') {
			return false
		}
	}
	return true
}
