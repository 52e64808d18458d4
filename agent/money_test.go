package agent

import (
	"errors"
	"math"
	"testing"
)

func TestFenString(t *testing.T) {
	tests := []struct {
		f    Fen
		want string
	}{
		{0, "¥0.00"},
		{1, "¥0.01"},
		{99, "¥0.99"},
		{100, "¥1.00"},
		{123456, "¥1,234.56"},
		{99980, "¥999.80"},
		{100000, "¥1,000.00"},
		{Yuan(2000), "¥2,000.00"},
		{Yuan(1234567), "¥1,234,567.00"},
		{-1, "-¥0.01"},
		{-123456, "-¥1,234.56"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Fen(%d).String() = %q, want %q", int64(tt.f), got, tt.want)
		}
	}
}

func TestParseFen(t *testing.T) {
	good := map[string]Fen{
		"4999":         499900,
		"4,999.5":      499950,
		"¥4,999.00":    499900,
		"￥4999.99":     499999,
		" 0.01 ":       1,
		"0":            0,
		"6000.01":      600001,
		"1,234,567.89": 123456789,
		"999999999999": 99999999999900,
	}
	for in, want := range good {
		got, err := ParseFen(in)
		if err != nil || got != want {
			t.Errorf("ParseFen(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "¥", "-5", "+5", "1.234", "1.", ".5", "abc", "1e3", "4 999", "1,2.3.4", "9999999999999", "０.５"} {
		if got, err := ParseFen(in); err == nil {
			t.Errorf("ParseFen(%q) = %d, want error", in, got)
		} else if !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("ParseFen(%q) error %v is not ErrInvalidAmount", in, err)
		}
	}
	// Every formatted amount parses back.
	for _, f := range []Fen{0, 1, 99980, 123456789, 99999999999999} {
		if got, err := ParseFen(f.String()); err != nil || got != f {
			t.Errorf("ParseFen(%q) = %d, %v", f.String(), got, err)
		}
	}
}
