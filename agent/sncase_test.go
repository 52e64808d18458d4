package agent_test

import (
	"testing"

	"tradein/agent"
)

// TestSNCaseIsOneDevice: an SN sold as "SNCASE000001" refuses
// "sncase000001" (and " SnCase000001 ") locally, offline, where only the
// terminal's own history can tell; the sale stores the upper-case form.
func TestSNCaseIsOneDevice(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	f.platform.SetDown(true)
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatPhone), product: phone, sn: " sncase000001\t", price: 2999_00})
	if sale.SN != "SNCASE000001" {
		t.Fatalf("stored SN %q, want SNCASE000001", sale.SN)
	}
	for _, sn := range []string{"SNCASE000001", "sncase000001", " SnCase000001 "} {
		d := f.prepare(clerk, saleSpec{code: f.code(agent.CatPhone), product: phone})
		if _, err := d.SetSN(f.ctx, sn); agent.CodeOf(err) != agent.CodeSNUsed {
			t.Fatalf("SetSN(%q) after SNCASE000001 was sold: %v, want SN_USED", sn, err)
		}
	}
}

func TestNormalizeSN(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"SNCASE000001":      "SNCASE000001",
		"sncase000001":      "SNCASE000001",
		" \tSn-Case-01\r\n": "SN-CASE-01",
		"860123456789021":   "860123456789021",
		"ßn-ü1":             "ßN-ü1", // non-ASCII left alone; ValidateSN refuses it
	} {
		if got := agent.NormalizeSN(in); got != want {
			t.Errorf("NormalizeSN(%q) = %q, want %q", in, got, want)
		}
		if err := agent.ValidateSN(agent.NormalizeSN(in)); err == nil && agent.NormalizeSN(agent.NormalizeSN(in)) != agent.NormalizeSN(in) {
			t.Errorf("NormalizeSN is not idempotent on %q", in)
		}
	}
}
