package agent_test

import (
	"testing"

	"tradein/agent"
)

// wrongCheckDigit returns code with its GS1 check digit replaced by a
// wrong one.
func wrongCheckDigit(code string) string {
	last := code[len(code)-1]
	return code[:len(code)-1] + string('0'+(last-'0'+1)%10)
}

// TestProductBarcodeAtSNStep: a product barcode with a wrong check digit
// scanned where the SN belongs is refused as a bad barcode (INVALID_GTIN:
// "check digit wrong, rescan"), not sent to the platform as a serial number
// (which answers SN_NOT_FOUND); all-digit serial numbers of other shapes
// stay serial numbers.
func TestProductBarcodeAtSNStep(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatPhone), product: phone})
	for _, sn := range []string{
		wrongCheckDigit(phone.Barcode),        // the box's own barcode, misread
		wrongCheckDigit(gtin("690123456789")), // another 69… product code
		wrongCheckDigit(gtin("6900000")),      // EAN-8 sharing the product's company prefix
	} {
		if _, err := d.SetSN(f.ctx, sn); agent.CodeOf(err) != agent.CodeInvalidGTIN {
			t.Errorf("SetSN(%s) = %v, want INVALID_GTIN", sn, err)
		}
	}
	if s := d.Sale(); s.SN != "" {
		t.Fatalf("SN set to %q", s.SN)
	}
	for _, sn := range []string{
		wrongCheckDigit(gtin("123456789012")), // 13 digits, not a 69… code
		wrongCheckDigit(gtin("1234567")),      // 8 digits, another company
		gtin("690123456789"),                  // a valid GTIN may be an SN
	} {
		if _, err := d.SetSN(f.ctx, f.sellableSN(sn)); err != nil {
			t.Errorf("all-digit SN %s refused: %v", sn, err)
		}
	}
}
