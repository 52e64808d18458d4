package agent_test

import (
	"testing"

	"tradein/agent"
)

// TestZeroSubsidyIsRefused: a mistyped ¥0.01 price gives a ¥0.00 subsidy,
// which would still spend the consumer's one phone subsidy. The quote is
// refused with SUBSIDY_ZERO, nothing is confirmed or stored, and the same
// consumer then buys at the real price.
func TestZeroSubsidyIsRefused(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	code := f.code(agent.CatPhone)
	d := f.prepare(clerk, saleSpec{code: code, product: phone, sn: f.sellableSN("SN-ZERO-0001")})
	for _, price := range []agent.Fen{1, 6} {
		q, err := d.Quote(f.ctx, price)
		wantCode(t, err, agent.CodeSubsidyZero)
		if q.SubsidyFen != 0 || q.FinalPriceFen != 0 {
			t.Fatalf("refused quote returned %+v", q)
		}
	}
	if _, err := d.Confirm(f.ctx); err == nil {
		t.Fatal("confirmed a sale whose quote was refused")
	}
	if sales, err := f.store.Sales(f.ctx, agent.SaleFilter{}); err != nil || len(sales) != 0 {
		t.Fatalf("stored %d sales, %v", len(sales), err)
	}
	q, err := d.Quote(f.ctx, 2999_00)
	if err != nil || q.SubsidyFen != 449_85 {
		t.Fatalf("quote at the real price: %+v, %v", q, err)
	}
	if _, err := d.Confirm(f.ctx); err != nil {
		t.Fatalf("the consumer's quota was touched by the refused quote: %v", err)
	}
}
