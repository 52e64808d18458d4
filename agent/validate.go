package agent

import (
	"fmt"
	"strings"
)

// This file validates the codes a clerk scans or types before the terminal
// asks the product library or the platform about them (docs/DOMAIN.md). Every
// function returns nil or an *Error whose code matches the corresponding
// sentinel (errors.Is(err, ErrInvalidGTIN) …). Details quote lengths and
// positions, never the scanned value: an SN or IMEI is not personal data, but
// keeping values out of error text keeps log lines uniform and short.

// Length limits of the scanned codes.
const (
	SNMinLen = 6  // shortest serial number accepted (docs/DOMAIN.md)
	SNMaxLen = 32 // longest serial number accepted
	IMEILen  = 15 // IMEI without the software version digits
)

// ValidateGTIN reports whether s is a GTIN-8, GTIN-12 (UPC-A), GTIN-13
// (EAN-13, the national library's 69… codes) or GTIN-14 with a correct GS1
// check digit. It returns an error coded CodeInvalidGTIN otherwise.
func ValidateGTIN(s string) error {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return &Error{Code: CodeInvalidGTIN, Detail: fmt.Sprintf("length %d, want 8, 12, 13 or 14 digits", len(s))}
	}
	if i := firstNonDigit(s); i >= 0 {
		return &Error{Code: CodeInvalidGTIN, Detail: fmt.Sprintf("non-digit at position %d", i+1)}
	}
	want := GTINCheckDigit(s[:len(s)-1])
	if got := s[len(s)-1]; got != want {
		return &Error{Code: CodeInvalidGTIN, Detail: fmt.Sprintf("check digit %c, want %c", got, want)}
	}
	return nil
}

// GTINCheckDigit returns the GS1 check digit ('0'..'9') for body, the GTIN
// without its last digit. Digits are weighted 3, 1, 3, … starting from the
// rightmost digit of body; the check digit brings the sum to a multiple of
// 10. body must consist of ASCII digits; other bytes count as 0.
func GTINCheckDigit(body string) byte {
	sum := 0
	weight := 3
	for i := len(body) - 1; i >= 0; i-- {
		d := 0
		if c := body[i]; c >= '0' && c <= '9' {
			d = int(c - '0')
		}
		sum += d * weight
		weight = 4 - weight // alternates 3, 1
	}
	return byte('0' + (10-sum%10)%10)
}

// ValidateIMEI reports whether s is a 15-digit IMEI whose last digit is the
// Luhn check digit of the first 14. It returns an error coded
// CodeInvalidIMEI otherwise.
func ValidateIMEI(s string) error {
	if len(s) != IMEILen {
		return &Error{Code: CodeInvalidIMEI, Detail: fmt.Sprintf("length %d, want %d digits", len(s), IMEILen)}
	}
	if i := firstNonDigit(s); i >= 0 {
		return &Error{Code: CodeInvalidIMEI, Detail: fmt.Sprintf("non-digit at position %d", i+1)}
	}
	want := LuhnCheckDigit(s[:IMEILen-1])
	if got := s[IMEILen-1]; got != want {
		return &Error{Code: CodeInvalidIMEI, Detail: fmt.Sprintf("check digit %c, want %c", got, want)}
	}
	return nil
}

// LuhnCheckDigit returns the Luhn check digit ('0'..'9') for body: every
// second digit from the right of body is doubled (digits of the product
// summed) and the check digit brings the total to a multiple of 10. body must
// consist of ASCII digits; other bytes count as 0.
func LuhnCheckDigit(body string) byte {
	sum := 0
	double := true // the rightmost digit of body sits next to the check digit
	for i := len(body) - 1; i >= 0; i-- {
		d := 0
		if c := body[i]; c >= '0' && c <= '9' {
			d = int(c - '0')
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// NormalizeSN returns the canonical form of a scanned or typed serial number
// or IMEI: surrounding whitespace removed and ASCII letters upper-cased.
// Manufacturers print SNs in capitals, but wedge scanners with Caps Lock on
// and clerks typing by hand produce lower case; "SNCASE000001" and
// "sncase000001" are one device and must be subsidised once. Every place
// that stores, compares or sends an SN uses this form; the platform
// normalises the same way (sync/api/openapi.yaml, schema SN). Characters
// other than ASCII letters are left as they are (ValidateSN refuses them).
func NormalizeSN(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// ValidateSN reports whether s is an acceptable serial number: SNMinLen to
// SNMaxLen characters, each an ASCII letter, digit or '-'. It returns an
// error coded CodeInvalidSN otherwise.
func ValidateSN(s string) error {
	if len(s) < SNMinLen || len(s) > SNMaxLen {
		return &Error{Code: CodeInvalidSN, Detail: fmt.Sprintf("length %d, want %d to %d characters", len(s), SNMinLen, SNMaxLen)}
	}
	for i := 0; i < len(s); i++ {
		if !isSNByte(s[i]) {
			return &Error{Code: CodeInvalidSN, Detail: fmt.Sprintf("character at position %d is not a letter, digit or '-'", i+1)}
		}
	}
	return nil
}

func isSNByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-'
}

// provinceCodes are the first two digits of the administrative division
// codes (GB/T 2260) of the provinces, autonomous regions, municipalities and
// special administrative regions. 71 (Taiwan), 81 (Hong Kong) and 82 (Macao)
// are listed because the national standard reserves them.
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// ValidateRegion reports whether s is a 6-digit administrative division code
// whose first two digits name a province (11 Beijing … 82 Macao). It returns
// an error coded CodeInvalidRegion otherwise.
func ValidateRegion(s string) error {
	if len(s) != 6 {
		return &Error{Code: CodeInvalidRegion, Detail: fmt.Sprintf("length %d, want 6 digits", len(s))}
	}
	if i := firstNonDigit(s); i >= 0 {
		return &Error{Code: CodeInvalidRegion, Detail: fmt.Sprintf("non-digit at position %d", i+1)}
	}
	if !provinceCodes[s[:2]] {
		return &Error{Code: CodeInvalidRegion, Detail: fmt.Sprintf("unknown province code %s", s[:2])}
	}
	return nil
}

// RegionCovers reports whether the region area (a voucher's region or a rule
// set's region prefix) includes the 6-digit county code. area may be:
//   - "" : national, covers every county;
//   - a plain prefix of 2 or 4 digits ("11", "1101"): covers the codes that
//     start with it;
//   - a 6-digit code: "110000" covers the province 11, "110100" the city
//     1101, and any other code only itself (GB/T 2260 pads the levels above
//     the county with zeros).
//
// A county code that is not a valid region is covered by nothing but "".
func RegionCovers(area, county string) bool {
	if area == "" {
		return true
	}
	if ValidateRegion(county) != nil {
		return false
	}
	prefix := area
	if len(area) == 6 {
		switch {
		case area[2:] == "0000":
			prefix = area[:2]
		case area[4:] == "00":
			prefix = area[:4]
		}
	}
	if firstNonDigit(prefix) >= 0 {
		return false
	}
	return len(prefix) <= len(county) && county[:len(prefix)] == prefix
}

// firstNonDigit returns the index of the first byte of s that is not an
// ASCII digit, or -1.
func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}
