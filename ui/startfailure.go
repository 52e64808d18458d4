package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/ui/i18n"
	"tradein/ui/theme"
)

// StartFailure is why the app could not start and what fixes it (the
// wiring's StartError): a shop user who starts the app from the menu sees
// no standard error, so the app shows this in a window instead of a
// window that never opens.
type StartFailure struct {
	Problem string // what is wrong, naming the file (English, for support)
	Fix     string // what to do; "" when unknown
}

// ShowStartFailure shows f in a window of its own on a, with a Close
// button that quits the app, and returns the window. The caller runs
// a.Run(). The details are in read-only text fields so that field support
// can select and copy them.
func ShowStartFailure(a fyne.App, f StartFailure, o Options) fyne.Window {
	i18n.SetLang(i18n.Lang(o.Lang))
	a.Settings().SetTheme(theme.New())
	w := a.NewWindow(i18n.T("start.title"))
	head := widget.NewLabelWithStyle(i18n.T("start.failed"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	fix := f.Fix
	if fix == "" {
		fix = i18n.T("start.nofix")
	}
	detail := func(text string) *widget.Entry {
		e := widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(4)
		e.SetText(text)
		e.OnChanged = func(string) { e.SetText(text) } // read-only, still selectable
		return e
	}
	support := widget.NewLabel(i18n.T("start.support"))
	support.Wrapping = fyne.TextWrapWord
	closeBtn := widget.NewButton(i18n.T("app.close"), a.Quit)
	closeBtn.Importance = widget.HighImportance
	w.SetContent(container.NewVBox(
		head,
		widget.NewLabelWithStyle(i18n.T("start.problem"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail(f.Problem),
		widget.NewLabelWithStyle(i18n.T("start.fix"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail(fix),
		support,
		container.NewHBox(closeBtn),
	))
	w.SetOnClosed(a.Quit)
	w.Resize(fyne.NewSize(760, 480))
	w.Show()
	return w
}
