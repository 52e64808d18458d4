// Package support is the field-support screen: device settings with a
// port picker, test print and test scan, the platform connectivity check,
// enrollment, library refresh, database backup and the log tail. It calls
// agent.Support (implemented by the app wiring) and the agent.Terminal's
// scan stream, and nothing else (docs/ARCHITECTURE.md).
//
// Long work (platform calls, library refresh, backup, waiting for a scan)
// runs in a goroutine and touches widgets only through fyne.Do; reading
// the settings and the port list is quick and happens when a tab is built
// or refreshed.
package support

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// background runs long work off the UI goroutine; tests replace it with a
// synchronous call.
var background = func(f func()) { go f() }

// callTimeout bounds a quick Support call (settings, ports, logs).
const callTimeout = 15 * time.Second

// longTimeout bounds a library refresh or a backup: a full library of a
// few hundred thousand products, or a database of several hundred MB, on a
// slow shop line or disk.
const longTimeout = 30 * time.Minute

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

// New returns the field-support screen for a session with ActSupport; any
// other role gets a plain refusal. t provides the scan stream for the test
// scan and the library version after a refresh.
func New(w fyne.Window, s *agent.Session, sup agent.Support, t *agent.Terminal) fyne.CanvasObject {
	return newScreen(w, s, sup, t).content
}

// screen holds the support tabs; tests reach them through it.
type screen struct {
	w       fyne.Window
	sup     agent.Support
	t       *agent.Terminal
	content fyne.CanvasObject
	tabs    *container.AppTabs

	devices *devicesTab
	diag    *diagTab
	maint   *maintTab
	logs    *logsTab
}

func newScreen(w fyne.Window, s *agent.Session, sup agent.Support, t *agent.Terminal) *screen {
	sc := &screen{w: w, sup: sup, t: t}
	if !s.Can(agent.ActSupport) || sup == nil {
		sc.content = widget.NewLabel(i18n.T("app.denied"))
		return sc
	}
	sc.devices = newDevicesTab(w, sup)
	sc.diag = newDiagTab(w, sup, t)
	sc.maint = newMaintTab(w, sup, t)
	sc.logs = newLogsTab(sup)
	sc.tabs = container.NewAppTabs(
		container.NewTabItem(i18n.T("sup.devices"), sc.devices.content),
		container.NewTabItem(i18n.T("sup.diag"), sc.diag.content),
		container.NewTabItem(i18n.T("sup.maint"), sc.maint.content),
		container.NewTabItem(i18n.T("sup.logs"), sc.logs.content),
	)
	sc.tabs.OnSelected = func(ti *container.TabItem) {
		// The test scan reads the terminal's one scan stream; it stops
		// as soon as its tab is left, so no scan is taken from another
		// screen.
		if ti.Content != sc.diag.content {
			sc.diag.stopScan()
		}
		if ti.Content == sc.logs.content {
			sc.logs.reload()
		}
	}
	sc.content = sc.tabs
	return sc
}

// message is a feedback line: a result, or why something failed and what
// to do next.
type message struct{ *widget.Label }

func newMessage() message {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return message{l}
}

func (m message) set(imp widget.Importance, text string) {
	m.Importance = imp
	m.SetText(text)
}

func (m message) ok(text string)   { m.set(widget.SuccessImportance, text) }
func (m message) info(text string) { m.set(widget.MediumImportance, text) }
func (m message) warn(text string) { m.set(widget.WarningImportance, text) }

// fail shows the sentence of err's code (i18n.Error): plain words and the
// next step; the technical detail stays in the log.
func (m message) fail(err error) { m.set(widget.DangerImportance, i18n.Error(err)) }
