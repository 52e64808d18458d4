package agent

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestNationalRules2025(t *testing.T) {
	r := NationalRules2025()
	if err := r.Validate(); err != nil {
		t.Fatalf("NationalRules2025().Validate() = %v", err)
	}
	if len(r.Categories) != 17 {
		t.Fatalf("%d categories, want 17", len(r.Categories))
	}
	groups := map[Group]int{}
	for _, c := range r.Categories {
		groups[c.Group]++
		if c.NameZH == "" || c.NameEN == "" {
			t.Errorf("%s has no names", c.Category)
		}
		if c.PerConsumerLimit < 1 {
			t.Errorf("%s per-consumer limit %d", c.Category, c.PerConsumerLimit)
		}
	}
	if groups[GroupAppliance] != 12 || groups[GroupDigital] != 3 || groups[GroupHome] != 1 || groups[GroupEBike] != 1 {
		t.Errorf("groups %v", groups)
	}
	for _, c := range []Category{CatFridge, CatWasher, CatTV, CatComputer, CatWaterHeater, CatHob,
		CatRangeHood, CatWaterPurifier, CatDishwasher, CatRiceCooker, CatMicrowave} {
		cr, ok := r.Rule(c)
		if !ok || cr.GradeRatesBP["1"] != 2000 || cr.GradeRatesBP["2"] != 1500 || len(cr.GradeRatesBP) != 2 ||
			cr.CapFen != Yuan(2000) || cr.PerConsumerLimit != 1 {
			t.Errorf("%s rule %+v", c, cr)
		}
	}
	if ac, _ := r.Rule(CatAirCond); ac.PerConsumerLimit != 3 || ac.CapFen != Yuan(2000) {
		t.Errorf("air conditioner %+v", ac)
	}
	for _, c := range []Category{CatPhone, CatTablet, CatSmartwatch} {
		cr, _ := r.Rule(c)
		if cr.RateBP != 1500 || cr.CapFen != Yuan(500) || cr.PriceCeilingFen != Yuan(6000) || !cr.SNRequired || cr.PerConsumerLimit != 1 {
			t.Errorf("%s rule %+v", c, cr)
		}
	}
	if h, _ := r.Rule(CatHomeReno); h.RateBP != 1500 || h.ElderlyRateBP != 3000 || h.CapFen != Yuan(2000) {
		t.Errorf("home renovation %+v", h)
	}
	if e, _ := r.Rule(CatEBike); e.FixedFen != Yuan(500) || !e.TradeInRequired {
		t.Errorf("e-bike %+v", e)
	}
	if _, ok := r.Rule("yacht"); ok {
		t.Error("unknown category has a rule")
	}
	o := r.Offline
	if !o.SignedCodesOnly || o.MaxSubsidyPerSaleFen != Yuan(2000) || o.MaxPendingSubsidyFen != Yuan(20000) || o.MaxOldestPending != 72*time.Hour {
		t.Errorf("offline policy %+v", o)
	}
	if r.RegionPrefix != "" || !r.CoversRegion("650102") {
		t.Error("default rules are not national")
	}
	// Each call is a fresh copy.
	r.Categories[0].GradeRatesBP["1"] = 1
	if f, _ := NationalRules2025().Rule(CatFridge); f.GradeRatesBP["1"] != 2000 {
		t.Error("NationalRules2025 shares maps between calls")
	}
}

func TestInCampaign(t *testing.T) {
	r := NationalRules2025()
	tests := []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2024, 12, 31, 23, 59, 59, 0, ChinaTime), false},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, ChinaTime), true},
		{time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC), true}, // = 2025-01-01 00:00 China
		{time.Date(2024, 12, 31, 15, 59, 59, 0, time.UTC), false},
		{time.Date(2025, 12, 31, 23, 59, 59, 999_999_999, ChinaTime), true},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime), false},
		{time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), false}, // = 2026-01-01 00:00 China
	}
	for _, tt := range tests {
		if got := r.InCampaign(tt.t); got != tt.want {
			t.Errorf("InCampaign(%s) = %v, want %v", tt.t, got, tt.want)
		}
	}
	if !(Rules{}).InCampaign(time.Time{}) {
		t.Error("open window refuses a time")
	}
}

func TestRulesJSONRoundTrip(t *testing.T) {
	r := DefaultRules()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Rules
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatal(err)
	}
	js2, _ := json.Marshal(back)
	if string(js) != string(js2) {
		t.Errorf("round trip changed the rules:\n%s\n%s", js, js2)
	}
	if !back.CampaignStart.Equal(r.CampaignStart) || back.Offline != r.Offline {
		t.Error("round trip lost the window or the offline policy")
	}
}

func TestRulesValidateRefuses(t *testing.T) {
	tests := map[string]func(*Rules){
		"no version":      func(r *Rules) { r.Version = "" },
		"no categories":   func(r *Rules) { r.Categories = nil },
		"window reversed": func(r *Rules) { r.CampaignEnd = r.CampaignStart.Add(-time.Hour) },
		"bad region":      func(r *Rules) { r.RegionPrefix = "11x" },
		"duplicate":       func(r *Rules) { r.Categories = append(r.Categories, r.Categories[0]) },
		"empty code":      func(r *Rules) { r.Categories[0].Category = "" },
		"rate > 100%":     func(r *Rules) { r.Categories[12].RateBP = 10001 },
		"negative rate":   func(r *Rules) { r.Categories[0].GradeRatesBP["2"] = -1 },
		"grade 9":         func(r *Rules) { r.Categories[0].GradeRatesBP["9"] = 100 },
		"negative cap":    func(r *Rules) { r.Categories[0].CapFen = -1 },
		"negative limit":  func(r *Rules) { r.Categories[0].PerConsumerLimit = -1 },
		"offline limit":   func(r *Rules) { r.Offline.MaxPendingSubsidyFen = -1 },
		"no id":           func(r *Rules) { r.ID = "" },
		"id with space":   func(r *Rules) { r.ID = "CN 2025" },
		"bad code":        func(r *Rules) { r.Categories[0].Category = "Fridge!" },
		"no names":        func(r *Rules) { r.Categories[0].NameZH = "" },
		"no group":        func(r *Rules) { r.Categories[0].Group = "" },
		"no rate at all":  func(r *Rules) { r.Categories[12].RateBP = 0 },
	}
	for name, mutate := range tests {
		r := NationalRules2025()
		mutate(&r)
		if err := r.Validate(); CodeOf(err) != CodeInvalidRequest {
			t.Errorf("%s: Validate() = %v", name, err)
		}
	}
}

func TestNationalRules2026(t *testing.T) {
	r := NationalRules2026()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.ID != RuleSetNational2026 || !r.CampaignStart.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime)) || !r.CampaignEnd.IsZero() {
		t.Errorf("set %s from %s to %s", r.ID, r.CampaignStart, r.CampaignEnd)
	}
	var cats []Category
	for _, c := range r.Categories {
		cats = append(cats, c.Category)
		if c.PerConsumerLimit != 1 || !c.QuotaRestoredOnRefund || c.NameZH == "" || c.NameEN == "" {
			t.Errorf("%s: %+v", c.Category, c)
		}
		switch c.Group {
		case GroupAppliance:
			if len(c.GradeRatesBP) != 1 || c.GradeRatesBP["1"] != 1500 || c.CapFen != Yuan(1500) || c.RateBP != 0 {
				t.Errorf("%s: %+v", c.Category, c)
			}
		case GroupDigital:
			if c.RateBP != 1500 || c.CapFen != Yuan(500) || c.PriceCeilingFen != Yuan(6000) || !c.SNRequired {
				t.Errorf("%s: %+v", c.Category, c)
			}
		default:
			t.Errorf("%s in group %s", c.Category, c.Group)
		}
	}
	want := []Category{CatFridge, CatWasher, CatTV, CatAirCond, CatComputer, CatWaterHeater,
		CatPhone, CatTablet, CatSmartwatch, CatSmartGlasses}
	if fmt.Sprint(cats) != fmt.Sprint(want) {
		t.Errorf("categories %v, want %v", cats, want)
	}
	if err := DefaultRuleSets().Validate(); err != nil {
		t.Fatal(err)
	}
	if DefaultRules().ID != RuleSetNational2026 {
		t.Error("DefaultRules is not the 2026 set")
	}
}

// localSet is a provincial set for Beijing ("11") with a category of its
// own and a local fridge rule, in force in 2026.
func localSet() Rules {
	return Rules{ID: "BJ-2026-smart-home", Version: "1", RegionPrefix: "110000",
		CampaignStart: time.Date(2026, 1, 1, 0, 0, 0, 0, ChinaTime),
		CampaignEnd:   time.Date(2027, 1, 1, 0, 0, 0, 0, ChinaTime),
		Categories: []CategoryRule{
			{Category: "smart_lock", Group: "smart_home", NameZH: "智能门锁", NameEN: "Smart lock", RateBP: 1500, CapFen: Yuan(300), PerConsumerLimit: 1},
			{Category: CatFridge, Group: GroupAppliance, NameZH: "电冰箱", NameEN: "Fridge (Beijing)", GradeRatesBP: map[string]int{"1": 1000}, CapFen: Yuan(800), PerConsumerLimit: 1},
		}}
}

func TestRuleSetsSelection(t *testing.T) {
	sets := append(DefaultRuleSets(), localSet())
	if err := sets.Validate(); err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, m, d, h, mi, s, ns, ChinaTime)
	}
	tests := []struct {
		name   string
		cat    Category
		county string
		t      time.Time
		wantID string // "" when no set subsidises it
	}{
		{"2025 fridge", CatFridge, "310101", at(2025, 12, 31, 23, 59, 59, 999_999_999), RuleSetNational2025},
		{"2026 fridge", CatFridge, "310101", at(2026, 1, 1, 0, 0, 0, 0), RuleSetNational2026},
		{"2025 dishwasher", CatDishwasher, "310101", at(2025, 7, 1, 0, 0, 0, 0), RuleSetNational2025},
		{"2026 dishwasher", CatDishwasher, "310101", at(2026, 7, 1, 0, 0, 0, 0), ""},
		{"before the programme", CatFridge, "310101", at(2024, 12, 31, 23, 59, 59, 0), ""},
		{"local set wins in Beijing", CatFridge, "110105", at(2026, 7, 1, 0, 0, 0, 0), "BJ-2026-smart-home"},
		{"national elsewhere", CatFridge, "310101", at(2026, 7, 1, 0, 0, 0, 0), RuleSetNational2026},
		{"local category in Beijing", "smart_lock", "110105", at(2026, 7, 1, 0, 0, 0, 0), "BJ-2026-smart-home"},
		{"local category elsewhere", "smart_lock", "310101", at(2026, 7, 1, 0, 0, 0, 0), ""},
		{"national phone in Beijing", CatPhone, "110105", at(2026, 7, 1, 0, 0, 0, 0), RuleSetNational2026},
		{"local set ended", CatFridge, "110105", at(2027, 1, 1, 0, 0, 0, 0), RuleSetNational2026},
	}
	for _, tt := range tests {
		r, cr, ok := sets.ForCategory(tt.cat, tt.county, tt.t)
		if ok != (tt.wantID != "") || r.ID != tt.wantID || ok && cr.Category != tt.cat {
			t.Errorf("%s: ForCategory = %q %v, want %q", tt.name, r.ID, ok, tt.wantID)
		}
	}
	// A city set beats a province set beats the national one.
	city := localSet()
	city.ID, city.RegionPrefix = "BJ-Chaoyang", "110105"
	city.Categories = city.Categories[1:]
	withCity := append(sets, city)
	if r, _, _ := withCity.ForCategory(CatFridge, "110105", at(2026, 7, 1, 0, 0, 0, 0)); r.ID != "BJ-Chaoyang" {
		t.Errorf("county set did not win: %s", r.ID)
	}
	cats := sets.Categories("110105", at(2026, 7, 1, 0, 0, 0, 0))
	if len(cats) != 11 || cats[0].NameEN != "Fridge (Beijing)" || cats[10].Category != "smart_lock" {
		t.Errorf("Categories = %+v", cats)
	}
	if zh, _, ok := sets.CategoryNames(CatDishwasher, "310101", at(2026, 7, 1, 0, 0, 0, 0)); !ok || zh != "洗碗机" {
		t.Errorf("dishwasher name after 2025: %q %v", zh, ok)
	}
	if _, _, ok := sets.CategoryNames("yacht", "310101", at(2026, 7, 1, 0, 0, 0, 0)); ok {
		t.Error("unknown code has a name")
	}
	next, ok := sets.NextChange("110105", at(2026, 12, 3, 10, 0, 0, 0))
	if !ok || !next.Equal(at(2027, 1, 1, 0, 0, 0, 0)) {
		t.Errorf("NextChange = %s %v", next, ok)
	}
	if _, ok := DefaultRuleSets().NextChange("310101", at(2026, 12, 3, 10, 0, 0, 0)); ok {
		t.Error("the 2026 national set has no announced end")
	}
	dup := append(DefaultRuleSets(), NationalRules2026())
	if err := dup.Validate(); CodeOf(err) != CodeInvalidRequest {
		t.Errorf("duplicate id: %v", err)
	}
	if err := (RuleSets{}).Validate(); CodeOf(err) != CodeInvalidRequest {
		t.Errorf("no sets: %v", err)
	}
	bad := DefaultRuleSets()
	bad[1].Categories[0].CapFen = -1
	if err := bad.Validate(); CodeOf(err) != CodeInvalidRequest {
		t.Errorf("bad set: %v", err)
	}
}
