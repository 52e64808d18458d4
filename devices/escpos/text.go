package escpos

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Sanitize returns s as the printer will show it: control characters
// (which could otherwise smuggle commands into the stream from a product
// name) become spaces, '¥' becomes the full-width '￥' that GBK fonts
// carry, and characters outside the printer's two-byte GBK set (GB18030
// four-byte sequences: emoji, rare ideographs) become '?'.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(printable(r))
	}
	return b.String()
}

func printable(r rune) rune {
	switch {
	case r == utf8.RuneError:
		return '?'
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return ' '
	case r < 0x80:
		return r
	case r == '¥':
		return '￥'
	}
	if n := gbLen(r); n != 2 {
		return '?'
	}
	return r
}

// gbLen is the length of r's GB18030 encoding (1, 2 or 4), 0 if none.
func gbLen(r rune) int {
	if r < 0x80 {
		return 1
	}
	var src [4]byte
	n := utf8.EncodeRune(src[:], r)
	var dst [8]byte
	nDst, _, err := simplifiedchinese.GB18030.NewEncoder().Transform(dst[:], src[:n], true)
	if err != nil {
		return 0
	}
	return nDst
}

// runeWidth is the printed width of a sanitized rune in columns: the
// printer in Chinese mode prints every two-byte character full width.
func runeWidth(r rune) int {
	if r < 0x80 {
		return 1
	}
	return 2
}

// TextWidth is the printed width of s in columns, after Sanitize.
func TextWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(printable(r))
	}
	return w
}

// Truncate returns the longest prefix of sanitized s that fits in cols.
func Truncate(s string, cols int) string {
	s = Sanitize(s)
	w := 0
	for i, r := range s {
		if w+runeWidth(r) > cols {
			return s[:i]
		}
		w += runeWidth(r)
	}
	return s
}

// Wrap breaks sanitized s into lines of at most cols columns, never
// splitting a character. ASCII words are kept whole when they fit on a line.
func Wrap(s string, cols int) []string {
	if cols < 2 {
		cols = 2
	}
	s = Sanitize(s)
	var lines []string
	for s != "" {
		head := Truncate(s, cols)
		if len(head) < len(s) {
			// Prefer to break after a space within an ASCII run.
			if i := strings.LastIndexByte(head, ' '); i > 0 && isASCIIWordBreak(s, len(head)) {
				head = head[:i+1]
			}
		}
		lines = append(lines, strings.TrimRight(head, " "))
		s = strings.TrimLeft(s[len(head):], " ")
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// isASCIIWordBreak reports whether cutting s at i would split an ASCII word.
func isASCIIWordBreak(s string, i int) bool {
	return i > 0 && i < len(s) && s[i-1] != ' ' && s[i] != ' ' && s[i-1] < 0x80 && s[i] < 0x80
}

// Pair lays out label on the left and value on the right of one cols-wide
// line, e.g. "补贴金额          ￥749.85". When both do not fit, the label gets
// its own line and the value is right-aligned on the next.
func Pair(label, value string, cols int) []string {
	label, value = Sanitize(label), Sanitize(value)
	lw, vw := TextWidth(label), TextWidth(value)
	if lw+1+vw <= cols {
		return []string{label + strings.Repeat(" ", cols-lw-vw) + value}
	}
	out := Wrap(label, cols)
	value = Truncate(value, cols)
	return append(out, strings.Repeat(" ", cols-TextWidth(value))+value)
}

// encodeGB converts sanitized s to GB18030 bytes.
func encodeGB(s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		// Unreachable after Sanitize (GB18030 encodes all of Unicode);
		// fall back to ASCII with '?' rather than fail a receipt.
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r < 0x80 {
				out = append(out, byte(r))
			} else {
				out = append(out, '?')
			}
		}
		return out
	}
	return b
}
