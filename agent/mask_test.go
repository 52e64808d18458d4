package agent

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMaskID(t *testing.T) {
	tests := map[string]string{
		"110101199003071234": "110***********1234",
		"11010119900307123X": "110***********123X",
		"110101900307123":    "110********7123", // 15-digit old ID
		"":                   "",
		"1":                  "*",
		"123":                "***",
		"1234":               "1**4",
		"12345678":           "12****78",
	}
	for in, want := range tests {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := map[string]string{
		"13812345678":     "138****5678",
		" 138-1234-5678 ": "138****5678",
		"138 1234 5678":   "138****5678",
		"+8613812345678":  "+86*******5678",
		"010-12345678":    "010****5678", // 11 digits once the dash is gone
		"0101234567":      "01******67",
		"":                "",
		"12":              "**",
	}
	for in, want := range tests {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMaskNeverRevealsLongInput checks the masking contract on every length
// up to 40: of a value of four or more runes, at most 7 runes and at most
// half of the value (below 11 runes) stay visible.
func TestMaskNeverRevealsLongInput(t *testing.T) {
	for n := 0; n <= 40; n++ {
		in := strings.Repeat("9", n)
		for name, f := range map[string]func(string) string{"MaskID": MaskID, "MaskPhone": MaskPhone} {
			out := f(in)
			if utf8.RuneCountInString(out) != n {
				t.Errorf("%s(len %d) changed the length: %q", name, n, out)
			}
			if n >= 4 && (strings.Count(out, "*") < n-7 || n < 11 && strings.Count(out, "*") < n/2) {
				t.Errorf("%s(len %d) = %q hides too little", name, n, out)
			}
		}
	}
}
