package manager

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// PrintProblems returns the printer-problem panel: the receipts that did
// not print, with retry and skip. Any logged-in role may use it (whoever
// stands at the printer); the main window can show it in a dialog when
// the status bar reports failed print jobs. The list is read when the
// panel is built; its refresh button reads it again.
func PrintProblems(w fyne.Window, s *agent.Session) fyne.CanvasObject {
	return newPrintTab(w, s).content
}

// printTab lists failed print jobs and retries or skips the selected one.
type printTab struct {
	w fyne.Window
	s *agent.Session

	list    *widget.List
	summary *widget.Label
	retry   *widget.Button
	skip    *widget.Button
	msg     message
	content fyne.CanvasObject

	jobs     []agent.PrintJob
	selected int
}

func newPrintTab(w fyne.Window, s *agent.Session) *printTab {
	p := &printTab{w: w, s: s, selected: -1, msg: newMessage()}
	p.list = widget.NewList(func() int { return len(p.jobs) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.jobs) {
				o.(*widget.Label).SetText(jobRow(p.jobs[id]))
			}
		})
	p.list.OnSelected = func(id widget.ListItemID) { p.selected = id; p.showSelected() }
	p.list.OnUnselected = func(widget.ListItemID) { p.selected = -1; p.showSelected() }
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.retry = widget.NewButton(i18n.T("print.retry"), func() { p.act(p.s.RetryPrint, "print.retried") })
	p.retry.Importance = widget.HighImportance
	p.skip = widget.NewButton(i18n.T("print.skip"), func() { p.act(p.s.SkipPrint, "print.skipped") })
	refresh := widget.NewButton(i18n.T("print.refresh"), p.reload)
	p.content = container.NewBorder(p.summary, container.NewVBox(container.NewHBox(p.retry, p.skip, refresh), p.msg.Label),
		nil, nil, p.list)
	p.reload()
	return p
}

// reload reads the failed jobs again.
func (p *printTab) reload() {
	ctx, cancel := callCtx()
	defer cancel()
	jobs, err := p.s.FailedPrintJobs(ctx)
	if err != nil {
		p.msg.fail(err)
		return
	}
	p.jobs, p.selected = jobs, -1
	p.list.UnselectAll()
	p.list.Refresh()
	if len(jobs) == 0 {
		p.summary.SetText(i18n.T("print.none"))
	} else {
		p.summary.SetText(i18n.T("print.body", len(jobs)))
	}
	p.showSelected()
}

func (p *printTab) showSelected() {
	if p.selected < 0 || p.selected >= len(p.jobs) {
		p.retry.Disable()
		p.skip.Disable()
		return
	}
	p.retry.Enable()
	p.skip.Enable()
}

// act retries or skips the selected job and lists the jobs again.
func (p *printTab) act(fn func(ctx context.Context, id string) error, doneKey string) {
	if p.selected < 0 || p.selected >= len(p.jobs) {
		p.msg.warn(i18n.T("print.select"))
		return
	}
	job := p.jobs[p.selected]
	ctx, cancel := callCtx()
	defer cancel()
	if err := fn(ctx, job.ID); err != nil {
		p.msg.fail(err)
		return
	}
	p.reload()
	p.msg.ok(i18n.T(doneKey, job.ID))
}

// jobRow is one line of the list: kind, order, what went wrong.
func jobRow(j agent.PrintJob) string {
	kind, ok := i18n.Lookup(i18n.Current(), "print.kind."+j.Kind)
	if !ok {
		kind = j.Kind
	}
	if j.Reprint {
		kind += " · " + i18n.T("mgr.reprint")
	}
	order := j.OrderNo
	if order == "" {
		order = i18n.T("app.none")
	}
	return i18n.T("print.job", kind, order, printError(j))
}

// printError is the job's failure in words; LastError is the spooler's
// English detail, which names a device code ("PAPER_OUT") when there is one.
func printError(j agent.PrintJob) string {
	for _, code := range []string{"PAPER_OUT", "PAPER_NEAR_END", "COVER_OPEN", "OFFLINE", "DISCONNECTED"} {
		if strings.Contains(j.LastError, code) {
			return i18n.Device(agent.DeviceStatus{Code: code})
		}
	}
	if j.LastError == "" {
		return i18n.T("print.failed")
	}
	return j.LastError
}
