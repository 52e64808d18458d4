package agent_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/agent/export"
	"tradein/sync/api"
)

// lastMilli is the last millisecond of 2025, China time: the 2025 national
// set is in force, one millisecond later the 2026 one.
var lastMilli = time.Date(2025, 12, 31, 23, 59, 59, 999_000_000, agent.ChinaTime)

// fridge2 is a grade-2 fridge: subsidised in 2025 (15 %), not in 2026.
var fridge2 = agent.Product{Barcode: gtin("690000000011"), Name: "冰箱 BCD-300", Brand: "美的", Model: "BCD-300",
	Category: agent.CatFridge, EnergyGrade: 2, FiledPriceFen: agent.Yuan(3999), Status: agent.ProductActive}

// TestSaleUsesTheRuleSetOfItsTransactionTime confirms sales at
// 23:59:59.999 on 31 December and at 00:00:00.000 on 1 January, offline
// and online: each is computed under the set in force when it was
// confirmed, stores that set's ID and sends it with its transaction time.
func TestSaleUsesTheRuleSetOfItsTransactionTime(t *testing.T) {
	for _, online := range []bool{false, true} {
		name := map[bool]string{false: "offline", true: "online"}[online]
		t.Run(name, func(t *testing.T) {
			f := newFixtureAt(t, lastMilli)
			f.platform.SetDown(!online)
			clerk := f.login("C1")

			old, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge2, price: agent.Yuan(3299)})
			if old.RuleSetID != agent.RuleSetNational2025 || old.SubsidyFen != 494_85 || !old.ConfirmedAt.Equal(lastMilli) || old.Offline == online {
				t.Fatalf("31 December: set %q subsidy %s confirmed %s offline %v", old.RuleSetID, old.SubsidyFen, old.ConfirmedAt, old.Offline)
			}
			g1, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
			if g1.RuleSetID != agent.RuleSetNational2025 || g1.SubsidyFen != 999_80 {
				t.Fatalf("31 December grade 1: set %q subsidy %s", g1.RuleSetID, g1.SubsidyFen)
			}
			stored, err := f.store.Sale(f.ctx, old.OrderNo)
			if err != nil || stored.RuleSetID != agent.RuleSetNational2025 {
				t.Fatalf("stored sale: %q %v", stored.RuleSetID, err)
			}
			// Paid after midnight, the sale keeps its transaction time.
			f.clock.Advance(time.Millisecond)
			if tr := api.TransactionFromSale(stored, "R1"); !tr.TransTime.Equal(lastMilli) || tr.RuleSetID != agent.RuleSetNational2025 {
				t.Fatalf("wire: trans_time %s set %q", tr.TransTime, tr.RuleSetID)
			}

			// One millisecond later: the 2026 set.
			d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge2})
			if _, err := d.Quote(f.ctx, agent.Yuan(3299)); agent.CodeOf(err) != agent.CodeNotEligible {
				t.Fatalf("1 January grade 2: %v, want NOT_ELIGIBLE", err)
			}
			d.Cancel(f.ctx, "test")
			g1, _ = f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
			if g1.RuleSetID != agent.RuleSetNational2026 || g1.SubsidyFen != 749_85 {
				t.Fatalf("1 January grade 1: set %q subsidy %s", g1.RuleSetID, g1.SubsidyFen)
			}
		})
	}
}

// TestQuoteBeforeMidnightConfirmAfter: a quote shown under the 2025 set
// and confirmed under the 2026 one is not confirmed at the old amount; the
// new quote is what the clerk confirms.
func TestQuoteBeforeMidnightConfirmAfter(t *testing.T) {
	f := newFixtureAt(t, lastMilli)
	clerk := f.login("C1")
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
	if s := d.Sale(); s.SubsidyFen != 999_80 || s.RuleSetID != agent.RuleSetNational2025 {
		t.Fatalf("quote: %s under %q", s.SubsidyFen, s.RuleSetID)
	}
	f.clock.Advance(time.Millisecond)
	if _, err := d.Confirm(f.ctx); agent.CodeOf(err) != agent.CodeInvalidAmount {
		t.Fatalf("confirm after the change: %v, want INVALID_AMOUNT", err)
	}
	if f.platform.Freezes() != 0 {
		t.Fatal("the voucher was frozen at the old amount")
	}
	q, err := d.Quote(f.ctx, 4999_00)
	if err != nil || q.SubsidyFen != 749_85 {
		t.Fatalf("new quote: %+v %v", q, err)
	}
	s, err := d.Confirm(f.ctx)
	if err != nil || s.RuleSetID != agent.RuleSetNational2026 || s.SubsidyFen != 749_85 {
		t.Fatalf("confirm: %s %q %v", s.SubsidyFen, s.RuleSetID, err)
	}
}

// TestPausedCategoryRefusedBeforeThePrice: a category the platform paused
// is refused on the product step, online and offline, and sells again
// once resumed; the status shows the pause.
func TestPausedCategoryRefusedBeforeThePrice(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	setPause := func(p *agent.Pause) {
		rs, err := f.store.Rules(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rs[1].Categories {
			if rs[1].Categories[i].Category == agent.CatFridge {
				rs[1].Categories[i].Paused = p
			}
		}
		if err := f.store.SaveRules(f.ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	// Paused while a sale is under way: the offline confirm refuses it.
	f.platform.SetDown(true)
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
	setPause(&agent.Pause{Message: "资金已用完", ResumeAt: agenttest.Start.Add(48 * time.Hour)})
	if _, err := d.Confirm(f.ctx); agent.CodeOf(err) != agent.CodeCategoryPaused {
		t.Fatalf("offline confirm in a paused category: %v", err)
	}
	d.Cancel(f.ctx, "test")
	for _, online := range []bool{false, true} {
		f.platform.SetDown(!online)
		d, _ := clerk.NewSale(f.ctx)
		d.SetConsumerCode(f.ctx, f.code(agent.CatFridge))
		if _, _, err := d.ScanProduct(f.ctx, fridge.Barcode); agent.CodeOf(err) != agent.CodeCategoryPaused {
			t.Fatalf("online=%v: product step in a paused category: %v", online, err)
		}
		d.Cancel(f.ctx, "test")
	}
	st := f.term.Status(f.ctx)
	if len(st.Rules.Paused) != 1 || st.Rules.Paused[0].Category != agent.CatFridge || st.Rules.Paused[0].Message != "资金已用完" {
		t.Fatalf("status pauses %+v", st.Rules.Paused)
	}
	// Other categories still sell.
	f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(2000)})
	setPause(nil)
	f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
}

// TestStatusAnnouncesTheComingRuleSet: within seven days of a change the
// status names the coming set; earlier it does not.
func TestStatusAnnouncesTheComingRuleSet(t *testing.T) {
	f := newFixtureAt(t, lastMilli.Add(-7*24*time.Hour-time.Second))
	if st := f.term.Status(f.ctx); !st.Rules.NextAt.IsZero() || len(st.Rules.InForce) != 1 || st.Rules.InForce[0] != agent.RuleSetNational2025 {
		t.Fatalf("eight days before: %+v", st.Rules)
	}
	f.clock.Advance(2 * time.Second)
	st := f.term.Status(f.ctx)
	want := time.Date(2026, 1, 1, 0, 0, 0, 0, agent.ChinaTime)
	if !st.Rules.NextAt.Equal(want) || len(st.Rules.Next) != 2 || st.Rules.Next[1] != agent.RuleSetNational2026 {
		t.Fatalf("seven days before: %+v", st.Rules)
	}
}

// ring is a product of a category only the rules define.
var ring = agent.Product{Barcode: gtin("690000000021"), Name: "智能戒指 R1", Brand: "测试", Model: "R1",
	Category: catSmartRing, FiledPriceFen: agent.Yuan(1999), Status: agent.ProductActive}

// TestUnknownCategorySoldPrintedReportedExported: a category code the
// terminal has never seen, from a rule set, is sold (its rule requires the
// SN), printed with the rules' name, counted in the daily report and named
// in the export.
func TestUnknownCategorySoldPrintedReportedExported(t *testing.T) {
	f := newFixture(t)
	clerk, mgr := f.login("C1"), f.login("M1")
	d := f.prepare(clerk, saleSpec{code: f.code(catSmartRing), product: ring})
	if !d.SNRequired() {
		t.Fatal("the rule's SN requirement was not applied")
	}
	d.Cancel(f.ctx, "test")
	sale, _ := f.sell(clerk, saleSpec{code: f.code(catSmartRing), product: ring, sn: f.sellableSN("RING000001"), price: agent.Yuan(1999)})
	if sale.RuleSetID != "BJ-2026-test" || sale.SubsidyFen != 299_85 {
		t.Fatalf("sale under %q: %s", sale.RuleSetID, sale.SubsidyFen)
	}
	rec := f.printer.receipts[len(f.printer.receipts)-1]
	if rec.Sale == nil || rec.Sale.RuleSetID != "BJ-2026-test" || rec.CategoryNames[catSmartRing] != "智能戒指" {
		t.Fatalf("receipt %+v names %v", rec.Sale, rec.CategoryNames)
	}
	rep, err := mgr.DailyReport(f.ctx, f.clock.Now())
	if err != nil || len(rep.ByCategory) != 1 || rep.ByCategory[0].Category != catSmartRing || rep.ByCategory[0].SubsidyFen != 299_85 {
		t.Fatalf("report %+v %v", rep, err)
	}
	rs, err := f.term.Rules(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := func(c agent.Category) string {
		zh, _, _ := rs.CategoryNames(c, storeCounty, f.clock.Now())
		return zh
	}
	var csv bytes.Buffer
	if err := export.DailyCSV(&csv, rep, []agent.Sale{sale}, export.Options{Category: name}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(csv.String(), "智能戒指") != 2 || strings.Contains(csv.String(), "smart_ring") {
		t.Fatalf("export:\n%s", csv.String())
	}
}
