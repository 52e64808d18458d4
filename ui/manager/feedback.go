package manager

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"tradein/ui/i18n"
)

// message is a tab's feedback line: what just happened, or why it was
// refused and what to do next. It wraps, because error sentences are long.
type message struct{ *widget.Label }

func newMessage() message {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return message{l}
}

// ok shows a result.
func (m message) ok(text string) {
	m.Importance = widget.SuccessImportance
	m.SetText(text)
}

// info shows a neutral line.
func (m message) info(text string) {
	m.Importance = widget.MediumImportance
	m.SetText(text)
}

// fail shows the plain-words sentence for err (see i18n.Error): why, and
// the next step. The technical detail stays in the log.
func (m message) fail(err error) {
	m.Importance = widget.DangerImportance
	m.SetText(i18n.Error(err))
}

// warn shows a refusal the screen itself found (a missing field).
func (m message) warn(text string) {
	m.Importance = widget.WarningImportance
	m.SetText(text)
}
