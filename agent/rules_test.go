package agent

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDefaultRules(t *testing.T) {
	r := DefaultRules()
	if err := r.Validate(); err != nil {
		t.Fatalf("DefaultRules().Validate() = %v", err)
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
	if f, _ := DefaultRules().Rule(CatFridge); f.GradeRatesBP["1"] != 2000 {
		t.Error("DefaultRules shares maps between calls")
	}
}

func TestInCampaign(t *testing.T) {
	r := DefaultRules()
	tests := []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2024, 12, 31, 23, 59, 59, 0, ChinaTime), false},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, ChinaTime), true},
		{time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC), true}, // = 2025-01-01 00:00 China
		{time.Date(2024, 12, 31, 15, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, ChinaTime), true},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, ChinaTime), false},
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
	}
	for name, mutate := range tests {
		r := DefaultRules()
		mutate(&r)
		if err := r.Validate(); CodeOf(err) != CodeInvalidRequest {
			t.Errorf("%s: Validate() = %v", name, err)
		}
	}
}
