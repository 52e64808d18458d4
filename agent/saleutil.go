package agent

// otherSales drops the sale orderNo itself from a history.
func otherSales(sales []Sale, orderNo string) []Sale {
	out := sales[:0:0]
	for _, s := range sales {
		if s.OrderNo != orderNo {
			out = append(out, s)
		}
	}
	return out
}

// mergeWarnings appends b to a, dropping repeats of a code.
func mergeWarnings(a, b []Warning) []Warning {
	out := append([]Warning(nil), a...)
	for _, w := range b {
		dup := false
		for _, x := range out {
			if x.Code == w.Code {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

// copySale returns s with its slices and pointers copied, so a caller
// cannot change the draft through it.
func copySale(s Sale) Sale {
	s.Warnings = append([]Warning(nil), s.Warnings...)
	if s.TradeIn != nil {
		ti := *s.TradeIn
		s.TradeIn = &ti
	}
	return s
}

// maskCode shows the last four characters of a code or voucher id.
func maskCode(c string) string {
	if len(c) <= 4 {
		return "****"
	}
	return "****" + c[len(c)-4:]
}

// printableASCII reports whether s has only printable ASCII characters.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// reasonDetail formats a reason typed by staff for the audit log, cut to
// maxReasonLen characters.
func reasonDetail(reason string) string {
	if reason == "" {
		return ""
	}
	if r := []rune(reason); len(r) > maxReasonLen {
		reason = string(r[:maxReasonLen]) + "…"
	}
	return "reason: " + reason
}
