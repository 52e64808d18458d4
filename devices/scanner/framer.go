// Package scanner turns the byte stream of a serial barcode scanner into
// agent.ScanEvents. (A keyboard-wedge scanner types into the window; the
// sale screen tells its keys from typing with agent.Wedge.)
//
// The Framer is a pure state machine (bytes and times in, frames out) so it
// is tested and fuzzed without I/O; Driver runs it over a serial port and
// reopens the port when it disappears.
package scanner

import (
	"fmt"
	"strings"
	"time"
)

// Suffix is the terminator a scanner appends to each code. Scanners ship
// with CR, CRLF or Tab; "NONE" means frames end by idle time only.
type Suffix string

const (
	SuffixCR   Suffix = "CR"
	SuffixLF   Suffix = "LF"
	SuffixCRLF Suffix = "CRLF"
	SuffixTab  Suffix = "TAB"
	SuffixNone Suffix = "NONE"
)

// ParseSuffix accepts the suffix names of the settings screen (any case).
func ParseSuffix(s string) (Suffix, error) {
	switch v := Suffix(strings.ToUpper(strings.TrimSpace(s))); v {
	case SuffixCR, SuffixLF, SuffixCRLF, SuffixTab, SuffixNone:
		return v, nil
	case "":
		return SuffixCR, nil
	}
	return "", fmt.Errorf("scanner: unknown suffix %q (want CR, LF, CRLF, TAB or NONE)", s)
}

// Defaults. A scanner sends a whole code in one burst (≈1 ms a byte at
// 9600 baud), so a 100 ms silence reliably ends an unterminated code; with
// a suffix configured, a partial code silent for a whole second is a broken
// transmission and is dropped rather than glued onto the next scan. 1024
// bytes holds the longest consumer qualification code with room to spare.
const (
	DefaultIdleTimeout       = 100 * time.Millisecond
	DefaultStaleTimeout      = time.Second
	DefaultMaxLen            = 1024
	aimPrefixLen             = 3 // "]" + code character + modifier, e.g. "]E0"
	aimPrefixIntroducer byte = ']'
)

// FramerConfig configures a Framer. The zero value frames on CR/LF.
type FramerConfig struct {
	Suffix Suffix
	// IdleTimeout: with SuffixNone, a pending code is complete after this
	// much silence (default DefaultIdleTimeout); with a suffix, a pending
	// partial code older than this is discarded as garbage (default
	// DefaultStaleTimeout).
	IdleTimeout time.Duration
	// AIM says the scanner prefixes each code with an AIM symbology
	// identifier ("]E0" EAN-13, "]C0" Code 128, "]Q1" QR); the Framer strips
	// it into Frame.Symbology.
	AIM    bool
	MaxLen int // longest code in bytes; longer frames are discarded (default DefaultMaxLen)
}

func (c FramerConfig) withDefaults() FramerConfig {
	if c.Suffix == "" {
		c.Suffix = SuffixCR
	}
	if c.IdleTimeout <= 0 {
		if c.Suffix == SuffixNone {
			c.IdleTimeout = DefaultIdleTimeout
		} else {
			c.IdleTimeout = DefaultStaleTimeout
		}
	}
	if c.MaxLen <= 0 {
		c.MaxLen = DefaultMaxLen
	}
	return c
}

// Frame is one complete code as the scanner sent it.
type Frame struct {
	Data      string // printable ASCII, without suffix or AIM prefix
	Symbology string // AIM identifier such as "]E0", when AIM is on and present
}

// FramerCounters count what a Framer saw since it was made.
type FramerCounters struct {
	Frames       int64 // frames emitted
	GarbageBytes int64 // bytes discarded: control bytes, non-ASCII, stale or over-long frames
	Overflows    int64 // frames longer than MaxLen
	Stale        int64 // partial frames dropped after silence (suffix mode)
}

// Framer reassembles frames from bytes that arrive in arbitrary pieces.
//
// Rules: CR and LF always end a frame (CRLF ends it at the CR; the LF then
// ends an empty frame, which is never emitted); Tab ends a frame when the
// suffix is TAB. Printable ASCII (0x20–0x7E) is data. Every other byte is
// garbage: dropped and counted, never passed on, so line noise can neither
// crash nor jam the stream. A Framer is not safe for concurrent use.
type Framer struct {
	cfg      FramerConfig
	buf      []byte
	last     time.Time // when the last byte of buf arrived
	overflow bool      // discarding until the next terminator
	c        FramerCounters
}

// NewFramer returns a Framer for cfg (zero fields take defaults).
func NewFramer(cfg FramerConfig) *Framer {
	cfg = cfg.withDefaults()
	return &Framer{cfg: cfg, buf: make([]byte, 0, 64)}
}

// Config returns the effective configuration (defaults applied).
func (f *Framer) Config() FramerConfig { return f.cfg }

// Counters returns the counters so far.
func (f *Framer) Counters() FramerCounters { return f.c }

// Pending reports whether a partial frame is buffered.
func (f *Framer) Pending() bool { return len(f.buf) > 0 || f.overflow }

// Deadline is when Tick must be called to end the pending frame by idle
// time; ok is false when nothing is pending.
func (f *Framer) Deadline() (at time.Time, ok bool) {
	if !f.Pending() {
		return time.Time{}, false
	}
	return f.last.Add(f.cfg.IdleTimeout), true
}

// Feed consumes bytes that arrived at now and calls emit for each frame
// they complete, in order.
func (f *Framer) Feed(now time.Time, p []byte, emit func(Frame)) {
	if len(p) == 0 {
		return
	}
	f.Tick(now, emit)
	for _, b := range p {
		switch {
		case b == '\r' || b == '\n' || (b == '\t' && f.cfg.Suffix == SuffixTab):
			f.end(emit)
		case b >= 0x20 && b <= 0x7e:
			if f.overflow {
				f.c.GarbageBytes++
				continue
			}
			if len(f.buf) >= f.cfg.MaxLen {
				f.c.Overflows++
				f.c.GarbageBytes += int64(len(f.buf)) + 1
				f.buf = f.buf[:0]
				f.overflow = true
				continue
			}
			f.buf = append(f.buf, b)
		default:
			f.c.GarbageBytes++
		}
	}
	f.last = now
}

// Tick tells the Framer the time is now. After IdleTimeout of silence a
// pending frame is emitted (SuffixNone) or dropped as stale (any suffix).
func (f *Framer) Tick(now time.Time, emit func(Frame)) {
	at, ok := f.Deadline()
	if !ok || now.Before(at) {
		return
	}
	if f.cfg.Suffix == SuffixNone {
		f.end(emit)
		return
	}
	if len(f.buf) > 0 {
		f.c.Stale++
		f.c.GarbageBytes += int64(len(f.buf))
	}
	f.buf = f.buf[:0]
	f.overflow = false
}

// end completes the pending frame.
func (f *Framer) end(emit func(Frame)) {
	if f.overflow {
		f.overflow = false
		f.buf = f.buf[:0]
		return
	}
	if len(f.buf) == 0 {
		return
	}
	fr := Frame{Data: string(f.buf)}
	f.buf = f.buf[:0]
	if f.cfg.AIM && len(fr.Data) > aimPrefixLen && fr.Data[0] == aimPrefixIntroducer {
		fr.Symbology, fr.Data = fr.Data[:aimPrefixLen], fr.Data[aimPrefixLen:]
	}
	f.c.Frames++
	emit(fr)
}
