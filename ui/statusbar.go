package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// statusEvery is how often the status bar reads Terminal.Status: once a
// second keeps the countdown and the ages live, and Status is a handful of
// indexed SQLite reads (well under a millisecond each).
var statusEvery = time.Second

// statusBar is the strip at the bottom of every screen (DESIGN §6): online
// or offline, queue depth, the age of the oldest pending item, the offline
// deadline countdown, the pending offline subsidy, printer and scanner
// state, and the count of receipts that did not print (a button that opens
// the printer-problem dialog).
type statusBar struct {
	t *agent.Terminal

	online   *canvas.Text
	queue    *widget.Label
	oldest   *widget.Label
	deadline *widget.Label
	offline  *widget.Label
	printer  *widget.Label
	scanner  *widget.Label
	failed   *widget.Button
	content  fyne.CanvasObject

	// onFailed opens the printer-problem dialog; nil before login.
	onFailed func()

	mu      sync.Mutex
	stop    chan struct{} // closed by halt; nil before start
	kicking bool          // a refresh is already on its way
}

func newStatusBar(t *agent.Terminal) *statusBar {
	b := &statusBar{t: t}
	b.online = canvas.NewText("", theme.Color(theme.ColorNameSuccess))
	b.online.TextStyle.Bold = true
	b.queue = widget.NewLabel("")
	b.oldest = widget.NewLabel("")
	b.deadline = widget.NewLabel("")
	b.offline = widget.NewLabel("")
	b.printer = widget.NewLabel("")
	b.scanner = widget.NewLabel("")
	b.failed = widget.NewButton("", func() {
		if b.onFailed != nil {
			b.onFailed()
		}
	})
	row := container.NewHBox(container.NewPadded(b.online), b.queue, b.oldest, b.deadline, b.offline,
		layout.NewSpacer(), b.printer, b.scanner, b.failed)
	b.content = container.NewVBox(widget.NewSeparator(), row)
	return b
}

// start refreshes the bar now and then every statusEvery until halt.
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
		tick := time.NewTicker(statusEvery)
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
	background(func() {
		ctx, cancel := callCtx()
		st := b.t.Status(ctx)
		cancel()
		b.mu.Lock()
		b.kicking = false
		b.mu.Unlock()
		fyne.Do(func() { b.apply(st, now()) })
	})
}

// apply renders st as of the time at. It runs on the UI goroutine.
func (b *statusBar) apply(st agent.Status, at time.Time) {
	if st.Online {
		b.online.Text = i18n.T("status.online")
		b.online.Color = theme.Color(theme.ColorNameSuccess)
	} else {
		b.online.Text = i18n.T("status.offline")
		b.online.Color = theme.Color(theme.ColorNameError)
	}
	b.online.Refresh()
	b.queue.SetText(i18n.T("status.queue", st.QueueDepth))
	if st.OldestPending.IsZero() {
		b.oldest.SetText("")
	} else {
		b.oldest.SetText(i18n.T("status.oldest", formatAge(at.Sub(st.OldestPending))))
	}
	switch left := st.OfflineDeadline.Sub(at); {
	case st.OfflineDeadline.IsZero():
		b.deadline.SetText("")
	case left <= 0:
		b.deadline.Importance = widget.DangerImportance
		b.deadline.SetText(i18n.T("status.overdue"))
	default:
		b.deadline.Importance = widget.MediumImportance
		if left < 12*time.Hour {
			b.deadline.Importance = widget.WarningImportance
		}
		b.deadline.SetText(i18n.T("status.deadline", i18n.T("status.left", formatAge(left))))
	}
	if st.OfflineSales > 0 || st.PendingOfflineSubsidy > 0 {
		b.offline.SetText(i18n.T("status.offline_sales", st.OfflineSales) + " · " +
			i18n.T("status.offline_subsidy", st.PendingOfflineSubsidy.String()))
	} else {
		b.offline.SetText("")
	}
	b.printer.SetText(i18n.T("status.printer", deviceText(st.Devices, "printer")))
	b.printer.Importance = deviceImportance(st.Devices, "printer")
	b.printer.Refresh()
	b.scanner.SetText(i18n.T("status.scanner", deviceText(st.Devices, "scanner")))
	b.scanner.Importance = deviceImportance(st.Devices, "scanner")
	b.scanner.Refresh()
	b.failed.SetText(i18n.T("status.failed", st.FailedPrintJobs))
	if st.FailedPrintJobs > 0 {
		b.failed.Importance = widget.DangerImportance
	} else {
		b.failed.Importance = widget.LowImportance
	}
	b.failed.Refresh()
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
