package agent

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// Trade-in ticket numbers are "TI" followed by TicketMinDigits to
// TicketMaxDigits digits. NewTicketNo makes 20-digit ones; the range is
// wider so that tickets issued by other systems of the programme still scan.
const (
	TicketPrefix    = "TI"
	TicketMinDigits = 14
	TicketMaxDigits = 20
)

// Classify reports what a scanned or typed string is, and returns it with
// surrounding whitespace (spaces, tabs, CR, LF) removed. The checks run from
// the most to the least specific format:
//
//	TIQ1.… consumer code > trade-in ticket > GTIN > IMEI > SN > unknown.
//
// A consumer code is recognised by its "TIQ1." prefix only; whether it is
// well formed and signed is VerifyConsumerCode's job. A digit string of GTIN
// length whose check digit is wrong is not a product; it may still be a
// serial number (SNs can be all digits), so the caller decides from context
// (the sale step it is at) what a ScanSN means. Opaque consumer codes that
// only the platform can check classify as SN or UNKNOWN for the same reason.
func Classify(raw string) (ScanKind, string) {
	v := strings.TrimSpace(raw)
	switch {
	case v == "":
		return ScanUnknown, v
	case IsSignedCodeFormat(v):
		return ScanConsumer, v
	case IsTicketNo(v):
		return ScanTicket, v
	case ValidateGTIN(v) == nil:
		return ScanProduct, v
	case ValidateIMEI(v) == nil:
		return ScanIMEI, v
	case ValidateSN(v) == nil:
		return ScanSN, v
	}
	return ScanUnknown, v
}

// IsTicketNo reports whether s is a trade-in ticket number: TicketPrefix
// followed by TicketMinDigits to TicketMaxDigits ASCII digits.
func IsTicketNo(s string) bool {
	if !strings.HasPrefix(s, TicketPrefix) {
		return false
	}
	d := s[len(TicketPrefix):]
	return len(d) >= TicketMinDigits && len(d) <= TicketMaxDigits && firstNonDigit(d) < 0
}

// NewTicketNo returns the trade-in ticket number for the seq-th ticket of a
// terminal, issued at now: "TI" followed by 20 digits,
//
//	yyMMddHHmmss (China time) | 4 terminal digits | seq mod 10000 (4 digits).
//
// Two tickets of one terminal collide only when they are issued within the
// same second and their sequence numbers differ by a multiple of 10,000,
// which a single checkout cannot do. The terminal digits are the last four
// digits of terminalNo (platform terminal numbers end in a serial), or a
// hash of terminalNo when it has fewer than four digits, so tickets of the
// store's terminals are told apart on the recycler's screen. Classify
// recognises every number this returns as ScanTicket.
func NewTicketNo(now time.Time, terminalNo string, seq int) string {
	// The remainder first, then its sign: -seq overflows for the
	// smallest int and would print a minus sign.
	n := seq % 10000
	if n < 0 {
		n = -n
	}
	return fmt.Sprintf("%s%s%s%04d", TicketPrefix, now.In(ChinaTime).Format("060102150405"), terminalDigits(terminalNo), n)
}

// terminalDigits returns four digits identifying terminalNo (see NewTicketNo).
func terminalDigits(terminalNo string) string {
	var digits []byte
	for i := 0; i < len(terminalNo); i++ {
		if c := terminalNo[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) >= 4 {
		return string(digits[len(digits)-4:])
	}
	h := fnv.New32a()
	h.Write([]byte(terminalNo))
	return fmt.Sprintf("%04d", h.Sum32()%10000)
}
