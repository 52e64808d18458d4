// Package ui is the terminal's main window: the login screen, the
// role-gated navigation between the sale wizard (ui/sale), the recycler's
// pickup screen (ui/recycler), the manager's screens (ui/manager) and the
// field-support screens (ui/support), the language switch, and the status
// bar that is always visible at the bottom.
//
// The package is a client of the agent only (docs/ARCHITECTURE.md): it calls
// *agent.Terminal, *agent.Session and agent.Support and renders what they
// answer; it never opens the store, a port or the network. It does not
// import fyne.io/fyne/v2/app either, so that the tests run on Fyne's test
// driver without cgo or a display: cmd/tradein-terminal creates the app.
//
// Threading (package ui/async): widgets are touched on the UI goroutine
// only. Agent calls that can wait (a PIN check, the status gathering, a
// sale step) run through Options.Runner's Go and hand their result back
// through its Do.
package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"tradein/agent"
	"tradein/ui/async"
	"tradein/ui/i18n"
	"tradein/ui/theme"
)

// Options are the app's settings the screens need. The zero value of each
// field is the app's default; tests set the clock, the runner and the
// timings.
type Options struct {
	Lang    string // "zh" (default) or "en"
	DataDir string // the terminal's data directory, shown to field support

	// Clock is the time of the status bar's ages and countdowns (default
	// the system clock).
	Clock agent.Clock
	// Runner runs agent calls off the UI goroutine and brings their results
	// back (default async.Fyne).
	Runner async.Runner
	// StatusEvery is how often the status bar reads Terminal.Status
	// (default defaultStatusEvery).
	StatusEvery time.Duration
}

// withDefaults returns o with its zero fields set to the app's defaults.
func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = agent.SystemClock{}
	}
	o.Runner = async.Or(o.Runner)
	if o.StatusEvery <= 0 {
		o.StatusEvery = defaultStatusEvery
	}
	return o
}

// Start creates the main window on a (login screen first), shows it and
// returns it. It sets the terminal's theme (CJK font) and the display
// language. The caller runs a.Run().
func Start(a fyne.App, t *agent.Terminal, s agent.Support, o Options) fyne.Window {
	return start(a, t, s, o).w
}

// start is Start returning the main window's parts (tests reach them).
func start(a fyne.App, t *agent.Terminal, s agent.Support, o Options) *mainWindow {
	i18n.SetLang(i18n.Lang(o.Lang))
	a.Settings().SetTheme(theme.New())
	m := newMainWindow(a, t, s, o.withDefaults())
	m.w.Resize(fyne.NewSize(1100, 760))
	m.w.Show()
	m.status.start()
	m.focusLogin()
	return m
}
