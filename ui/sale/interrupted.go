package sale

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// The sales a crash or power cut left unfinished are finished at start
// (agent.Terminal.Recover): paid ones committed, unpaid ones cancelled.
// The clerk who was serving the consumer finds, above the next sale, what
// became of each one: a finished sale offers a reprint of its receipt, a
// cancelled one says to serve the consumer again. Each stays until the
// clerk dismisses it (知道了).

// buildInterrupted makes the box of interrupted sales shown at the top of
// the screen.
func (sc *Screen) buildInterrupted() *fyne.Container {
	sc.interrupted = container.NewVBox()
	return sc.interrupted
}

// showInterrupted fills the box from the terminal's list, in the current
// language.
func (sc *Screen) showInterrupted() {
	sc.interrupted.RemoveAll()
	for _, is := range sc.t.Interrupted() {
		sc.interrupted.Add(sc.interruptedRow(is))
	}
	if len(sc.interrupted.Objects) > 0 {
		sc.interrupted.Add(widget.NewSeparator())
	}
	sc.interrupted.Refresh()
}

// interruptedRow is one interrupted sale: what became of it and the
// buttons for it.
func (sc *Screen) interruptedRow(is agent.InterruptedSale) fyne.CanvasObject {
	text := widget.NewLabel("")
	text.Wrapping = fyne.TextWrapWord
	text.Importance = widget.WarningImportance
	status := widget.NewLabel("")
	ok := widget.NewButton(i18n.T("sale.int.ok"), func() {
		sc.t.DismissInterrupted(is.OrderNo)
		sc.showInterrupted()
		sc.Focus()
	})
	buttons := container.NewHBox()
	if is.State == agent.SaleCommitted {
		text.SetText(i18n.T("sale.int.done", is.OrderNo, is.Product, is.PayFen.String()))
		var reprint *widget.Button
		reprint = widget.NewButton(i18n.T("sale.int.reprint"), func() {
			reprint.Disable()
			sc.runner.Go(func() {
				ctx, cancel := callCtx()
				defer cancel()
				_, err := sc.s.Reprint(ctx, is.OrderNo)
				sc.runner.Do(func() {
					reprint.Enable()
					if err != nil {
						status.SetText(i18n.Error(err))
					} else {
						status.SetText(i18n.T("sale.int.reprinted"))
					}
					if sc.onStep != nil { // the status bar counts the new job
						sc.onStep()
					}
				})
			})
		})
		reprint.Importance = widget.HighImportance
		buttons.Add(reprint)
	} else {
		text.SetText(i18n.T("sale.int.cancelled", is.OrderNo, is.Product))
	}
	buttons.Add(ok)
	return container.NewVBox(text, container.NewBorder(nil, nil, buttons, nil, status))
}
