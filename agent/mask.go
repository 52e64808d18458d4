package agent

import (
	"strings"
)

// Masking of personal data for screens, receipts and reports (docs/DOMAIN.md, "Personal data and security").
// Every function works on runes, accepts any input without panicking, and
// never returns a value of four or more runes unmasked: at most 7 runes stay
// visible (3 + 4, the national convention for phone and ID numbers), and of
// a value shorter than 11 runes at most half; values of up to 3 runes are
// starred completely.

// MaskID masks an ID card number: "110101199003071234" → "110***********1234"
// (first 3 and last 4 kept). Shorter input keeps fewer characters (see
// maskMiddle).
func MaskID(id string) string { return maskMiddle(strings.TrimSpace(id)) }

// MaskPhone masks a phone number: "13812345678" → "138****5678". Spaces and
// dashes typed between digit groups are removed first.
func MaskPhone(p string) string {
	p = strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(p))
	return maskMiddle(p)
}

// maskMiddle keeps the first 3 and last 4 runes of s when it has at least 11
// (a mobile number, an ID number) and stars the rest. For shorter s it keeps
// at most a quarter of the runes at each end, so that at least half of any
// value is hidden; values of up to 3 runes are starred completely.
func maskMiddle(s string) string {
	r := []rune(s)
	n := len(r)
	head, tail := 3, 4
	if n < 11 {
		head, tail = n/4, n/4
	}
	var b strings.Builder
	b.WriteString(string(r[:head]))
	b.WriteString(strings.Repeat("*", n-head-tail))
	b.WriteString(string(r[n-tail:]))
	return b.String()
}
