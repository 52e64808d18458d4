package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
	"tradein/ui/manager"
	"tradein/ui/recycler"
	"tradein/ui/sale"
	"tradein/ui/support"
)

// scanScreen is a screen that takes scanner events while it is shown: the
// sale wizard and the recycler's pickup screen.
type scanScreen interface {
	Content() fyne.CanvasObject
	// HandleScan takes one scan; it runs on the UI goroutine.
	HandleScan(ev agent.ScanEvent)
	// Focus puts the keyboard focus on the field the next key belongs to.
	Focus()
	// Retranslate shows the screen's texts in the current language.
	Retranslate()
	// Close ends the screen's work (an unfinished sale is cancelled).
	Close()
}

// mainWindow is the one window of the app. Before login it shows the
// login screen; after login, the screens the session's role may use, one
// tab each. The status bar stays at the bottom throughout.
type mainWindow struct {
	a   fyne.App
	w   fyne.Window
	t   *agent.Terminal
	sup agent.Support
	opt Options // with defaults set

	status *statusBar
	pump   *scanPump
	login  *loginScreen

	// Set while someone is logged in.
	sess   *agent.Session
	tabs   *container.AppTabs
	sale   *sale.Screen
	pickup *recycler.Screen

	// afterStep, when set, is called on the UI goroutine after each step
	// of the sale or pickup screen showed its outcome (tests wait on it).
	afterStep func()
}

func newMainWindow(a fyne.App, t *agent.Terminal, sup agent.Support, o Options) *mainWindow {
	m := &mainWindow{a: a, t: t, sup: sup, opt: o}
	m.w = a.NewWindow(i18n.T("app.title"))
	m.status = newStatusBar(t, o.Runner, o.Clock, o.StatusEvery)
	m.pump = newScanPump(t, o.Runner)
	m.w.SetOnClosed(func() {
		m.pump.stop()
		m.status.halt()
		if m.sess != nil {
			m.closeScreens()
			m.sess.Logout()
		}
	})
	m.showLogin()
	return m
}

// frame lays a screen out between the header and the status bar.
func (m *mainWindow) frame(body fyne.CanvasObject) {
	m.w.SetContent(container.NewBorder(m.header(), m.status.content, nil, nil, body))
}

// header shows the store, the person logged in, the language switch and
// logout.
func (m *mainWindow) header() fyne.CanvasObject {
	info := m.t.Info()
	store := widget.NewLabelWithStyle(i18n.T("app.store", info.StoreName, info.TerminalNo), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lang := widget.NewButton(i18n.T("app.lang"), m.switchLang)
	items := []fyne.CanvasObject{store}
	if m.sess != nil {
		st := m.sess.Staff()
		items = append(items, widget.NewLabel(i18n.T("app.user", st.Name, i18n.Role(st.Role))))
		if m.sess.Can(agent.ActSupport) && m.opt.DataDir != "" {
			// Field support asks "where is the data?" first.
			items = append(items, widget.NewLabel(i18n.T("app.datadir", m.opt.DataDir)))
		}
	}
	right := []fyne.CanvasObject{lang}
	if m.sess != nil {
		right = append(right, widget.NewButton(i18n.T("app.logout"), m.logout))
	}
	return container.NewBorder(nil, widget.NewSeparator(), container.NewHBox(items...), container.NewHBox(right...))
}

// stepped runs after every step of a scan screen: the step may have
// changed the queue or the printer, so the status bar is read again.
func (m *mainWindow) stepped() {
	m.status.kick()
	if m.afterStep != nil {
		m.afterStep()
	}
}

// showLogin shows the login screen (at start and after logout).
func (m *mainWindow) showLogin() {
	m.w.SetTitle(i18n.T("app.title"))
	m.status.onFailed = nil
	m.login = newLoginScreen(m.w, m.t, m.opt.Runner, m.loggedIn)
	m.frame(m.login.content)
	m.focusLogin()
}

func (m *mainWindow) focusLogin() {
	if m.login != nil && m.sess == nil {
		m.w.Canvas().Focus(m.login.staff)
	}
}

// loggedIn builds the screens of the session's role.
func (m *mainWindow) loggedIn(s *agent.Session) {
	m.sess = s
	m.login = nil
	m.status.onFailed = m.showPrintProblems
	m.buildTabs(0)
	m.status.kick()
}

// buildTabs creates one tab per screen the role may use and selects the
// tab at index sel. Gating follows agent.RoleCan: the sale wizard needs
// ActSell, pickups ActPickup, the manager's screens a manager-only action
// (a clerk may reprint, but reprints are the manager's screen's job and
// the clerk's printer problems are in the status bar), support ActSupport.
func (m *mainWindow) buildTabs(sel int) {
	s := m.sess
	m.tabs = container.NewAppTabs()
	if s.Can(agent.ActSell) {
		if m.sale == nil {
			m.sale = sale.New(m.w, s, m.t, m.opt.Runner, m.stepped)
		} else {
			m.sale.Retranslate()
		}
		m.tabs.Append(container.NewTabItem(i18n.T("nav.sale"), m.sale.Content()))
	}
	if s.Can(agent.ActPickup) {
		if m.pickup == nil {
			m.pickup = recycler.New(m.w, s, m.opt.Runner, m.stepped)
		} else {
			m.pickup.Retranslate()
		}
		m.tabs.Append(container.NewTabItem(i18n.T("nav.pickup"), m.pickup.Content()))
	}
	if s.Can(agent.ActRefund) || s.Can(agent.ActReview) || s.Can(agent.ActReport) || s.Can(agent.ActManageStaff) {
		m.tabs.Append(container.NewTabItem(i18n.T("nav.manager"), manager.New(m.w, s, m.t)))
	}
	if s.Can(agent.ActSupport) {
		m.tabs.Append(container.NewTabItem(i18n.T("nav.support"), support.New(m.w, s, m.sup, m.t)))
	}
	if len(m.tabs.Items) == 0 {
		m.tabs.Append(container.NewTabItem(i18n.T("app.title"), widget.NewLabel(i18n.T("app.denied"))))
	}
	m.tabs.OnSelected = func(*container.TabItem) { m.selected() }
	m.frame(m.tabs)
	if sel >= len(m.tabs.Items) {
		sel = 0
	}
	m.tabs.SelectIndex(sel)
	m.selected()
}

// selected routes the scanner to the screen on top: the sale wizard or
// the pickup screen take scans while shown; other screens (the support
// screen's test scan reads the stream itself) get none.
func (m *mainWindow) selected() {
	var target scanScreen
	if cur := m.tabs.Selected(); cur != nil {
		switch {
		case m.sale != nil && cur.Content == m.sale.Content():
			target = m.sale
		case m.pickup != nil && cur.Content == m.pickup.Content():
			target = m.pickup
		}
	}
	if target == nil {
		m.pump.stop()
		return
	}
	m.pump.start(target.HandleScan)
	target.Focus()
}

// closeScreens ends the screens' work (cancels an unfinished sale).
func (m *mainWindow) closeScreens() {
	if m.sale != nil {
		m.sale.Close()
	}
	if m.pickup != nil {
		m.pickup.Close()
	}
	m.sale, m.pickup, m.tabs = nil, nil, nil
}

// logout ends the session and returns to the login screen. An unfinished
// sale is cancelled first, releasing a frozen voucher.
func (m *mainWindow) logout() {
	m.pump.stop()
	m.closeScreens()
	if m.sess != nil {
		m.sess.Logout()
		m.sess = nil
	}
	m.showLogin()
	m.status.kick()
}

// switchLang flips between Chinese and English and rebuilds the visible
// screen in the new language. A sale in progress keeps its state.
func (m *mainWindow) switchLang() {
	if i18n.Current() == i18n.ZH {
		i18n.SetLang(i18n.EN)
	} else {
		i18n.SetLang(i18n.ZH)
	}
	m.w.SetTitle(i18n.T("app.title"))
	if m.sess == nil {
		m.showLogin()
	} else {
		sel := 0
		if m.tabs != nil {
			sel = m.tabs.SelectedIndex()
		}
		m.buildTabs(sel)
	}
	m.status.kick()
}

// showPrintProblems opens the printer-problem dialog: the receipts that
// did not print, with retry and skip (manager.PrintProblems; any logged-in
// role may handle them), and where to choose another printer.
func (m *mainWindow) showPrintProblems() {
	if m.sess == nil {
		return
	}
	hint := widget.NewLabel(i18n.T("print.choose_hint"))
	hint.Wrapping = fyne.TextWrapWord
	body := container.NewBorder(hint, nil, nil, nil, manager.PrintProblems(m.w, m.sess))
	d := dialog.NewCustom(i18n.T("print.title"), i18n.T("app.close"), body, m.w)
	d.SetOnClosed(m.status.kick)
	d.Resize(fyne.NewSize(720, 480))
	d.Show()
}
