package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/async"
	"tradein/ui/i18n"
)

// loginScreen picks the staff member and takes the PIN. It works from the
// keyboard alone: type the staff ID (or pick a name), Tab, type the PIN,
// Enter. Refusals (wrong PIN, lockout) show the sentence of their code.
type loginScreen struct {
	staff   *widget.SelectEntry
	pin     *widget.Entry
	submit  *widget.Button
	msg     *widget.Label
	content fyne.CanvasObject

	w       fyne.Window
	run     async.Runner
	list    []agent.Staff
	onLogin func(*agent.Session)
	t       *agent.Terminal
	busy    bool
}

func newLoginScreen(w fyne.Window, t *agent.Terminal, run async.Runner, onLogin func(*agent.Session)) *loginScreen {
	l := &loginScreen{w: w, t: t, run: run, onLogin: onLogin}
	l.staff = widget.NewSelectEntry(nil)
	l.staff.SetPlaceHolder(i18n.T("login.pick"))
	l.pin = widget.NewPasswordEntry()
	l.pin.SetPlaceHolder(i18n.T("login.pin"))
	l.msg = widget.NewLabel(i18n.T("login.hint"))
	l.msg.Wrapping = fyne.TextWrapWord
	l.submit = widget.NewButton(i18n.T("login.submit"), l.login)
	l.submit.Importance = widget.HighImportance
	l.staff.OnSubmitted = func(string) { w.Canvas().Focus(l.pin) }
	l.pin.OnSubmitted = func(string) { l.login() }

	title := widget.NewLabelWithStyle(i18n.T("login.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("login.staff"), l.staff),
		widget.NewFormItem(i18n.T("login.pin"), l.pin),
	)
	box := container.NewVBox(title, form, l.submit, l.msg)
	l.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(460, box.MinSize().Height+40), box))
	l.reload()
	return l
}

// reload reads the staff list for the picker.
func (l *loginScreen) reload() {
	ctx, cancel := callCtx()
	defer cancel()
	list, err := l.t.StaffList(ctx)
	if err != nil {
		l.fail(err)
		return
	}
	l.list = list
	opts := make([]string, 0, len(list))
	for _, st := range list {
		opts = append(opts, i18n.T("login.row", st.ID, st.Name, i18n.Role(st.Role)))
	}
	l.staff.SetOptions(opts)
	if len(list) == 0 {
		l.msg.SetText(i18n.T("login.nostaff"))
		l.msg.Importance = widget.WarningImportance
		l.msg.Refresh()
	}
}

// staffID turns what the picker holds into a staff ID: a picked row starts
// with the ID; a typed ID or a typed name is looked up in the list.
func (l *loginScreen) staffID() string {
	text := strings.TrimSpace(l.staff.Text)
	if text == "" {
		return ""
	}
	first := strings.Fields(text)[0]
	for _, st := range l.list {
		if st.ID == first || st.Name == text {
			return st.ID
		}
	}
	return first
}

// login checks the PIN off the UI goroutine (argon2id takes a moment) and
// hands the session to onLogin on the UI goroutine.
func (l *loginScreen) login() {
	if l.busy {
		return
	}
	id, pin := l.staffID(), l.pin.Text
	switch {
	case id == "":
		l.warn(i18n.T("login.who_need"))
		return
	case pin == "":
		l.warn(i18n.T("login.pin_need"))
		return
	}
	l.busy = true
	l.submit.Disable()
	l.run.Go(func() {
		ctx, cancel := callCtx()
		defer cancel()
		s, err := l.t.Login(ctx, id, pin)
		l.run.Do(func() {
			l.busy = false
			l.submit.Enable()
			l.pin.SetText("")
			if err != nil {
				l.fail(err)
				l.w.Canvas().Focus(l.pin)
				return
			}
			l.onLogin(s)
		})
	})
}

func (l *loginScreen) warn(text string) {
	l.msg.SetText(text)
	l.msg.Importance = widget.WarningImportance
	l.msg.Refresh()
}

func (l *loginScreen) fail(err error) {
	l.msg.SetText(i18n.Error(err))
	l.msg.Importance = widget.DangerImportance
	l.msg.Refresh()
}
