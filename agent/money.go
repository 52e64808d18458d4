package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (0.01 yuan). Money is never a float.
type Fen int64

// Yuan returns the amount of n whole yuan.
func Yuan(n int64) Fen { return Fen(n * 100) }

// String formats the amount as "¥1,234.56" (negative: "-¥1,234.56").
// It is the one money formatter of the terminal: screens, receipts and
// reports all use it.
func (f Fen) String() string {
	sign := ""
	v := int64(f)
	if v < 0 {
		sign = "-"
		v = -v
	}
	whole := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s¥%s.%02d", sign, b.String(), v%100)
}

// ParseFen parses a yuan amount typed by a person ("4999", "4,999.5",
// "¥4,999.00") into fen. More than two decimals, signs and anything else
// are refused with ErrInvalidAmount.
func ParseFen(s string) (Fen, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrInvalidAmount)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("%w: %q", ErrInvalidAmount, s)
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%w: %q", ErrInvalidAmount, s)
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Fen(w*100 + f), nil
}
