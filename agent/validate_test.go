package agent

import (
	"errors"
	"testing"
)

func TestValidateGTIN(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"6901234567892", true},  // GTIN-13, national library style
		{"4006381333931", true},  // GTIN-13
		{"96385074", true},       // GTIN-8
		{"036000291452", true},   // GTIN-12 (UPC-A)
		{"10036000291459", true}, // GTIN-14
		{"00000000", true},       // all zeros: check digit 0
		{"6901234567891", false}, // wrong check digit
		{"96385075", false},
		{"690123456789", false}, // 12 digits, wrong check
		{"690123456789A", false},
		{"", false},
		{"1234567", false},         // 7 digits
		{"123456789012345", false}, // 15 digits
		{" 6901234567892", false},  // no trimming here; Classify trims
		{"６９０１２３４５６７８９２", false},   // full-width digits
	}
	for _, tt := range tests {
		err := ValidateGTIN(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateGTIN(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidGTIN) {
			t.Errorf("ValidateGTIN(%q) error %v is not ErrInvalidGTIN", tt.in, err)
		}
	}
}

func TestGTINCheckDigitEveryLength(t *testing.T) {
	for _, body := range []string{"9638507", "03600029145", "690123456789", "1003600029145"} {
		full := body + string(GTINCheckDigit(body))
		if err := ValidateGTIN(full); err != nil {
			t.Errorf("%s: %v", full, err)
		}
		// Every other check digit must be refused.
		for d := byte('0'); d <= '9'; d++ {
			if d == GTINCheckDigit(body) {
				continue
			}
			if ValidateGTIN(body+string(d)) == nil {
				t.Errorf("%s%c accepted", body, d)
			}
		}
	}
}

func TestValidateIMEI(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"490154203237518", true},
		{"356938035643809", true},
		{"35391805070987" + string(LuhnCheckDigit("35391805070987")), true},
		{"000000000000000", true},
		{"490154203237519", false}, // wrong check digit
		{"49015420323751", false},  // 14 digits
		{"4901542032375180", false},
		{"49015420323751X", false},
		{"", false},
	}
	for _, tt := range tests {
		err := ValidateIMEI(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateIMEI(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && CodeOf(err) != CodeInvalidIMEI {
			t.Errorf("ValidateIMEI(%q) code %s", tt.in, CodeOf(err))
		}
	}
}

func TestValidateSN(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"ABC123", true},
		{"C02XK1ZJJG5H", true},
		{"SN-2025-000123", true},
		{"abcdef", true},
		{"12345678901234567890123456789012", true},   // 32
		{"ABC12", false},                             // 5
		{"123456789012345678901234567890123", false}, // 33
		{"ABC 123", false},
		{"ABC_123", false},
		{"ABC123\n", false},
		{"序列号123456", false},
		{"", false},
	}
	for _, tt := range tests {
		err := ValidateSN(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateSN(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidSN) {
			t.Errorf("ValidateSN(%q) error %v is not ErrInvalidSN", tt.in, err)
		}
	}
}

func TestValidateRegion(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"110105", true}, // Beijing Chaoyang
		{"310115", true}, // Shanghai Pudong
		{"440300", true}, // Shenzhen
		{"820000", true}, // Macao
		{"110000", true},
		{"100000", false}, // 10 is no province
		{"990000", false},
		{"000000", false},
		{"11010", false},
		{"1101050", false},
		{"11010A", false},
		{"", false},
	}
	for _, tt := range tests {
		err := ValidateRegion(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateRegion(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidRegion) {
			t.Errorf("ValidateRegion(%q) error %v is not ErrInvalidRegion", tt.in, err)
		}
	}
}

func TestRegionCovers(t *testing.T) {
	tests := []struct {
		area, county string
		want         bool
	}{
		{"", "110105", true},
		{"", "garbage", true},
		{"11", "110105", true},
		{"1101", "110105", true},
		{"1102", "110105", false},
		{"110000", "110105", true},  // province level
		{"110100", "110105", true},  // city level
		{"110105", "110105", true},  // county level
		{"110106", "110105", false}, // another county
		{"310000", "110105", false},
		{"110000", "1101", false}, // county must be a valid code
		{"11x", "110105", false},
		{"1101051", "110105", false},
	}
	for _, tt := range tests {
		if got := RegionCovers(tt.area, tt.county); got != tt.want {
			t.Errorf("RegionCovers(%q, %q) = %v, want %v", tt.area, tt.county, got, tt.want)
		}
	}
}
