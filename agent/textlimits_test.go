package agent_test

import (
	"strings"
	"testing"

	"tradein/agent"
)

// TestTextLimitsCountCharacters: the terminal counts characters (runes),
// as the contract's maxLength does, never bytes: a Chinese brand and
// model of 64 characters (192 bytes) and a refund reason of 200 Chinese
// characters are accepted, one character more is refused.
func TestTextLimitsCountCharacters(t *testing.T) {
	f := newFixture(t)
	cjk := func(n int) string { return strings.Repeat("海", n) }
	clerk := f.login("C1")
	d, err := clerk.NewSale(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.ScanProduct(f.ctx, fridge.Barcode); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetTradeIn(f.ctx, agent.TradeIn{Category: agent.CatFridge, Condition: agent.ConditionWorn,
		Brand: cjk(64), Model: cjk(64)}); err != nil {
		t.Fatalf("trade-in with a 64-character Chinese brand and model: %v", err)
	}
	_, err = d.SetTradeIn(f.ctx, agent.TradeIn{Category: agent.CatFridge, Condition: agent.ConditionWorn, Brand: cjk(65)})
	wantCode(t, err, agent.CodeInvalidRequest)
	d.Cancel(f.ctx, "")

	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(12000)})
	mgr := f.login("M1")
	_, err = mgr.Refund(f.ctx, sale.OrderNo, cjk(201))
	wantCode(t, err, agent.CodeInvalidRequest)
	if _, err := mgr.Refund(f.ctx, sale.OrderNo, cjk(200)); err != nil {
		t.Fatalf("refund with a 200-character Chinese reason: %v", err)
	}
}
