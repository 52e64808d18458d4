package agent_test

import (
	"errors"
	"testing"

	"tradein/agent"
)

// FuzzSaleWizardInputs feeds scanned and typed strings through the wizard:
// every step must answer with a coded error or succeed, never panic, and a
// quote that succeeds must add up (pay + subsidy = price, subsidy ≥ 0).
func FuzzSaleWizardInputs(f *testing.F) {
	fx := newFixture(f)
	clerk := fx.login("C1")
	good := fx.code(agent.CatPhone)
	f.Add(good, phone.Barcode, imei("35123456789012"), "2999.99")
	f.Add(good, fridge.Barcode, "SN-0001-AB", "4999")
	f.Add("TIQ1..", "6900000000000", "351234567890120", "-1")
	f.Add("TIQ1.e30.AAAA", "69", "", "1,000,000,000,000")
	f.Add("opaque\x00code", "\u0669\u0669", "SN\u200b123456", "¥0.001")
	f.Add("", "", "            ", "")
	f.Fuzz(func(t *testing.T, code, barcode, sn, price string) {
		d, err := clerk.NewSale(fx.ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Cancel(fx.ctx, "fuzz")
		coded := func(step string, err error) {
			t.Helper()
			var e *agent.Error
			if err != nil && (!errors.As(err, &e) || e.Code == agent.CodeInternal) {
				t.Fatalf("%s: uncoded or internal error %v", step, err)
			}
		}
		_, err = d.SetConsumerCode(fx.ctx, code)
		coded("code", err)
		_, _, err = d.ScanProduct(fx.ctx, barcode)
		coded("product", err)
		_, err = d.SetSN(fx.ctx, sn)
		coded("sn", err)
		p, perr := agent.ParseFen(price)
		if perr != nil {
			return
		}
		q, err := d.Quote(fx.ctx, p)
		coded("quote", err)
		if err == nil && (q.SubsidyFen < 0 || q.PayFen+q.SubsidyFen != q.FinalPriceFen || q.FinalPriceFen != p) {
			t.Fatalf("quote does not add up: %+v", q)
		}
	})
}
