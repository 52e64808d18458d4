package agent

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// idGen makes the terminal's business numbers: order numbers, platform
// request numbers (idempotency keys), refund numbers and pickup IDs.
//
// A number is prefix + terminal number + UTC time to the millisecond
// (yyyymmddHHMMSSmmm) + 4 random hex digits, e.g.
// "T0001" + "20261121093015123" + "9f3a". Numbers are
//   - unique per terminal: the time part never repeats within a process,
//     because a second number in the same millisecond (or after the clock
//     stepped back) takes the last millisecond + 1;
//   - sortable: within one terminal, later numbers sort after earlier ones
//     as long as the wall clock does not step back across a restart;
//   - crash-safe: nothing is persisted, so a crash cannot lose a counter;
//     after a restart the clock has moved on, and the random suffix keeps
//     two numbers apart even if it has not (a clock stepped back while the
//     process was down).
//
// idGen is safe for concurrent use.
type idGen struct {
	terminalNo string

	mu     sync.Mutex
	lastMS int64 // guarded by mu: the millisecond of the last number
}

// newIDGen returns a generator for the terminal. Characters other than
// [A-Za-z0-9] are dropped from the terminal number so that the numbers
// stay safe in URLs, file names and QR codes.
func newIDGen(terminalNo string) *idGen {
	var b strings.Builder
	for _, r := range terminalNo {
		if r < 128 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	return &idGen{terminalNo: b.String()}
}

// next returns a new number with the given one-letter prefix.
func (g *idGen) next(prefix string, now time.Time) string {
	ms := now.UnixMilli()
	g.mu.Lock()
	if ms <= g.lastMS {
		ms = g.lastMS + 1
	}
	g.lastMS = ms
	g.mu.Unlock()

	var rnd [2]byte
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(rnd[:])
	t := time.UnixMilli(ms).UTC()
	return prefix + g.terminalNo + t.Format("20060102150405") + threeDigits(ms%1000) + hex.EncodeToString(rnd[:])
}

func threeDigits(n int64) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// Prefixes of the generated numbers. They are stored and sent to the
// platform: never change them.
const (
	prefixOrder   = "O"
	prefixRequest = "R"
	prefixRefund  = "F"
	prefixPickup  = "P"
)
