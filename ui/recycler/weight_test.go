package recycler

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseKg(t *testing.T) {
	for _, tc := range []struct {
		in    string
		grams int
		ok    bool
	}{
		{"35", 35000, true},
		{" 35.5 ", 35500, true},
		{"0.125", 125, true},
		{".5", 500, true},
		{"1000", 1000000, true},
		{"", 0, false},
		{".", 0, false},
		{"35.", 0, false},
		{"35.1234", 0, false},
		{"-3", 0, false},
		{"+3", 0, false},
		{"1e3", 0, false},
		{"1,000", 0, false},
		{"３５", 0, false}, // full-width digits
		{"12345678", 0, false},
	} {
		g, ok := ParseKg(tc.in)
		if g != tc.grams || ok != tc.ok {
			t.Errorf("ParseKg(%q) = %d, %v; want %d, %v", tc.in, g, ok, tc.grams, tc.ok)
		}
	}
}

// FuzzParseKg checks that any input either is refused or gives the grams
// a decimal reading of it gives, never panics and never goes negative.
func FuzzParseKg(f *testing.F) {
	for _, s := range []string{"35", "35.5", "0.125", ".5", "", "-1", "1e3", "9999999.999", "35.", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, ok := ParseKg(s)
		if !ok {
			if g != 0 {
				t.Fatalf("refused %q but returned %d", s, g)
			}
			return
		}
		if g < 0 {
			t.Fatalf("%q -> %d", s, g)
		}
		whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
		frac += strings.Repeat("0", 3-len(frac))
		w, _ := strconv.Atoi("0" + whole)
		fr, _ := strconv.Atoi(frac)
		if g != w*1000+fr {
			t.Fatalf("%q -> %d grams, want %d", s, g, w*1000+fr)
		}
	})
}
