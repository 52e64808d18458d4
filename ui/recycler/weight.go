package recycler

import "strings"

// maxKgDigits bounds the whole-kilogram part of a typed weight: the agent
// refuses anything above 1 t, and 7 digits keep the arithmetic far from
// overflow whatever is typed.
const maxKgDigits = 7

// ParseKg turns a weight typed in kilograms ("35", "35.5", "0.125") into
// grams without floating point. At most three decimals (a gram) are
// accepted; signs, exponents, thousands separators and empty input are
// not. It reports false for anything it refuses.
func ParseKg(s string) (int, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, false
	}
	if len(whole) > maxKgDigits || len(frac) > 3 || (hasDot && frac == "") {
		return 0, false
	}
	grams := 0
	for _, r := range whole {
		if r < '0' || r > '9' {
			return 0, false
		}
		grams = grams*10 + int(r-'0')
	}
	grams *= 1000
	scale := 100
	for _, r := range frac {
		if r < '0' || r > '9' {
			return 0, false
		}
		grams += int(r-'0') * scale
		scale /= 10
	}
	return grams, true
}
