package sale

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// step is a stage of the wizard as the progress strip shows it.
type step int

const (
	stepConsumer step = iota
	stepProduct
	stepSN
	stepTradeIn
	stepPrice
	stepPayment
	stepDone
)

var allSteps = []step{stepConsumer, stepProduct, stepSN, stepTradeIn, stepPrice, stepPayment, stepDone}

func (st step) key() string {
	return [...]string{"sale.step.consumer", "sale.step.product", "sale.step.sn", "sale.step.tradein",
		"sale.step.price", "sale.step.payment", "sale.step.done"}[st]
}

// current is the first step the sale still needs. Consumer and product may
// come in either order (scans go where their kind belongs); from the
// platform's confirmation on, only payment and commit are left.
func (sc *Screen) current() step {
	if sc.done != nil {
		return stepDone
	}
	if sc.wiz == nil {
		return stepConsumer
	}
	s := sc.wiz.Sale()
	switch {
	case s.State == agent.SaleFrozen || s.State == agent.SaleOfflineAccepted || s.State == agent.SalePaid:
		return stepPayment
	case s.Consumer.Masked == "" && s.Consumer.VoucherID == "":
		return stepConsumer
	case s.Product.Barcode == "":
		return stepProduct
	case sc.wiz.SNRequired() && s.SN == "":
		return stepSN
	case sc.wiz.NeedsTradeIn() && s.TradeIn == nil:
		return stepTradeIn
	}
	return stepPrice
}

// editable reports whether the consumer, product, SN and trade-in may
// still change (the platform has not confirmed yet).
func (sc *Screen) editable() bool {
	st := sc.current()
	return st != stepPayment && st != stepDone
}

// ensureWizard starts a sale when none is open (or the last one is done).
// It reports false, with the refusal shown, when selling is not possible.
func (sc *Screen) ensureWizard() bool {
	if sc.wiz != nil && sc.done == nil {
		return true
	}
	ctx, cancel := callCtx()
	defer cancel()
	wiz, err := sc.s.NewSale(ctx)
	if err != nil {
		sc.msg = note{key: "sale.start_failed", args: []any{i18n.Error(err)}, imp: widget.DangerImportance}
		sc.render()
		sc.stepped()
		return false
	}
	// What was typed for this first step stays in its entry; a finished
	// or cancelled sale was cleared already.
	sc.wiz, sc.quote, sc.done, sc.snNotice = wiz, nil, nil, nil
	return true
}

// reset clears the screen for a new sale.
func (sc *Screen) reset() {
	sc.wiz, sc.quote, sc.done, sc.snNotice = nil, nil, nil, nil
	sc.msg = note{}
	for _, e := range []*keyEntry{sc.consumer, sc.product, sc.sn, sc.tiBrand, sc.tiModel, sc.tiPrice, sc.tiPhone, sc.price, sc.payment} {
		e.SetText("")
	}
	sc.tiCategory.ClearSelected()
	sc.tiCondition.ClearSelected()
}

// run performs one step: work runs off the UI goroutine with the open
// wizard; then, on the UI goroutine, a refusal is shown (the clerk stays
// on the step) or ok is called, and the screen is rendered. When ok set
// sc.then, that next step starts once this one is fully shown. A key press
// while a step runs is dropped (a second Enter must not confirm twice);
// scans are queued by HandleScan instead.
func (sc *Screen) run(work func(ctx context.Context, wiz *agent.SaleWizard) error, ok func()) {
	if sc.busy || !sc.ensureWizard() {
		return
	}
	sc.escArmed = false
	sc.busy = true
	wiz := sc.wiz
	sc.runner.Go(func() {
		ctx, cancel := callCtx()
		err := work(ctx, wiz)
		cancel()
		sc.runner.Do(func() {
			sc.busy = false
			if wiz != sc.wiz {
				return // the sale was cancelled meanwhile
			}
			if err != nil {
				sc.msg = note{err: err, imp: widget.DangerImportance}
			} else {
				sc.msg = note{}
				if ok != nil {
					ok()
				}
			}
			sc.render()
			sc.Focus()
			sc.stepped()
			if next := sc.then; next != nil {
				sc.then = nil
				next()
				return
			}
			sc.drain()
		})
	})
}

// stepped tells the main window that a step ended.
func (sc *Screen) stepped() {
	if sc.onStep != nil {
		sc.onStep()
	}
}

// drain runs the next scan that arrived while a step was running.
func (sc *Screen) drain() {
	if sc.busy || len(sc.waiting) == 0 {
		return
	}
	next := sc.waiting[0]
	sc.waiting = sc.waiting[1:]
	next()
}

func (sc *Screen) submitConsumer() {
	if sc.done != nil && strings.TrimSpace(sc.consumer.Text) == "" {
		sc.startNext() // Enter after a finished sale starts the next one
		return
	}
	if sc.reroute(sc.consumer, agent.ScanProduct, agent.ScanIMEI, agent.ScanTicket) {
		return
	}
	code, ok := sc.beginEdit(sc.consumer)
	if !ok {
		return
	}
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		_, err := wiz.SetConsumerCode(ctx, code)
		return err
	}, func() {
		sc.quote = nil
		// The code is the consumer's; once accepted only its masked
		// form (the info line) stays on screen.
		sc.consumer.SetText("")
	})
}

func (sc *Screen) submitProduct() {
	if sc.reroute(sc.product, agent.ScanConsumer, agent.ScanIMEI, agent.ScanTicket) {
		return
	}
	code, ok := sc.beginEdit(sc.product)
	if !ok {
		return
	}
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		_, _, err := wiz.ScanProduct(ctx, code)
		return err
	}, func() {
		sc.quote = nil
		if s := sc.wiz.Sale(); s.SN == "" {
			sc.sn.SetText("")
			sc.snNotice = nil
		}
		if sc.tiCategory.SelectedIndex() < 0 {
			sc.selectTradeInCategory(sc.wiz.Sale().Product.Category)
		}
	})
}

func (sc *Screen) submitSN() {
	if sc.reroute(sc.sn, agent.ScanConsumer, agent.ScanTicket) {
		return
	}
	sn, ok := sc.beginEdit(sc.sn)
	if !ok {
		return
	}
	if sc.wiz != nil && sn == sc.wiz.Sale().Product.Barcode {
		// The box's barcode scanned where its serial number belongs.
		sc.sn.SetText("")
		sc.msg = note{key: "sale.wrong_scan", args: []any{i18n.T("scan.PRODUCT"), i18n.T("scan.SN")}, imp: widget.DangerImportance}
		sc.render()
		sc.stepped()
		return
	}
	var notices []agent.Warning
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		var err error
		notices, err = wiz.SetSN(ctx, sn)
		return err
	}, func() {
		sc.quote = nil
		sc.snNotice = notices
	})
}

func (sc *Screen) submitTradeIn() {
	if _, ok := sc.beginEdit(sc.tiPrice); !ok {
		return
	}
	ci, ki := sc.tiCategory.SelectedIndex(), sc.tiCondition.SelectedIndex()
	brand, model := strings.TrimSpace(sc.tiBrand.Text), strings.TrimSpace(sc.tiModel.Text)
	switch {
	case ci < 0 || ci >= len(sc.tiCats) || ki < 0:
		sc.refuse("sale.ti.choose")
		return
	case brand == "" || model == "":
		sc.refuse("sale.ti.missing")
		return
	}
	var price agent.Fen
	if p := strings.TrimSpace(sc.tiPrice.Text); p != "" {
		f, err := agent.ParseFen(p)
		if err != nil {
			sc.fail(err)
			return
		}
		price = f
	}
	ti := agent.TradeIn{Category: sc.tiCats[ci], Brand: brand, Model: model, Condition: conditions[ki], PriceFen: price}
	phone := strings.TrimSpace(sc.tiPhone.Text)
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		if err := wiz.SetConsumerPhone(phone); err != nil {
			return err
		}
		_, err := wiz.SetTradeIn(ctx, ti)
		return err
	}, func() { sc.quote = nil })
}

// submitPrice quotes the subsidy and, when the quote stands, asks for it
// at once: online the platform freezes the voucher, offline the offline
// policy decides. The amounts are shown large as soon as the quote is in;
// a refused confirmation leaves the clerk on the price to correct it or
// cancel the sale.
func (sc *Screen) submitPrice() {
	text, ok := sc.beginEdit(sc.price)
	if !ok {
		return
	}
	price, err := agent.ParseFen(text)
	if err != nil {
		sc.fail(err)
		return
	}
	var q agent.Quote
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		var err error
		q, err = wiz.Quote(ctx, price)
		return err
	}, func() {
		sc.quote = &q
		sc.msg = note{key: "sale.confirming", imp: widget.MediumImportance}
		sc.then = sc.confirm
	})
}

// confirm asks the platform (or the offline policy) for the quoted subsidy.
func (sc *Screen) confirm() {
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		_, err := wiz.Confirm(ctx)
		return err
	}, nil)
}

// submitPayment records the payment reference and commits the sale. A
// receipt that could not be queued (PRINT_FAILED) still ends the sale: it
// is saved, and the screen says how to get the receipt printed.
func (sc *Screen) submitPayment() {
	if sc.done != nil {
		sc.startNext() // Enter after a finished sale starts the next one
		return
	}
	if sc.current() != stepPayment {
		sc.Focus() // not there yet: back to the step that is
		return
	}
	ref := strings.TrimSpace(sc.payment.Text)
	var res result
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		if wiz.Sale().State != agent.SalePaid {
			if _, err := wiz.SetPaymentRef(ctx, ref); err != nil {
				return err
			}
		}
		s, job, err := wiz.Commit(ctx)
		if err != nil && agent.CodeOf(err) != agent.CodePrintFailed {
			return err
		}
		res = result{sale: s, jobID: job, printErr: err}
		return nil
	}, func() {
		sc.done = &res
		sc.consumer.SetText("")
	})
}

// startNext clears a finished sale and puts the focus on the consumer code.
// An unfinished sale must be cancelled (Esc) instead.
func (sc *Screen) startNext() {
	if sc.busy || (sc.wiz != nil && sc.done == nil) {
		return
	}
	sc.reset()
	sc.render()
	sc.Focus()
	sc.stepped()
}

// newEntry returns a step entry: Esc asks to cancel the sale, and a
// keyboard-wedge scan typed into it goes to wedgeScan.
func (sc *Screen) newEntry() *keyEntry {
	e := newKeyEntry("", sc.escape)
	e.now = sc.t.Now
	e.onScan = sc.wedgeScan
	return e
}

// wedgeScan takes a code a keyboard-wedge scanner typed into entry e (the
// keys came as fast as a scanner's; the code is already out of e) and
// handles it as a serial scanner's scan, whatever field had the focus: a
// consumer code goes to the consumer step, a barcode to the product step,
// and so on. Kinds the classifier cannot pin down (SN, IMEI, unknown) stay
// with the entry when its own step takes such text: an opaque consumer code
// in the consumer field, a serial number in the SN field, a payment slip's
// reference in the payment field.
func (sc *Screen) wedgeScan(e *keyEntry, code string) {
	kind, value := agent.Classify(code)
	switch kind {
	case agent.ScanSN, agent.ScanIMEI, agent.ScanUnknown:
		if e == sc.consumer || e == sc.sn || e == sc.payment {
			e.SetText(value)
			e.OnSubmitted(value)
			return
		}
	}
	sc.HandleScan(agent.ScanEvent{Kind: kind, Value: value, Source: "wedge", At: sc.t.Now()})
}

// reroute sends what was typed into a step's entry to the step its kind
// belongs to, when it is one of kinds: a code typed by hand into the wrong
// field goes where its scan would (a scan typed by a keyboard-wedge scanner
// never gets here: wedgeScan takes it). Only unambiguous kinds are listed
// by the callers (an SN-looking string may be an opaque consumer code, a
// GTIN-valid number may be a serial number). It reports whether the text
// was rerouted.
func (sc *Screen) reroute(e *keyEntry, kinds ...agent.ScanKind) bool {
	kind, value := agent.Classify(e.Text)
	for _, k := range kinds {
		if k == kind {
			e.SetText("")
			sc.HandleScan(agent.ScanEvent{Kind: kind, Value: value, Source: "keyboard"})
			return true
		}
	}
	return false
}

// beginEdit takes the text of a step's entry before the step runs. After
// a finished sale it starts the next sale first (keeping what was typed);
// after the platform confirmed the subsidy it refuses: the consumer,
// product, SN and trade-in can no longer change.
func (sc *Screen) beginEdit(e *keyEntry) (string, bool) {
	text := strings.TrimSpace(e.Text)
	if sc.done != nil {
		sc.startNext()
		e.SetText(text)
	}
	if !sc.editable() {
		sc.refuse("sale.not_editable")
		return "", false
	}
	return text, true
}

// refuse shows a refusal of the screen's own (an empty field).
func (sc *Screen) refuse(key string) {
	sc.msg = note{key: key, imp: widget.DangerImportance}
	sc.render()
	sc.stepped()
}

// fail shows an agent refusal.
func (sc *Screen) fail(err error) {
	sc.msg = note{err: err, imp: widget.DangerImportance}
	sc.render()
	sc.stepped()
}

// escape is the Esc key on any step's entry. The first Esc asks (in the
// message line, so that the keyboard alone can answer); a second Esc
// cancels the sale; anything else carries on with it.
func (sc *Screen) escape() {
	if sc.wiz == nil || sc.done != nil {
		return
	}
	if sc.escArmed {
		sc.escArmed = false
		sc.cancelSale()
		return
	}
	sc.escArmed = true
	sc.msg = note{key: "sale.esc_again", imp: widget.WarningImportance}
	sc.render()
	sc.stepped()
}

// askCancel asks before cancelling the sale (the cancel button).
func (sc *Screen) askCancel() {
	if sc.wiz == nil || sc.done != nil {
		return
	}
	d := dialog.NewConfirm(i18n.T("app.confirm"), i18n.T("sale.esc_confirm"), func(yes bool) {
		if yes {
			sc.cancelSale()
		} else {
			sc.Focus()
		}
	}, sc.w)
	d.SetConfirmText(i18n.T("sale.cancel"))
	d.SetDismissText(i18n.T("app.cancel"))
	d.Show()
}

// cancelSale cancels the open sale; a frozen voucher is released through
// the outbox.
func (sc *Screen) cancelSale() {
	if sc.busy || sc.wiz == nil || sc.done != nil {
		return
	}
	sc.run(func(ctx context.Context, wiz *agent.SaleWizard) error {
		return wiz.Cancel(ctx, "cancelled by the clerk")
	}, func() {
		sc.reset()
		sc.msg = note{key: "sale.cancelled", imp: widget.WarningImportance}
	})
}

// HandleScan takes a scan from the terminal's stream and submits it to the
// step its kind belongs to. It runs on the UI goroutine; a scan arriving
// while a step runs waits for it.
func (sc *Screen) HandleScan(ev agent.ScanEvent) {
	if sc.busy {
		sc.waiting = append(sc.waiting, func() { sc.HandleScan(ev) })
		return
	}
	if sc.done != nil {
		sc.startNext()
	}
	switch ev.Kind {
	case agent.ScanConsumer:
		sc.consumer.SetText(ev.Value)
		sc.submitConsumer()
	case agent.ScanProduct:
		if sc.current() == stepSN && sc.wiz != nil && ev.Value == sc.wiz.Sale().Product.Barcode {
			// The box's barcode scanned again where its serial number
			// belongs: say so rather than take the product again.
			sc.msg = note{key: "sale.wrong_scan", args: []any{i18n.T("scan.PRODUCT"), i18n.T("scan.SN")}, imp: widget.DangerImportance}
			sc.render()
			sc.stepped()
			return
		}
		sc.product.SetText(ev.Value)
		sc.submitProduct()
	case agent.ScanIMEI, agent.ScanSN:
		if sc.current() == stepPayment {
			// A payment slip's reference scanned from its barcode.
			sc.payment.SetText(ev.Value)
			sc.submitPayment()
			return
		}
		sc.sn.SetText(ev.Value)
		sc.submitSN()
	default:
		sc.msg = note{key: "sale.wrong_scan", args: []any{i18n.T("scan." + string(ev.Kind)), i18n.T(sc.current().needs())}, imp: widget.WarningImportance}
		sc.render()
		sc.stepped()
	}
}

// needs is the scan kind name of what the step expects, for the
// wrong-scan sentence.
func (st step) needs() string {
	switch st {
	case stepProduct:
		return "scan.PRODUCT"
	case stepSN:
		return "scan.SN"
	case stepConsumer, stepDone:
		return "scan.CONSUMER"
	}
	return st.key()
}

// selectTradeInCategory preselects the old appliance's category: usually
// the same kind as the new product.
func (sc *Screen) selectTradeInCategory(c agent.Category) {
	for i, x := range sc.tiCats {
		if x == c {
			sc.tiCategory.SetSelectedIndex(i)
			return
		}
	}
}
