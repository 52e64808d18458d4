package sale

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// keyEntry is a one-line entry that also answers Esc. Fyne hands every key
// to the focused widget, and widget.Entry ignores Esc, so the wizard's
// "Esc cancels the sale" must be caught here. Enter is the entry's own
// OnSubmitted.
type keyEntry struct {
	widget.Entry
	onEsc func()
}

func newKeyEntry(placeholder string, onEsc func()) *keyEntry {
	e := &keyEntry{onEsc: onEsc}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	return e
}

// TypedKey runs onEsc for Esc and passes every other key to the entry.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEsc != nil {
		e.onEsc()
		return
	}
	e.Entry.TypedKey(k)
}
