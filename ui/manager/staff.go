package manager

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// staffRoles are the roles a manager may give, in the order offered.
var staffRoles = []agent.Role{agent.RoleClerk, agent.RoleRecycler, agent.RoleManager, agent.RoleSupport}

// staffTab lists every staff member, inactive ones included, adds staff,
// resets PINs and deactivates or re-enables the selected member.
type staffTab struct {
	w fyne.Window
	s *agent.Session

	list    *widget.List
	name    *widget.Entry
	role    *widget.Select
	pin     *widget.Entry
	pin2    *widget.Entry
	add     *widget.Button
	reset   *widget.Button
	toggle  *widget.Button
	msg     message
	content fyne.CanvasObject

	staff    []agent.Staff
	selected int

	// resetDlg, resetPIN and resetPIN2 are the open reset dialog (tests
	// type into it); nil when none is open.
	resetDlg            *dialog.FormDialog
	resetPIN, resetPIN2 *widget.Entry
}

func newStaffTab(w fyne.Window, s *agent.Session) *staffTab {
	st := &staffTab{w: w, s: s, selected: -1, msg: newMessage()}
	st.list = widget.NewList(func() int { return len(st.staff) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(st.staff) {
				o.(*widget.Label).SetText(staffRow(st.staff[id]))
			}
		})
	st.list.OnSelected = func(id widget.ListItemID) { st.selected = id; st.showSelected() }
	st.list.OnUnselected = func(widget.ListItemID) { st.selected = -1; st.showSelected() }

	st.name = widget.NewEntry()
	st.name.SetPlaceHolder(i18n.T("staff.name"))
	roles := make([]string, len(staffRoles))
	for i, r := range staffRoles {
		roles[i] = i18n.Role(r)
	}
	st.role = widget.NewSelect(roles, nil)
	st.role.SetSelectedIndex(0)
	st.pin, st.pin2 = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	st.pin.SetPlaceHolder(i18n.T("staff.pin"))
	st.pin2.SetPlaceHolder(i18n.T("staff.pin2"))
	// Enter moves through the form and submits from the last field.
	st.name.OnSubmitted = func(string) { w.Canvas().Focus(st.pin) }
	st.pin.OnSubmitted = func(string) { w.Canvas().Focus(st.pin2) }
	st.pin2.OnSubmitted = func(string) { st.doAdd() }
	st.add = widget.NewButton(i18n.T("staff.add"), st.doAdd)
	st.add.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("staff.name"), st.name),
		widget.NewFormItem(i18n.T("staff.role"), st.role),
		widget.NewFormItem(i18n.T("staff.pin"), st.pin),
		widget.NewFormItem(i18n.T("staff.pin2"), st.pin2),
	)

	st.reset = widget.NewButton(i18n.T("staff.reset"), st.askReset)
	st.toggle = widget.NewButton(i18n.T("staff.disable"), st.doToggle)

	right := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("staff.add"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, st.add, widget.NewSeparator(),
		container.NewHBox(st.reset, st.toggle), st.msg.Label)
	split := container.NewHSplit(st.list, container.NewVScroll(right))
	split.Offset = 0.45
	st.content = split
	st.reload()
	return st
}

// reload lists every staff member, inactive ones included.
func (st *staffTab) reload() {
	ctx, cancel := callCtx()
	defer cancel()
	all, err := st.s.AllStaff(ctx)
	if err != nil {
		st.msg.fail(err)
		return
	}
	st.staff, st.selected = all, -1
	st.list.UnselectAll()
	st.list.Refresh()
	st.showSelected()
}

func (st *staffTab) current() (agent.Staff, bool) {
	if st.selected < 0 || st.selected >= len(st.staff) {
		return agent.Staff{}, false
	}
	return st.staff[st.selected], true
}

func (st *staffTab) showSelected() {
	cur, ok := st.current()
	if !ok {
		st.reset.Disable()
		st.toggle.Disable()
		return
	}
	st.reset.Enable()
	st.toggle.Enable()
	if cur.Active {
		st.toggle.SetText(i18n.T("staff.disable"))
	} else {
		st.toggle.SetText(i18n.T("staff.enable"))
	}
}

// doAdd adds the staff member typed in the form. The PIN is typed twice;
// the agent checks its format again.
func (st *staffTab) doAdd() {
	name := strings.TrimSpace(st.name.Text)
	switch {
	case name == "":
		st.msg.warn(i18n.T("staff.need_name"))
		st.w.Canvas().Focus(st.name)
		return
	case st.pin.Text != st.pin2.Text:
		st.msg.warn(i18n.T("staff.pin_mismatch"))
		st.pin2.SetText("")
		st.w.Canvas().Focus(st.pin2)
		return
	case !validPIN(st.pin.Text):
		st.msg.warn(i18n.T("staff.bad_pin"))
		st.w.Canvas().Focus(st.pin)
		return
	}
	role := staffRoles[max(st.role.SelectedIndex(), 0)]
	ctx, cancel := callCtx()
	defer cancel()
	added, err := st.s.AddStaff(ctx, name, role, st.pin.Text)
	if err != nil {
		st.msg.fail(err)
		return
	}
	st.name.SetText("")
	st.pin.SetText("")
	st.pin2.SetText("")
	st.reload()
	st.msg.ok(i18n.T("staff.added", added.Name, added.ID))
	st.w.Canvas().Focus(st.name)
}

// validPIN mirrors the agent's PIN rule (4–8 digits) so the form can say
// so before asking; the agent remains the judge.
func validPIN(p string) bool {
	if len(p) < 4 || len(p) > 8 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// askReset opens the reset dialog: the new PIN twice.
func (st *staffTab) askReset() {
	cur, ok := st.current()
	if !ok {
		st.msg.warn(i18n.T("staff.select"))
		return
	}
	p1, p2 := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	p2.Validator = func(s string) error {
		if s != p1.Text || !validPIN(s) {
			return errText(i18n.T("staff.pin_mismatch"))
		}
		return nil
	}
	d := dialog.NewForm(i18n.T("staff.reset_title", cur.Name), i18n.T("staff.reset"), i18n.T("app.cancel"),
		[]*widget.FormItem{widget.NewFormItem(i18n.T("staff.pin"), p1), widget.NewFormItem(i18n.T("staff.pin2"), p2)},
		func(ok bool) {
			st.resetDlg, st.resetPIN, st.resetPIN2 = nil, nil, nil
			if ok {
				st.doReset(cur, p1.Text)
			}
		}, st.w)
	p1.OnSubmitted = func(string) { st.w.Canvas().Focus(p2) }
	p1.OnChanged = func(string) { p2.Validate() }
	p2.OnSubmitted = func(string) { d.Submit() }
	st.resetDlg, st.resetPIN, st.resetPIN2 = d, p1, p2
	d.Show()
	st.w.Canvas().Focus(p1)
}

func (st *staffTab) doReset(cur agent.Staff, pin string) {
	ctx, cancel := callCtx()
	defer cancel()
	if err := st.s.ResetPIN(ctx, cur.ID, pin); err != nil {
		st.msg.fail(err)
		return
	}
	st.msg.ok(i18n.T("staff.reset_ok", cur.Name))
}

// doToggle deactivates an active staff member or reactivates one.
func (st *staffTab) doToggle() {
	cur, ok := st.current()
	if !ok {
		st.msg.warn(i18n.T("staff.select"))
		return
	}
	st.setActive(cur, !cur.Active)
}

func (st *staffTab) setActive(cur agent.Staff, active bool) {
	ctx, cancel := callCtx()
	defer cancel()
	if err := st.s.SetStaffActive(ctx, cur.ID, active); err != nil {
		st.msg.fail(err)
		return
	}
	st.reload()
	if active {
		st.msg.ok(i18n.T("staff.enabled", cur.Name))
	} else {
		st.msg.ok(i18n.T("staff.disabled", cur.Name))
	}
}

// staffRow is one line of the staff list: ID, name, role, and whether the
// member is active, disabled, or locked out after wrong PINs (until when:
// a PIN reset lifts the lockout earlier).
func staffRow(s agent.Staff) string {
	state := i18n.T("staff.active")
	switch {
	case !s.Active:
		state = i18n.T("staff.inactive")
	case s.LockedUntil.After(now()):
		state = i18n.T("staff.locked", s.LockedUntil.In(agent.ChinaTime).Format("15:04"))
	}
	return i18n.T("staff.row", s.ID, s.Name, i18n.Role(s.Role), state)
}

// errText is an error whose message is already a sentence for the screen
// (form validators show it under the field).
type errText string

func (e errText) Error() string { return string(e) }
