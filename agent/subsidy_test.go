package agent

import (
	"math"
	"testing"
	"time"
)

// product returns a library entry without a filed price, so that only the
// rule decides.
func product(cat Category, grade int) Product {
	return Product{Barcode: "6901234567892", Category: cat, EnergyGrade: grade, Status: ProductActive}
}

// TestComputeSubsidy2025Examples are examples of the 2025 national rules,
// exactly.
func TestComputeSubsidy2025Examples(t *testing.T) {
	r := NationalRules2025()
	tests := []struct {
		name     string
		cat      Category
		grade    int
		price    string
		want     string // formatted subsidy, or "" when refused
		wantCode Code
		capped   bool
	}{
		{"fridge, grade 1, ¥4,999.00", CatFridge, 1, "¥4,999.00", "¥999.80", "", false},
		{"TV, grade 2, ¥12,000.00", CatTV, 2, "¥12,000.00", "¥1,800.00", "", false},
		{"air conditioner, grade 1, ¥15,000.00", CatAirCond, 1, "¥15,000.00", "¥2,000.00", "", true},
		{"washer, grade 3", CatWasher, 3, "¥3,000.00", "", CodeNotEligible, false},
		{"phone, ¥6,000.00", CatPhone, 0, "¥6,000.00", "¥500.00", "", true},
		{"phone, ¥6,000.01", CatPhone, 0, "¥6,000.01", "", CodePriceAboveCeiling, false},
		{"phone, ¥2,999.99", CatPhone, 0, "¥2,999.99", "¥449.99", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, ok := r.Rule(tt.cat)
			if !ok {
				t.Fatalf("no rule for %s", tt.cat)
			}
			price, err := ParseFen(tt.price)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ComputeSubsidy(rule, product(tt.cat, tt.grade), price)
			if tt.wantCode != "" {
				if CodeOf(err) != tt.wantCode {
					t.Fatalf("err = %v, want %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.SubsidyFen.String() != tt.want || res.Capped != tt.capped {
				t.Errorf("subsidy %s capped=%v, want %s capped=%v", res.SubsidyFen, res.Capped, tt.want, tt.capped)
			}
		})
	}
}

func TestComputeSubsidyEdges(t *testing.T) {
	r := NationalRules2025()
	rule := func(c Category) CategoryRule { cr, _ := r.Rule(c); return cr }
	tests := []struct {
		name     string
		rule     CategoryRule
		p        Product
		price    Fen
		opt      SubsidyOptions
		want     Fen
		wantRate int
		wantCode Code
	}{
		{"cap boundary exactly", rule(CatFridge), product(CatFridge, 1), 10000_00, SubsidyOptions{}, 2000_00, 2000, ""},
		{"one fen above cap boundary", rule(CatFridge), product(CatFridge, 1), 10000_01, SubsidyOptions{}, 2000_00, 2000, ""},
		{"floor, not round", rule(CatFridge), product(CatFridge, 2), 9_99, SubsidyOptions{}, 1_49, 1500, ""}, // 149.85 fen
		// A subsidy that rounds down to ¥0.00 would spend the consumer's
		// quota for nothing (a mistyped ¥0.01 price): refused.
		{"one fen", rule(CatPhone), product(CatPhone, 0), 1, SubsidyOptions{}, 0, 0, CodeSubsidyZero},
		{"six fen", rule(CatPhone), product(CatPhone, 0), 6, SubsidyOptions{}, 0, 0, CodeSubsidyZero},
		{"seven fen", rule(CatPhone), product(CatPhone, 0), 7, SubsidyOptions{}, 1, 1500, ""},
		{"one fen fixed amount", rule(CatEBike), product(CatEBike, 0), 1, SubsidyOptions{}, 1, 0, ""},
		{"grade 2 appliance", rule(CatWasher), product(CatWasher, 2), 3000_00, SubsidyOptions{}, 450_00, 1500, ""},
		{"grade 0 appliance", rule(CatWasher), product(CatWasher, 0), 3000_00, SubsidyOptions{}, 0, 0, CodeNotEligible},
		{"grade 5 appliance", rule(CatWasher), product(CatWasher, 5), 3000_00, SubsidyOptions{}, 0, 0, CodeNotEligible},
		{"digital ignores grade", rule(CatTablet), product(CatTablet, 3), 2000_00, SubsidyOptions{}, 300_00, 1500, ""},
		{"ceiling exactly", rule(CatSmartwatch), product(CatSmartwatch, 0), 6000_00, SubsidyOptions{}, 500_00, 1500, ""},
		{"zero price", rule(CatPhone), product(CatPhone, 0), 0, SubsidyOptions{}, 0, 0, CodeInvalidAmount},
		{"negative price", rule(CatPhone), product(CatPhone, 0), -100, SubsidyOptions{}, 0, 0, CodeInvalidAmount},
		{"wrong rule", rule(CatPhone), product(CatTV, 1), 100_00, SubsidyOptions{}, 0, 0, CodeInvalidRequest},
		{"delisted", rule(CatTV), Product{Category: CatTV, EnergyGrade: 1, Status: ProductDelisted}, 100_00, SubsidyOptions{}, 0, 0, CodeNotEligible},
		{"above filed price", rule(CatTV), Product{Category: CatTV, EnergyGrade: 1, FiledPriceFen: 3999_00}, 4000_00, SubsidyOptions{}, 0, 0, CodePriceAboveFiled},
		{"at filed price", rule(CatTV), Product{Category: CatTV, EnergyGrade: 1, FiledPriceFen: 4000_00}, 4000_00, SubsidyOptions{}, 800_00, 2000, ""},
		{"home renovation", rule(CatHomeReno), product(CatHomeReno, 0), 5000_00, SubsidyOptions{}, 750_00, 1500, ""},
		{"home renovation elderly", rule(CatHomeReno), product(CatHomeReno, 0), 5000_00, SubsidyOptions{ElderlyFriendly: true}, 1500_00, 3000, ""},
		{"home renovation elderly capped", rule(CatHomeReno), product(CatHomeReno, 0), 9000_00, SubsidyOptions{ElderlyFriendly: true}, 2000_00, 3000, ""},
		{"elderly flag without elderly rate", rule(CatFridge), product(CatFridge, 1), 1000_00, SubsidyOptions{ElderlyFriendly: true}, 200_00, 2000, ""},
		{"e-bike fixed", rule(CatEBike), product(CatEBike, 0), 2999_00, SubsidyOptions{}, 500_00, 0, ""},
		{"e-bike cheaper than fixed", rule(CatEBike), product(CatEBike, 0), 300_00, SubsidyOptions{}, 300_00, 0, ""},
		{"no rate", CategoryRule{Category: CatTV}, product(CatTV, 1), 100_00, SubsidyOptions{}, 0, 0, CodeNotEligible},
		{"no cap", CategoryRule{Category: CatTV, RateBP: 10000}, product(CatTV, 1), math.MaxInt64, SubsidyOptions{}, math.MaxInt64, 10000, ""},
		{"huge price no overflow", CategoryRule{Category: CatTV, RateBP: 1500}, product(CatTV, 1), math.MaxInt64, SubsidyOptions{}, 1383505805528216371, 1500, ""},
	}
	for _, tt := range tests {
		res, err := ComputeSubsidyWith(tt.rule, tt.p, tt.price, tt.opt)
		if tt.wantCode != "" {
			if CodeOf(err) != tt.wantCode {
				t.Errorf("%s: err = %v, want %s", tt.name, err, tt.wantCode)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if res.SubsidyFen != tt.want || res.RateBP != tt.wantRate {
			t.Errorf("%s: %d fen at %d bp, want %d fen at %d bp", tt.name, res.SubsidyFen, res.RateBP, tt.want, tt.wantRate)
		}
		if res.SubsidyFen > tt.price {
			t.Errorf("%s: subsidy above the price", tt.name)
		}
	}
}

// TestApplyRateMatchesExactFloor compares the split multiplication with
// exact arithmetic where the plain product cannot overflow.
func TestApplyRateMatchesExactFloor(t *testing.T) {
	for _, price := range []Fen{0, 1, 9999, 10000, 10001, 499900, 299999, 123456789} {
		for _, bp := range []int{0, 1, 1500, 2000, 3000, 9999, 10000} {
			if got, want := applyRate(price, bp), price*Fen(bp)/10000; got != want {
				t.Errorf("applyRate(%d, %d) = %d, want %d", price, bp, got, want)
			}
		}
	}
}

func TestCheckSaleRules(t *testing.T) {
	r := NationalRules2025()
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)
	phone := Sale{Product: product(CatPhone, 0), SN: "490154203237518"}
	ebike := Sale{Product: product(CatEBike, 0), TradeIn: &TradeIn{Category: CatEBike}}
	tests := []struct {
		name   string
		rules  Rules
		s      Sale
		county string
		now    time.Time
		want   Code
	}{
		{"phone ok", r, phone, "110105", now, ""},
		{"e-bike with trade-in", r, ebike, "110105", now, ""},
		{"e-bike without trade-in", r, Sale{Product: product(CatEBike, 0)}, "110105", now, CodeTradeInRequired},
		{"phone without SN", r, Sale{Product: product(CatPhone, 0)}, "110105", now, CodeInvalidSN},
		{"phone with bad SN", r, Sale{Product: product(CatPhone, 0), SN: "ab"}, "110105", now, CodeInvalidSN},
		{"product requires SN", r, Sale{Product: Product{Category: CatTV, SNRequired: true}}, "110105", now, CodeInvalidSN},
		{"fridge without SN", r, Sale{Product: product(CatFridge, 1)}, "110105", now, ""},
		{"before campaign", r, phone, "110105", time.Date(2024, 12, 31, 12, 0, 0, 0, ChinaTime), CodeCampaignClosed},
		{"after campaign", r, phone, "110105", time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime), CodeCampaignClosed},
		{"set paused", paused(r, ""), phone, "110105", now, CodeCampaignClosed},
		{"category paused", paused(r, CatPhone), phone, "110105", now, CodeCategoryPaused},
		{"other category paused", paused(r, CatFridge), phone, "110105", now, ""},
		{"unknown category", r, Sale{Product: product("yacht", 0)}, "110105", now, CodeNotEligible},
		{"other province", withRegion(r, "31"), phone, "110105", now, CodeNotEligible},
		{"same province", withRegion(r, "11"), phone, "110105", now, ""},
	}
	for _, tt := range tests {
		rule, err := CheckSaleRules(tt.rules, tt.s, tt.county, tt.now)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			} else if rule.Category != tt.s.Product.Category {
				t.Errorf("%s: rule for %s", tt.name, rule.Category)
			}
			continue
		}
		if CodeOf(err) != tt.want {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
	}
}

// paused returns r with category c paused, or the whole set when c is "".
func paused(r Rules, c Category) Rules {
	p := &Pause{Message: "funds used up"}
	if c == "" {
		r.Paused = p
		return r
	}
	r.Categories = append([]CategoryRule(nil), r.Categories...)
	for i := range r.Categories {
		if r.Categories[i].Category == c {
			r.Categories[i].Paused = p
		}
	}
	return r
}

func withRegion(r Rules, prefix string) Rules {
	r.RegionPrefix = prefix
	return r
}

// TestComputeSubsidyRuleSetExamples is the example table of the rules that
// follow the programme through time, exactly: each sale picks the set in
// force at its transaction time (RuleSets.ForCategory over the seeded
// national sets) and ComputeSubsidy computes it. Run with -v to print the
// table as computed.
func TestComputeSubsidyRuleSetExamples(t *testing.T) {
	sets := DefaultRuleSets()
	march := time.Date(2026, 3, 1, 10, 0, 0, 0, ChinaTime)
	lastSecond := time.Date(2025, 12, 31, 23, 59, 59, 0, ChinaTime)
	newYear := time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime)
	glasses := product(CatSmartGlasses, 0)
	washerWater1 := Product{Category: CatWasher, EnergyGrade: 2, WaterGrade: 1, Status: ProductActive}
	tests := []struct {
		name     string
		at       time.Time
		p        Product
		price    Fen
		want     Fen    // when wantCode is ""
		wantCode Code   // refusal
		wantSet  string // set chosen; "" when none subsidises the category
	}{
		{"fridge grade 1 ¥9,999.00", march, product(CatFridge, 1), 9999_00, 1499_85, "", RuleSetNational2026},
		{"fridge grade 1 ¥12,000.00", march, product(CatFridge, 1), 12000_00, 1500_00, "", RuleSetNational2026},
		{"fridge grade 2 ¥3,299.00", march, product(CatFridge, 2), 3299_00, 0, CodeNotEligible, RuleSetNational2026},
		{"dishwasher grade 1 ¥4,000.00", march, product(CatDishwasher, 1), 4000_00, 0, CodeNotEligible, ""},
		{"smart glasses ¥2,999.00", march, glasses, 2999_00, 449_85, "", RuleSetNational2026},
		{"washer energy 2 water 1 ¥3,000.00", march, washerWater1, 3000_00, 450_00, "", RuleSetNational2026},
		{"fridge grade 2 ¥3,299.00", lastSecond, product(CatFridge, 2), 3299_00, 494_85, "", RuleSetNational2025},
		{"fridge grade 2 ¥3,299.00", newYear, product(CatFridge, 2), 3299_00, 0, CodeNotEligible, RuleSetNational2026},
	}
	t.Logf("%-19s  %-33s  %-8s  %s", "transaction time", "sale", "set", "subsidy")
	for _, tt := range tests {
		r, rule, ok := sets.ForCategory(tt.p.Category, "110105", tt.at)
		if r.ID != tt.wantSet {
			t.Errorf("%s at %s: set %q, want %q", tt.name, tt.at, r.ID, tt.wantSet)
		}
		var res SubsidyResult
		var err error = Errorf(CodeNotEligible, "no rule set in force subsidises %s", tt.p.Category)
		if ok {
			res, err = ComputeSubsidy(rule, tt.p, tt.price)
		}
		got := res.SubsidyFen.String()
		if err != nil {
			got = "not eligible (" + string(CodeOf(err)) + ")"
		}
		t.Logf("%-19s  %-33s  %-8s  %s", tt.at.In(ChinaTime).Format(time.DateTime), tt.name, r.ID, got)
		if tt.wantCode != "" {
			if CodeOf(err) != tt.wantCode {
				t.Errorf("%s at %s: err = %v, want %s", tt.name, tt.at, err, tt.wantCode)
			}
			continue
		}
		if err != nil || res.SubsidyFen != tt.want {
			t.Errorf("%s at %s: %s, %v; want %s", tt.name, tt.at, res.SubsidyFen, err, tt.want)
		}
	}
}

// TestGradeRateEnergyOrWater: a grade rule takes the better of the energy
// and the water efficiency grade.
func TestGradeRateEnergyOrWater(t *testing.T) {
	r2025, r2026 := NationalRules2025(), NationalRules2026()
	w25, _ := r2025.Rule(CatWasher)
	w26, _ := r2026.Rule(CatWasher)
	tests := []struct {
		name          string
		rule          CategoryRule
		energy, water int
		want          Fen
		wantCode      Code
	}{
		{"2026 energy 2 water 1", w26, 2, 1, 450_00, ""},
		{"2026 energy 1 water 3", w26, 1, 3, 450_00, ""},
		{"2026 energy 2 water 2", w26, 2, 2, 0, CodeNotEligible},
		{"2026 energy 2 no water grade", w26, 2, 0, 0, CodeNotEligible},
		{"2025 energy 2 water 1 takes 20 %", w25, 2, 1, 600_00, ""},
		{"2025 energy 3 water 2", w25, 3, 2, 450_00, ""},
		{"2025 no grade at all", w25, 0, 0, 0, CodeNotEligible},
	}
	for _, tt := range tests {
		p := Product{Category: CatWasher, EnergyGrade: tt.energy, WaterGrade: tt.water, Status: ProductActive}
		res, err := ComputeSubsidy(tt.rule, p, 3000_00)
		if tt.wantCode != "" {
			if CodeOf(err) != tt.wantCode {
				t.Errorf("%s: err = %v", tt.name, err)
			}
			continue
		}
		if err != nil || res.SubsidyFen != tt.want {
			t.Errorf("%s: %s %v, want %s", tt.name, res.SubsidyFen, err, tt.want)
		}
	}
}

func TestCheckSaleRulesAt(t *testing.T) {
	sets := DefaultRuleSets()
	fridge := Sale{Product: product(CatFridge, 1)}
	r, _, err := CheckSaleRulesAt(sets, fridge, "110105", time.Date(2025, 12, 31, 23, 59, 59, 999_000_000, ChinaTime))
	if err != nil || r.ID != RuleSetNational2025 {
		t.Errorf("31 December: %s %v", r.ID, err)
	}
	r, _, err = CheckSaleRulesAt(sets, fridge, "110105", time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime))
	if err != nil || r.ID != RuleSetNational2026 {
		t.Errorf("1 January: %s %v", r.ID, err)
	}
	if _, _, err := CheckSaleRulesAt(sets, Sale{Product: product(CatDishwasher, 1)}, "110105", time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime)); CodeOf(err) != CodeNotEligible {
		t.Errorf("2026 dishwasher: %v", err)
	}
	if _, _, err := CheckSaleRulesAt(sets, fridge, "110105", time.Date(2024, 12, 1, 0, 0, 0, 0, ChinaTime)); CodeOf(err) != CodeCampaignClosed {
		t.Errorf("before the programme: %v", err)
	}
	sets[1] = paused(sets[1], CatFridge)
	if _, _, err := CheckSaleRulesAt(sets, fridge, "110105", time.Date(2026, 5, 1, 0, 0, 0, 0, ChinaTime)); CodeOf(err) != CodeCategoryPaused {
		t.Errorf("paused fridge: %v", err)
	}
}
