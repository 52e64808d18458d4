package client_test

import (
	"context"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/api"
	"tradein/sync/client"
)

// The last second of 2025 and the first of 2026, China time.
var (
	lastSecond2025 = time.Date(2025, 12, 31, 23, 59, 59, 0, agent.ChinaTime)
	newYear2026    = time.Date(2026, 1, 1, 0, 0, 0, 0, agent.ChinaTime)
)

// Seeded products of the examples (sim/products_seed.go).
var (
	casarte   = productByModel("BCD-651WLCTDM4")  // fridge, grade 1, filed ¥15,999
	haier1    = productByModel("BCD-510WGHTDE9")  // fridge, grade 1, filed ¥4,299
	hisense2  = productByModel("BCD-258WYK1DPUT") // fridge, grade 2, filed ¥1,799
	siemensDW = productByModel("SJ43HS00KC")      // dishwasher, grade 1
	glasses   = productByModel("RAYNEO-V3")       // smart glasses, filed ¥2,999
	smartLock = productByModel("XMZNMS09LM")      // example local smart-home category
	mideaW    = productByModel("MG100V36T")       // washer, energy grade 2, water grade 1, filed ¥1,599
)

// tryAt is a try that names the rule set the terminal computed it under.
func (e *testEnv) tryAt(code string, p agent.Product, price agent.Fen, setID string) (agent.VoucherFrozen, error) {
	return e.c.TryVoucher(context.Background(), agent.VoucherTry{RequestNo: uniq("TRY"), AuthCode: code, Category: p.Category,
		CountyCode: sim.DemoCounty, Barcode: p.Barcode, SN: uniq("SN"), AmountFen: price, RuleSetID: setID, TransTime: e.clock.Now()})
}

// TestRuleSetExamplesThroughThePlatform: the examples of the 2026 rules,
// priced within the seeded products' filed prices, computed by
// platform-sim exactly as agent.ComputeSubsidy computes them, including a
// category (smart glasses) and a local one the contract never listed.
func TestRuleSetExamplesThroughThePlatform(t *testing.T) {
	e := startEnvAt(t, client.Config{}, time.Date(2026, 3, 1, 10, 0, 0, 0, agent.ChinaTime))
	tests := []struct {
		name  string
		p     agent.Product
		price agent.Fen
		want  agent.Fen
		code  agent.Code // refusal, or ""
	}{
		{"fridge grade 1 ¥9,999.00", casarte, 9999_00, 1499_85, ""},
		{"fridge grade 1 ¥12,000.00", casarte, 12000_00, 1500_00, ""},
		{"fridge grade 2 ¥1,799.00", hisense2, 1799_00, 0, agent.CodeNotEligible},
		{"dishwasher grade 1 ¥3,999.00", siemensDW, 3999_00, 0, agent.CodeNotEligible},
		{"smart glasses ¥2,999.00", glasses, 2999_00, 449_85, ""},
		{"example smart-home lock ¥1,999.00", smartLock, 1999_00, 299_85, ""},
		{"washer energy 2 water 1 ¥1,599.00", mideaW, 1599_00, 239_85, ""},
	}
	for _, tt := range tests {
		f, err := e.tryAt(e.code(tt.p.Category).Code, tt.p, tt.price, "")
		if tt.code != "" {
			if agent.CodeOf(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil || f.DiscountFen != tt.want {
			t.Errorf("%s: discount %s, %v; want %s", tt.name, f.DiscountFen, err, tt.want)
		}
	}
	// A try naming a set that is not in force is refused.
	_, err := e.tryAt(e.code(agent.CatFridge).Code, casarte, 9999_00, agent.RuleSetNational2025)
	wantCode(t, err, agent.CodeNotEligible)
}

// TestFrozenVoucherAcrossTheBoundary: a voucher frozen at 23:59:50 on 31
// December under the 2025 set and committed after midnight is judged by
// the set of its freeze: the consumer keeps the 20 % already promised.
func TestFrozenVoucherAcrossTheBoundary(t *testing.T) {
	e := startEnvAt(t, client.Config{}, lastSecond2025.Add(-9*time.Second))
	f, err := e.tryAt(e.code(agent.CatFridge).Code, haier1, 4299_00, agent.RuleSetNational2025)
	if err != nil || f.DiscountFen != 859_80 {
		t.Fatalf("try: %s %v, want ¥859.80 (20 %%)", f.DiscountFen, err)
	}
	confirmed := e.clock.Now()
	e.clock.Advance(20 * time.Second) // 00:00:10 on 1 January
	req := commitReq(f, haier1, triedSN(t, e, f), 4299_00, confirmed)
	req.RuleSetID = agent.RuleSetNational2025
	if _, err := e.c.CommitVoucher(context.Background(), req); err != nil {
		t.Fatalf("commit after midnight: %v", err)
	}
}

// triedSN returns the SN a freeze was made with (tryAt makes a fresh one).
func triedSN(t *testing.T, e *testEnv, f agent.VoucherFrozen) string {
	t.Helper()
	sn, err := e.srv.FrozenSN(context.Background(), f.FrozenNo)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// TestOfflineSalesAcrossTheBoundary: offline sales confirmed at
// 23:59:59.999 and 00:00:00.000 and delivered on 2 January are judged by
// the sets of their transaction times; one that names the other set is
// refused.
func TestOfflineSalesAcrossTheBoundary(t *testing.T) {
	e := startEnvAt(t, client.Config{}, lastSecond2025.Add(-time.Minute))
	old := e.code(agent.CatFridge)
	nw := e.code(agent.CatFridge)
	wrong := e.code(agent.CatFridge)
	item := func(code string, at time.Time, setID string, subsidy agent.Fen) api.Transaction {
		orderNo := uniq("ORD")
		return api.Transaction{RequestNo: uniq("RQ"), OrderNo: orderNo, AuthCode: code, TransTime: at.UTC(),
			Amounts: api.Amounts{FinalPriceFen: 4299_00, SubsidyFen: subsidy, PayFen: 4299_00 - subsidy},
			Product: ref(haier1), SN: uniq("SN"), PaymentRef: uniq("PAY"), RuleSetID: setID}
	}
	lastMilli := newYear2026.Add(-time.Millisecond)
	batch := api.TransactionBatch{RequestNo: uniq("B"), Items: []api.Transaction{
		item(old.Code, lastMilli, agent.RuleSetNational2025, 859_80),
		item(nw.Code, newYear2026, agent.RuleSetNational2026, 644_85),
		item(wrong.Code, lastMilli, agent.RuleSetNational2026, 644_85),
	}}
	e.clock.Advance(34 * time.Hour) // delivered on 2 January
	res, err := e.c.TransactionsBatch(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{api.ItemAccepted, api.ItemAccepted, api.ItemRejected}
	for i, r := range res.Items {
		if r.Status != want[i] {
			t.Errorf("item %d: %s (%s %s), want %s", i, r.Status, r.Code, r.Message, want[i])
		}
	}
	if res.Items[2].Code != string(agent.CodeNotEligible) {
		t.Errorf("wrong set: %s", res.Items[2].Code)
	}
}

// TestRefundAndQuotaFollowTheSaleRuleSet: a sale under the 2025 set whose
// quota is not restored on refund keeps that flag when refunded in 2026;
// and a consumer who bought a fridge under the 2025 set may buy one under
// the 2026 set (one per category counts within a set's period).
func TestRefundAndQuotaFollowTheSaleRuleSet(t *testing.T) {
	ctx := context.Background()
	e := startEnvAt(t, client.Config{}, lastSecond2025.Add(-time.Hour))
	rs, err := e.srv.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rs[0].Categories {
		rs[0].Categories[i].QuotaRestoredOnRefund = false // 2025: a refund spends the quota
	}
	if err := e.srv.SetRules(ctx, rs); err != nil {
		t.Fatal(err)
	}
	first := e.code(agent.CatFridge)
	_, _, cr := e.sell(e.c, first.Code, haier1, uniq("SN"), 4299_00)
	if cr.SubsidyFen != 859_80 {
		t.Fatalf("2025 sale: %s", cr.SubsidyFen)
	}
	second := e.code(agent.CatTV)
	_, creq, _ := e.sell(e.c, second.Code, tvHis, uniq("SN"), 5999_00)

	e.clock.Advance(2 * time.Hour) // 2026
	rr, err := e.c.RefundVoucher(ctx, api.RefundRequest{RequestNo: uniq("RF"), OrderNo: creq.OrderNo, RefundNo: uniq("RFN"), Reason: "returned"})
	if err != nil || rr.QuotaRestored {
		t.Fatalf("refund in 2026 of a 2025 sale: restored=%v %v; want the 2025 flag (false)", rr.QuotaRestored, err)
	}
	// The same consumer, a fridge under the 2026 set.
	again, err := e.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatFridge, CRef: first.CRef})
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.tryAt(again.Code, haier1, 4299_00, agent.RuleSetNational2026)
	if err != nil || f.DiscountFen != 644_85 {
		t.Fatalf("2026 fridge of a 2025 buyer: %s %v", f.DiscountFen, err)
	}
	// But not a second one under the same set.
	if _, err := e.c.CommitVoucher(ctx, commitReq(f, haier1, triedSN(t, e, f), 4299_00, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	third, err := e.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatFridge, CRef: first.CRef})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.tryAt(third.Code, haier1, 4299_00, agent.RuleSetNational2026)
	wantCode(t, err, agent.CodeQuotaExhausted)
}

// TestPauseAndResume: a paused category is refused (CATEGORY_PAUSED) and
// shown in the rules; a paused set closes its campaign (CAMPAIGN_CLOSED);
// both sell again once resumed.
func TestPauseAndResume(t *testing.T) {
	ctx := context.Background()
	e := startEnv(t, client.Config{})
	resume := e.clock.Now().Add(48 * time.Hour)
	if err := e.srv.SetPause(ctx, agent.RuleSetNational2026, agent.CatFridge, &agent.Pause{Message: "本区冰箱补贴资金已用完", ResumeAt: resume}); err != nil {
		t.Fatal(err)
	}
	_, err := e.tryAt(e.code(agent.CatFridge).Code, haier1, 4299_00, "")
	wantCode(t, err, agent.CodeCategoryPaused)
	rs, err := e.c.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, fr, _ := rs.ForCategory(agent.CatFridge, sim.DemoCounty, e.clock.Now())
	if fr.Paused == nil || fr.Paused.Message != "本区冰箱补贴资金已用完" || !fr.Paused.ResumeAt.Equal(resume) {
		t.Fatalf("served fridge rule %+v", fr)
	}
	if _, err := e.tryAt(e.code(agent.CatTV).Code, tvHis, 4000_00, ""); err != nil {
		t.Fatalf("other categories still sell: %v", err)
	}
	if err := e.srv.SetPause(ctx, agent.RuleSetNational2026, agent.CatFridge, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tryAt(e.code(agent.CatFridge).Code, haier1, 4299_00, ""); err != nil {
		t.Fatalf("after resume: %v", err)
	}
	if err := e.srv.SetPause(ctx, agent.RuleSetNational2026, "", &agent.Pause{Message: "审计暂停"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.tryAt(e.code(agent.CatTV).Code, tvHis, 4000_00, "")
	wantCode(t, err, agent.CodeCampaignClosed)
	if err := e.srv.SetPause(ctx, "NO-SUCH-SET", "", nil); agent.CodeOf(err) != agent.CodeNotFound {
		t.Errorf("unknown set: %v", err)
	}
}
