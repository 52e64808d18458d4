package agent

import (
	"time"
	"unicode"
)

// Keyboard-wedge scanners type the code as key presses into whatever field
// has the focus. A scanner "types" a key every few milliseconds; no person
// types 50 ms apart for a whole code, so keys at most WedgeMaxGap apart
// that end in Enter are a scan, and anything slower is a person typing.
// The detector lives here, not with the serial scanner driver in devices/,
// because the UI feeds it the window's keys and reaches devices only
// through the agent.
const (
	WedgeMaxGap = 50 * time.Millisecond
	// WedgeMinLen is the shortest scan: EAN-8 is the shortest code the
	// terminal accepts, so fewer fast keys are a fast typist, not a scanner.
	WedgeMinLen = 8
	// wedgeMaxLen bounds a run: longer than any code a scanner sends (the
	// serial framer's limit), so a key held down cannot grow it forever.
	wedgeMaxLen = 1024
)

// Wedge tells wedge-scanner input from typing. Feed it every printable key
// with Rune and Enter with Enter, with the time each key arrived (from the
// UI event, or a fake clock in tests). Not safe for concurrent use.
type Wedge struct {
	MaxGap time.Duration // default WedgeMaxGap
	MinLen int           // default WedgeMinLen
	buf    []rune
	last   time.Time
}

func (w *Wedge) maxGap() time.Duration {
	if w.MaxGap > 0 {
		return w.MaxGap
	}
	return WedgeMaxGap
}

func (w *Wedge) minLen() int {
	if w.MinLen > 0 {
		return w.MinLen
	}
	return WedgeMinLen
}

// Rune records a printable key. A gap longer than MaxGap since the previous
// key starts a new run, so slow typing never accumulates into a scan.
// Non-printable runes reset the run.
func (w *Wedge) Rune(r rune, at time.Time) {
	if !unicode.IsPrint(r) {
		w.Reset()
		return
	}
	if len(w.buf) > 0 && at.Sub(w.last) > w.maxGap() {
		w.buf = w.buf[:0]
	}
	if len(w.buf) >= wedgeMaxLen {
		w.buf = w.buf[:0]
	}
	w.buf = append(w.buf, r)
	w.last = at
}

// Enter records the Enter key and reports whether it completed a scan: at
// least MinLen keys each at most MaxGap apart, Enter included. The run is
// cleared either way.
func (w *Wedge) Enter(at time.Time) (code string, scanned bool) {
	defer w.Reset()
	if len(w.buf) < w.minLen() || at.Sub(w.last) > w.maxGap() {
		return "", false
	}
	return string(w.buf), true
}

// Reset forgets the current run (e.g. when focus moves).
func (w *Wedge) Reset() { w.buf = w.buf[:0] }
