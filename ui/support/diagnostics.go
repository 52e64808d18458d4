package support

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// scanWait is how long a test scan waits for the engineer to scan.
const scanWait = time.Minute

// visibilityPoll is how often a waiting test scan checks that its tab is
// still on screen. A quarter second is shorter than the time it takes to
// walk from the support screen to the sale screen and scan there.
var visibilityPoll = 250 * time.Millisecond

// diagTab runs the device and platform diagnostics and the enrollment.
type diagTab struct {
	w   fyne.Window
	sup agent.Support
	t   *agent.Terminal

	printBtn  *widget.Button
	printMsg  message
	scanMsg   message
	scanBtn   *widget.Button
	checkBtn  *widget.Button
	platform  message
	enrolled  *widget.Label
	code      *widget.Entry
	enrollBtn *widget.Button
	enrollMsg message
	content   fyne.CanvasObject

	// mu guards stopListen, the cancel of the running test scan (nil
	// when none runs). The listener goroutine and the UI both use it.
	mu         sync.Mutex
	stopListen context.CancelFunc
	// scanDone, when set by a test, receives one value after each test
	// scan has finished and updated the screen.
	scanDone chan struct{}
}

func newDiagTab(w fyne.Window, sup agent.Support, t *agent.Terminal) *diagTab {
	d := &diagTab{w: w, sup: sup, t: t, printMsg: newMessage(), scanMsg: newMessage(), platform: newMessage(),
		enrollMsg: newMessage()}
	d.printBtn = widget.NewButton(i18n.T("sup.testprint"), d.doTestPrint)
	d.scanBtn = widget.NewButton(i18n.T("sup.testscan"), d.startScan)
	d.checkBtn = widget.NewButton(i18n.T("sup.check"), d.doCheck)
	d.enrolled = widget.NewLabel("")
	d.enrolled.Wrapping = fyne.TextWrapWord
	d.code = widget.NewEntry()
	d.code.SetPlaceHolder(i18n.T("sup.enroll_code"))
	d.code.OnSubmitted = func(string) { d.doEnroll() }
	d.enrollBtn = widget.NewButton(i18n.T("sup.enroll_do"), d.doEnroll)
	devices := container.NewVBox(
		container.NewHBox(d.printBtn), d.printMsg.Label,
		container.NewHBox(d.scanBtn), widget.NewLabel(i18n.T("sup.testscan_note")), d.scanMsg.Label)
	platform := container.NewVBox(container.NewHBox(d.checkBtn), d.platform.Label)
	enroll := container.NewVBox(d.enrolled,
		container.NewBorder(nil, nil, nil, d.enrollBtn, d.code), d.enrollMsg.Label)
	d.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(i18n.T("sup.devtest"), "", devices),
		widget.NewCard(i18n.T("sup.platform"), "", platform),
		widget.NewCard(i18n.T("sup.enroll"), "", enroll)))
	d.loadEnrollment()
	return d
}

func (d *diagTab) doTestPrint() {
	ctx, cancel := callCtx()
	defer cancel()
	id, err := d.sup.TestPrint(ctx)
	if err != nil {
		d.printMsg.fail(err)
		return
	}
	d.printMsg.ok(i18n.T("sup.testprinted", id))
}

// startScan waits for the next scan and shows it. The terminal has one
// scan stream, which the sale screen also reads; the test scan takes
// exactly one scan and reads only while the diagnostics tab is on screen:
// stopScan runs when the support screen switches tabs, the waiting
// goroutine checks every visibilityPoll that the tab is still reachable
// from the window's content (the main window may have navigated away),
// and a scan that arrives after the tab was left is handed back to the
// stream (Terminal.HandleScan) for the screen now on top.
func (d *diagTab) startScan() {
	d.mu.Lock()
	if d.stopListen != nil {
		d.mu.Unlock()
		return // already waiting
	}
	ctx, cancel := context.WithTimeout(context.Background(), scanWait)
	d.stopListen = cancel
	d.mu.Unlock()
	d.scanMsg.info(i18n.T("sup.testscan_wait"))
	d.scanBtn.Disable()
	scans := d.t.Scans()
	_, located := onScreen(d.w.Content(), d.content)
	go func() {
		tick := time.NewTicker(visibilityPoll)
		defer tick.Stop()
		var text string
		var got bool
	wait:
		for {
			select {
			case ev := <-scans:
				if located && !d.shown() {
					// The tab was left within the last poll and the
					// sale screen may already be listening: hand the
					// scan back to the stream for it.
					d.t.HandleScan(ev)
					break wait
				}
				got = true
				text = i18n.T("sup.testscan_got", ev.Value, i18n.T("scan."+string(ev.Kind)), ev.Source, ev.Symbology)
				break wait
			case <-ctx.Done():
				break wait
			case <-tick.C:
				if located && !d.shown() {
					break wait
				}
			}
		}
		d.mu.Lock()
		d.stopListen = nil
		d.mu.Unlock()
		cancel()
		fyne.Do(func() {
			d.scanBtn.Enable()
			if got {
				d.scanMsg.ok(text)
			} else {
				d.scanMsg.warn(i18n.T("sup.testscan_none"))
			}
		})
		if d.scanDone != nil {
			d.scanDone <- struct{}{}
		}
	}()
}

// shown reports whether the diagnostics tab is still on screen; it reads
// the widget tree on the UI goroutine.
func (d *diagTab) shown() bool {
	var shown bool
	fyne.DoAndWait(func() { shown, _ = onScreen(d.w.Content(), d.content) })
	return shown
}

// stopScan ends a waiting test scan, if any.
func (d *diagTab) stopScan() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopListen != nil {
		d.stopListen()
	}
}

// doCheck asks the platform's health endpoint and shows reachability,
// round trip, clock skew and the TLS setting.
func (d *diagTab) doCheck() {
	d.checkBtn.Disable()
	d.platform.info(i18n.T("app.working"))
	background(func() {
		ctx, cancel := callCtx()
		defer cancel()
		c, err := d.sup.CheckPlatform(ctx)
		fyne.Do(func() {
			d.checkBtn.Enable()
			switch {
			case err != nil:
				d.platform.fail(err)
			case !c.Reachable:
				d.platform.warn(i18n.T("sup.check_fail", c.URL+" "+c.Detail))
			case abs(c.ClockSkew) > maxSkew:
				d.platform.warn(checkText(c) + "\n" + i18n.T("sup.skew_bad"))
			default:
				d.platform.ok(checkText(c))
			}
		})
	})
}

// maxSkew is where the platform starts refusing signed requests
// (the contract in sync/api/openapi.yaml: skew > 300 s → 401); the screen warns a minute earlier.
const maxSkew = 240 * time.Second

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func checkText(c agent.Connectivity) string {
	return i18n.T("sup.check_ok", c.URL, c.RoundTrip.Milliseconds(), int64(c.ClockSkew/time.Second), c.TLS)
}

// loadEnrollment shows who the terminal is enrolled as.
func (d *diagTab) loadEnrollment() {
	ctx, cancel := callCtx()
	defer cancel()
	info, ok, err := d.sup.Enrollment(ctx)
	switch {
	case err != nil:
		d.enrollMsg.fail(err)
	case !ok:
		d.enrolled.SetText(i18n.T("sup.not_enrolled"))
	default:
		d.enrolled.SetText(i18n.T("sup.enrolled", info.StoreName, info.MerchantNo, info.TerminalNo, info.CountyCode))
	}
}

// doEnroll enrolls with the typed one-time code.
func (d *diagTab) doEnroll() {
	code := strings.TrimSpace(d.code.Text)
	if code == "" {
		d.enrollMsg.warn(i18n.T("sup.need_code"))
		d.w.Canvas().Focus(d.code)
		return
	}
	d.enrollBtn.Disable()
	d.enrollMsg.info(i18n.T("app.working"))
	background(func() {
		ctx, cancel := callCtx()
		defer cancel()
		info, err := d.sup.Enroll(ctx, code)
		fyne.Do(func() {
			d.enrollBtn.Enable()
			if err != nil {
				d.enrollMsg.fail(err)
				return
			}
			d.code.SetText("")
			d.enrolled.SetText(i18n.T("sup.enrolled", info.StoreName, info.MerchantNo, info.TerminalNo, info.CountyCode))
			d.enrollMsg.ok(i18n.T("sup.enroll_ok"))
		})
	})
}
