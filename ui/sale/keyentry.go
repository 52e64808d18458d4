package sale

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
)

// keyEntry is a one-line entry that also answers Esc and recognises a
// keyboard-wedge scanner. Fyne hands every key to the focused widget, and
// widget.Entry ignores Esc, so the wizard's "Esc cancels the sale" must be
// caught here. Enter is the entry's own OnSubmitted, unless the keys before
// it came as fast as a scanner types (agent.Wedge: at least 8 keys ≤ 50 ms
// apart): then the scanned code is taken back out of the entry and handed
// to onScan, so a scan typed into any field of the sale screen goes where a
// serial scanner's scan of the same code would.
type keyEntry struct {
	widget.Entry
	onEsc  func()
	onScan func(e *keyEntry, code string) // nil: no wedge detection
	now    func() time.Time
	wedge  agent.Wedge
}

func newKeyEntry(placeholder string, onEsc func()) *keyEntry {
	e := &keyEntry{onEsc: onEsc}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	return e
}

// TypedRune feeds the wedge detector, then the entry.
func (e *keyEntry) TypedRune(r rune) {
	if e.onScan != nil {
		e.wedge.Rune(r, e.now())
	}
	e.Entry.TypedRune(r)
}

// TypedKey runs onEsc for Esc, hands a scan ended by Enter to onScan, and
// passes every other key to the entry.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		if e.onEsc != nil {
			e.onEsc()
			return
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if e.onScan != nil {
			if code, ok := e.wedge.Enter(e.now()); ok {
				// The scanner typed code at the cursor, which a scan
				// finds at the end of what was there.
				e.SetText(strings.TrimSuffix(e.Text, code))
				e.onScan(e, code)
				return
			}
		}
	default:
		e.wedge.Reset() // arrows, Backspace …: the run is not a scan
	}
	e.Entry.TypedKey(k)
}

// FocusLost forgets a half-typed run: a scan goes into one entry.
func (e *keyEntry) FocusLost() {
	e.wedge.Reset()
	e.Entry.FocusLost()
}
