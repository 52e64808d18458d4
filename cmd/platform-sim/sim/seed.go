package sim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tradein/agent"
)

// Demo identities seeded into a new database. The enrollment code is
// printed at start; README and `make demo` use it.
const (
	DemoEnrollmentCode = "DEMO-ENROLL-0001"
	DemoStoreID        = "S0001"
	DemoMerchantNo     = "M110105000001"
	DemoStoreName      = "朝阳大悦城家电数码旗舰店"
	DemoUniSCID        = "91110105MA01ABCD2X"
	DemoCounty         = "110105" // 北京市朝阳区
	// demoEnrollUses bounds how many devices the demo code enrolls: enough
	// for reinstalls and parallel tests, few enough to show the limit.
	demoEnrollUses = 1000
)

// VoidSNs are serial numbers the seeded registry reports NOT_FOUND
// (never manufactured); the README lists them for demos.
var VoidSNs = []string{"SNVOID000001", "SNVOID000002", "359881234567890"}

// meta keys.
const (
	metaPlatformKey     = "platform_ed25519_seed"
	metaRules           = "rules_json"
	metaSeeded          = "seeded"
	metaSyntheticCount  = "synthetic_products"
	metaLibraryVersion  = "library_version"
	demoVoucherLifetime = 365 * 24 * time.Hour
)

// seed fills a new database with the demo merchant, store, enrollment
// code, rules, product library (version 1), consumers and vouchers, and
// creates the platform's Ed25519 key. It does nothing on a seeded database.
func seed(ctx context.Context, db *sql.DB, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var one int
	switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM meta WHERE key = ?", metaSeeded).Scan(&one); {
	case err == nil:
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	rules, err := json.Marshal(SeededRuleSets())
	if err != nil {
		return err
	}
	exec := func(q string, args ...any) {
		if err == nil {
			_, err = tx.ExecContext(ctx, q, args...)
		}
	}
	exec("INSERT INTO meta(key, value) VALUES (?, ?)", metaPlatformKey, []byte(priv.Seed()))
	exec("INSERT INTO meta(key, value) VALUES (?, ?)", metaRules, rules)
	exec("INSERT INTO meta(key, value) VALUES (?, ?)", metaLibraryVersion, "1")
	exec("INSERT INTO stores VALUES (?, ?, ?, ?, ?)", DemoStoreID, DemoMerchantNo, DemoStoreName, DemoUniSCID, DemoCounty)
	exec("INSERT INTO enrollment_codes(code, store_id, max_uses) VALUES (?, ?, ?)", DemoEnrollmentCode, DemoStoreID, demoEnrollUses)
	for _, p := range demoProducts {
		exec(`INSERT INTO products (barcode, name, brand, model, category, energy_grade, filed_price_fen, sn_required, status,
			version, water_grade) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
			p.Barcode, p.Name, p.Brand, p.Model, string(p.Category), p.Grade, int64(p.Filed), p.SN, agent.ProductActive,
			demoWaterGrades[p.Barcode])
	}
	for _, sn := range VoidSNs {
		exec("INSERT INTO sn_void(sn) VALUES (?)", sn)
	}
	for i, c := range demoConsumers {
		cref := fmt.Sprintf("C%04d", i+1)
		exec("INSERT INTO consumers(cref, masked) VALUES (?, ?)", cref, c.masked)
		for _, cat := range voucherCategories {
			vid := "V" + cref + "-" + string(cat)
			code := fmt.Sprintf("DEMO-%s-%02d", strings.ToUpper(strings.ReplaceAll(string(cat), "_", "")), i+1)
			exec(`INSERT INTO vouchers VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				vid, cref, string(cat), c.region, code, now.Unix(), now.Add(demoVoucherLifetime).Unix(), voucherActive)
		}
	}
	// One expired voucher, for demos of VOUCHER_EXPIRED.
	exec(`INSERT INTO vouchers VALUES ('VEXPIRED0001', 'C0001', 'phone', '110000', 'DEMO-EXPIRED-01', ?, ?, ?)`,
		now.Add(-60*24*time.Hour).Unix(), now.Add(-24*time.Hour).Unix(), voucherActive)
	exec("INSERT INTO meta(key, value) VALUES (?, ?)", metaSeeded, now.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return tx.Commit()
}

// demoConsumers are the seeded voucher holders; the last one holds
// Shanghai vouchers, for demos of VOUCHER_REGION_MISMATCH.
var demoConsumers = []struct{ masked, region string }{
	{"王*", "110000"}, {"李**", "110000"}, {"张*", "110105"}, {"刘*", "110000"}, {"陈**", "110100"},
	{"杨*", "110000"}, {"赵*", "110000"}, {"黄**", "110000"}, {"周*", "110000"}, {"吴*", "310000"},
}

// voucherCategories are the categories seeded vouchers exist for.
var voucherCategories = []agent.Category{
	agent.CatFridge, agent.CatWasher, agent.CatTV, agent.CatAirCond, agent.CatComputer,
	agent.CatWaterHeater, agent.CatHob, agent.CatRangeHood, agent.CatWaterPurifier,
	agent.CatDishwasher, agent.CatRiceCooker, agent.CatMicrowave,
	agent.CatPhone, agent.CatTablet, agent.CatSmartwatch, agent.CatEBike,
	agent.CatSmartGlasses, CatSmartHome, CatSmartHomeElderly,
}

// ExampleLocalRuleSetID names the seeded local set. It is an EXAMPLE:
// smart-home categories and rates are set by each province, and these are
// made up for the demo store's province, not Beijing's published rules.
const ExampleLocalRuleSetID = "EXAMPLE-BJ-2026-smart-home"

// SeededRuleSets are the rule sets a new database serves: the 2025 and
// 2026 national sets as published (agent.DefaultRuleSets) and
// ExampleLocalSmartHome for the demo store's province.
func SeededRuleSets() agent.RuleSets {
	return append(agent.DefaultRuleSets(), ExampleLocalSmartHome())
}

// Example local smart-home categories (codes the terminal has no constant
// for: categories are data).
const (
	CatSmartHome        agent.Category = "smart_home"
	CatSmartHomeElderly agent.Category = "smart_home_elderly"
)

// ExampleLocalSmartHome is a clearly labelled EXAMPLE of a provincial set
// for Beijing (region 110000) in 2026 with two smart-home categories, as
// the 2026 national rules leave them to the provinces: smart-home products
// at 15 % up to ¥800 and elderly-friendly smart-home products at 20 % up
// to ¥1,000, one per category per consumer.
func ExampleLocalSmartHome() agent.Rules {
	return agent.Rules{
		ID:            ExampleLocalRuleSetID,
		Version:       "example-1",
		CampaignStart: time.Date(2026, 1, 1, 0, 0, 0, 0, agent.ChinaTime),
		CampaignEnd:   time.Date(2027, 1, 1, 0, 0, 0, 0, agent.ChinaTime),
		RegionPrefix:  "110000",
		Categories: []agent.CategoryRule{
			{Category: CatSmartHome, Group: "smart_home", NameZH: "智能家居产品（示例）", NameEN: "Smart-home product (example)",
				RateBP: 1500, CapFen: agent.Yuan(800), PerConsumerLimit: 1, QuotaRestoredOnRefund: true},
			{Category: CatSmartHomeElderly, Group: "smart_home", NameZH: "适老化智能家居产品（示例）", NameEN: "Elderly-friendly smart-home product (example)",
				RateBP: 2000, CapFen: agent.Yuan(1000), PerConsumerLimit: 1, QuotaRestoredOnRefund: true},
		},
		Offline: agent.DefaultRules().Offline,
	}
}
