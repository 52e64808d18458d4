package ui

import (
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/async"
	"tradein/ui/i18n"
)

// defaultStatusEvery is how often the status bar reads Terminal.Status:
// once a second keeps the countdown and the ages live, and Status is a
// handful of indexed SQLite reads (well under a millisecond each).
const defaultStatusEvery = time.Second

// statusBar is the strip at the bottom of every screen (docs/DOMAIN.md): online
// or offline, queue depth, the age of the oldest pending item, the offline
// deadline countdown, the pending offline subsidy, printer and scanner
// state, and the count of receipts that did not print (a button that opens
// the printer-problem dialog).
type statusBar struct {
	t     *agent.Terminal
	run   async.Runner
	clock agent.Clock
	every time.Duration // refresh period

	online   *canvas.Text
	queue    *widget.Label
	oldest   *widget.Label
	deadline *widget.Label
	offline  *widget.Label
	printer  *widget.Label
	scanner  *widget.Label
	library  *widget.Label
	rules    *widget.Label // the sets in force, the coming one, pauses
	disk     *widget.Label // disk full or read-only data directory; empty when fine
	failed   *widget.Button
	content  fyne.CanvasObject

	// onFailed opens the printer-problem dialog; nil before login.
	onFailed func()

	mu      sync.Mutex
	stop    chan struct{} // closed by halt; nil before start
	kicking bool          // a refresh is already on its way
	names   string        // RulesVersion whose category names i18n holds
}

func newStatusBar(t *agent.Terminal, run async.Runner, clock agent.Clock, every time.Duration) *statusBar {
	b := &statusBar{t: t, run: run, clock: clock, every: every}
	b.online = canvas.NewText("", theme.Color(theme.ColorNameSuccess))
	b.online.TextStyle.Bold = true
	b.queue = widget.NewLabel("")
	b.oldest = widget.NewLabel("")
	b.deadline = widget.NewLabel("")
	b.offline = widget.NewLabel("")
	b.printer = widget.NewLabel("")
	b.scanner = widget.NewLabel("")
	b.library = widget.NewLabel("")
	b.rules = widget.NewLabel("")
	b.disk = widget.NewLabel("")
	b.failed = widget.NewButton("", func() {
		if b.onFailed != nil {
			b.onFailed()
		}
	})
	row := container.NewHBox(container.NewPadded(b.online), b.queue, b.oldest, b.deadline, b.offline,
		layout.NewSpacer(), b.rules, b.disk, b.library, b.printer, b.scanner, b.failed)
	b.content = container.NewVBox(widget.NewSeparator(), row)
	return b
}

// start refreshes the bar now and then every b.every until halt.
func (b *statusBar) start() {
	b.mu.Lock()
	if b.stop != nil {
		b.mu.Unlock()
		return
	}
	stop := make(chan struct{})
	b.stop = stop
	b.mu.Unlock()
	b.kick()
	go func() {
		tick := time.NewTicker(b.every)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				b.kick()
			}
		}
	}()
}

// halt stops the periodic refresh (the window closed).
func (b *statusBar) halt() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop != nil {
		close(b.stop)
		b.stop = nil
	}
}

// kick reads the status off the UI goroutine and shows it. Screens call it
// after every step that changes the queue or the printer (a commit, a
// pickup, a retried receipt); kicks that arrive while one is on its way are
// folded into it.
func (b *statusBar) kick() {
	b.mu.Lock()
	if b.kicking {
		b.mu.Unlock()
		return
	}
	b.kicking = true
	b.mu.Unlock()
	b.run.Go(func() {
		ctx, cancel := callCtx()
		st := b.t.Status(ctx)
		b.mu.Lock()
		stale := st.RulesVersion != b.names
		b.mu.Unlock()
		if stale {
			// The cached rules changed: the screens name categories as
			// the new rules do.
			i18n.LoadCategoryNames(ctx, b.t)
		}
		cancel()
		b.mu.Lock()
		b.kicking = false
		b.names = st.RulesVersion
		b.mu.Unlock()
		b.run.Do(func() { b.apply(st, b.clock.Now()) })
	})
}

// apply renders st as of the time at. It runs on the UI goroutine, once a
// second: labels whose text did not change are left alone (a refresh
// reshapes the text).
func (b *statusBar) apply(st agent.Status, at time.Time) {
	online, col := i18n.T("status.online"), theme.Color(theme.ColorNameSuccess)
	if !st.Online {
		online, col = i18n.T("status.offline"), theme.Color(theme.ColorNameError)
	}
	if b.online.Text != online || b.online.Color != col {
		b.online.Text, b.online.Color = online, col
		b.online.Refresh()
	}
	setLabel(b.queue, i18n.T("status.queue", st.QueueDepth), widget.MediumImportance)
	oldest := ""
	if !st.OldestPending.IsZero() {
		oldest = i18n.T("status.oldest", formatAge(at.Sub(st.OldestPending)))
	}
	setLabel(b.oldest, oldest, widget.MediumImportance)
	switch left := st.OfflineDeadline.Sub(at); {
	case st.OfflineDeadline.IsZero():
		setLabel(b.deadline, "", widget.MediumImportance)
	case left <= 0:
		setLabel(b.deadline, i18n.T("status.overdue"), widget.DangerImportance)
	case left < 12*time.Hour:
		setLabel(b.deadline, i18n.T("status.deadline", i18n.T("status.left", formatAge(left))), widget.WarningImportance)
	default:
		setLabel(b.deadline, i18n.T("status.deadline", i18n.T("status.left", formatAge(left))), widget.MediumImportance)
	}
	offline := ""
	if st.OfflineSales > 0 || st.PendingOfflineSubsidy > 0 {
		offline = i18n.T("status.offline_sales", st.OfflineSales) + " · " +
			i18n.T("status.offline_subsidy", st.PendingOfflineSubsidy.String())
	}
	setLabel(b.offline, offline, widget.WarningImportance)
	if st.RulesVersion == "" {
		setLabel(b.library, i18n.T("status.rules_missing"), widget.DangerImportance)
	} else {
		setLabel(b.library, i18n.T("status.library", st.LibraryVersion), widget.LowImportance)
	}
	text, imp := rulesText(st.Rules)
	setLabel(b.rules, text, imp)
	setLabel(b.disk, diskText(st.Disk), widget.DangerImportance)
	setLabel(b.printer, i18n.T("status.printer", deviceText(st.Devices, "printer")), deviceImportance(st.Devices, "printer"))
	setLabel(b.scanner, i18n.T("status.scanner", deviceText(st.Devices, "scanner")), deviceImportance(st.Devices, "scanner"))
	failed, imp := i18n.T("status.failed", st.FailedPrintJobs), widget.LowImportance
	if st.FailedPrintJobs > 0 {
		imp = widget.DangerImportance
	}
	if b.failed.Text != failed || b.failed.Importance != imp {
		b.failed.Importance = imp
		b.failed.SetText(failed)
	}
}

// rulesText says which rule sets are in force, which come within a week
// (and when), and what the platform paused; pauses turn it red.
func rulesText(o agent.RulesOutlook) (string, widget.Importance) {
	if len(o.InForce) == 0 {
		return "", widget.LowImportance
	}
	parts := []string{i18n.T("status.rules", strings.Join(o.InForce, "+"))}
	imp := widget.LowImportance
	if !o.NextAt.IsZero() {
		day := o.NextAt.In(agent.ChinaTime).Format("2006-01-02")
		if len(o.Next) == 0 {
			parts = append(parts, i18n.T("status.rules_end", day))
		} else {
			parts = append(parts, i18n.T("status.rules_next", day, strings.Join(o.Next, "+")))
		}
		imp = widget.WarningImportance
	}
	for _, p := range o.Paused {
		if p.Category == "" {
			parts = append(parts, i18n.T("status.paused_set", p.RuleSetID, p.Message))
		} else {
			parts = append(parts, i18n.T("status.paused", i18n.Category(p.Category), p.Message))
		}
		imp = widget.DangerImportance
	}
	return strings.Join(parts, " · "), imp
}

// diskText is the status bar's short text for disk trouble, "" for none.
func diskText(err error) string {
	var full *agent.DiskFullError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &full):
		return i18n.T("status.disk_full", full.NeedMB)
	case agent.CodeOf(err) == agent.CodeReadOnly:
		return i18n.T("status.read_only")
	}
	return i18n.Error(err)
}

// setLabel sets l's text and importance when either changed.
func setLabel(l *widget.Label, text string, imp widget.Importance) {
	if l.Text == text && l.Importance == imp {
		return
	}
	l.Importance = imp
	l.SetText(text)
}

// deviceText is the translated state of the named device, or "not
// connected" when it never reported.
func deviceText(ds []agent.DeviceStatus, name string) string {
	for _, d := range ds {
		if d.Name == name {
			return i18n.Device(d)
		}
	}
	return i18n.T("status.unknown")
}

// deviceImportance colours a device in error (or a printer running out of
// paper) so that it is seen from across the counter.
func deviceImportance(ds []agent.DeviceStatus, name string) widget.Importance {
	for _, d := range ds {
		if d.Name != name {
			continue
		}
		switch {
		case d.State == agent.DeviceError || d.State == agent.DeviceClosed:
			return widget.DangerImportance
		case d.Code != "":
			return widget.WarningImportance
		}
		return widget.MediumImportance
	}
	return widget.WarningImportance
}

// formatAge renders a duration as seconds, minutes, hours or days.
func formatAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return i18n.T("dur.seconds", int(d/time.Second))
	case d < time.Hour:
		return i18n.T("dur.minutes", int(d/time.Minute))
	case d < 24*time.Hour:
		return i18n.T("dur.hours", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return i18n.T("dur.days", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
