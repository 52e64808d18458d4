package sale

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// render shows the sale as it stands: the progress strip, what each step
// accepted, the amounts, the confirmation and the outcome. It runs on the
// UI goroutine and reads the wizard's non-blocking accessors only.
func (sc *Screen) render() {
	cur := sc.current()
	var s agent.Sale
	snRequired, needsTradeIn := false, false
	if sc.wiz != nil {
		s = sc.wiz.Sale()
		snRequired, needsTradeIn = sc.wiz.SNRequired(), sc.wiz.NeedsTradeIn()
	}
	if sc.done != nil {
		s = sc.done.sale
	}
	sc.renderStrip(cur, snRequired, needsTradeIn)

	// Consumer and product.
	consumer := ""
	if s.Consumer.Masked != "" {
		consumer = i18n.T("sale.consumer", s.Consumer.Masked)
		if s.Consumer.Signed {
			consumer += " " + i18n.T("sale.consumer.signed")
		}
	}
	sc.setInfo(sc.consumerInfo, consumer, widget.SuccessImportance)
	product, detail := "", ""
	if p := s.Product; p.Barcode != "" {
		product = i18n.T("sale.product", p.Brand, p.Model, p.Name)
		detail = i18n.T("sale.product.nograde", i18n.Category(p.Category), p.FiledPriceFen.String())
		if p.EnergyGrade > 0 {
			detail = i18n.T("sale.product.info", i18n.Category(p.Category), p.EnergyGrade, p.FiledPriceFen.String())
		}
	}
	sc.setInfo(sc.productInfo, product, widget.SuccessImportance)
	sc.setInfo(sc.productDetail, detail, widget.SuccessImportance)

	// Serial number: shown when the product needs one (or one was given).
	sc.setVisible(sc.snBox, s.Product.Barcode == "" || snRequired || s.SN != "")
	snText := ""
	if s.SN != "" {
		snText = i18n.T("sale.sn.ok", s.SN)
	}
	sc.setInfo(sc.snInfo, snText, widget.SuccessImportance)
	var notices []string
	for _, w := range sc.snNotice {
		if w.Code == agent.WarnSNUnchecked {
			notices = append(notices, i18n.T("sale.sn.notice", i18n.Warning(w)))
		} else {
			notices = append(notices, i18n.T("sale.warn", i18n.Warning(w)))
		}
	}
	sc.setInfo(sc.snNoticeLabel, strings.Join(notices, " · "), widget.WarningImportance)

	// Old appliance.
	sc.setVisible(sc.tiBox, needsTradeIn || s.TradeIn != nil)
	if s.TradeIn != nil {
		sc.setInfo(sc.tiInfo, i18n.T("sale.ti.ticket", s.TradeIn.TicketNo), widget.SuccessImportance)
	} else {
		sc.setInfo(sc.tiInfo, i18n.T("sale.ti.hint"), widget.MediumImportance)
	}

	sc.renderAmounts(s)
	sc.renderOutcome(s)

	sc.message.SetText(sc.msg.text())
	sc.message.Importance = sc.msg.imp
	sc.message.Refresh()

	editable := sc.editable()
	for _, e := range []*keyEntry{sc.consumer, sc.product, sc.sn, sc.tiBrand, sc.tiModel, sc.tiPrice, sc.tiPhone, sc.price} {
		setEnabled(e, editable || sc.done != nil)
	}
	setEnabled(sc.payment, cur == stepPayment)
	if sc.wiz != nil && sc.done == nil {
		sc.cancelBtn.Enable()
	} else {
		sc.cancelBtn.Disable()
	}
	if sc.done != nil {
		sc.nextBtn.Enable()
	} else {
		sc.nextBtn.Disable()
	}
	for _, l := range []*widget.Label{sc.consumerInfo, sc.productInfo, sc.productDetail, sc.snInfo, sc.snNoticeLabel,
		sc.tiInfo, sc.paymentInfo, sc.outcome, sc.confirmInfo} {
		sc.setVisible(l, l.Text != "")
	}
	// When steps, strip items or info lines were shown or hidden above,
	// lay the screen out again (a container does not notice its
	// children's visibility). Only then: a full refresh is the costliest
	// part of a step.
	if sc.relayout {
		sc.relayout = false
		sc.content.Refresh()
	}
}

// renderStrip marks done steps, the current one and those ahead; steps
// the product does not need are hidden.
func (sc *Screen) renderStrip(cur step, snRequired, needsTradeIn bool) {
	for st, l := range sc.stepTags {
		switch {
		case st == stepSN && !snRequired, st == stepTradeIn && !needsTradeIn:
			sc.setVisible(l, false)
			continue
		case st == cur:
			l.Importance = widget.HighImportance
			l.TextStyle.Bold = true
		case st < cur || cur == stepDone:
			l.Importance = widget.SuccessImportance
			l.TextStyle.Bold = false
		default:
			l.Importance = widget.LowImportance
			l.TextStyle.Bold = false
		}
		sc.setVisible(l, true)
		l.Refresh()
	}
}

// renderAmounts shows the final price, the subsidy and the amount to pay
// (large) from the confirmed sale, or the quote before confirmation.
func (sc *Screen) renderAmounts(s agent.Sale) {
	var final, subsidy, pay agent.Fen
	have := false
	switch {
	case s.State != agent.SaleDraft && s.State != "":
		final, subsidy, pay, have = s.FinalPriceFen, s.SubsidyFen, s.PayFen, true
	case sc.quote != nil:
		final, subsidy, pay, have = sc.quote.FinalPriceFen, sc.quote.SubsidyFen, sc.quote.PayFen, true
	}
	if !have {
		sc.finalLabel.SetText("")
		sc.subsidy.Text, sc.pay.Text = "—", "—"
		sc.rateLabel.SetText("")
		sc.warnings.SetText("")
	} else {
		sc.finalLabel.SetText(i18n.T("sale.final") + " " + final.String())
		sc.subsidy.Text, sc.pay.Text = subsidy.String(), pay.String()
		rate := ""
		if sc.quote != nil {
			rate = i18n.T("sale.rate", sc.quote.RateBP/100, sc.quote.RateBP%100)
			if sc.quote.Capped {
				rate += " " + i18n.T("sale.capped")
			}
		}
		sc.rateLabel.SetText(rate)
		ws := s.Warnings
		if len(ws) == 0 && sc.quote != nil {
			ws = sc.quote.Warnings
		}
		var lines []string
		for _, w := range ws {
			lines = append(lines, i18n.T("sale.warn", i18n.Warning(w)))
		}
		sc.warnings.SetText(strings.Join(lines, "\n"))
	}
	sc.subsidy.Color = theme.Color(theme.ColorNameSuccess)
	sc.pay.Color = theme.Color(theme.ColorNamePrimary)
	sc.subsidy.Refresh()
	sc.pay.Refresh()
}

// renderOutcome says how the subsidy was granted (platform freeze or
// offline acceptance), what the commit did and what the printer did.
func (sc *Screen) renderOutcome(s agent.Sale) {
	switch {
	case s.State == agent.SaleDraft || s.State == "":
		if sc.quote != nil {
			sc.setInfo(sc.confirmInfo, i18n.T("sale.preview"), widget.MediumImportance)
		} else {
			sc.setInfo(sc.confirmInfo, "", widget.MediumImportance)
		}
	case s.Offline:
		sc.setInfo(sc.confirmInfo, i18n.T("sale.offline"), widget.WarningImportance)
	default:
		sc.setInfo(sc.confirmInfo, i18n.T("sale.frozen"), widget.SuccessImportance)
	}

	sc.setInfo(sc.outcome, "", widget.MediumImportance)
	sc.setInfo(sc.paymentInfo, "", widget.MediumImportance)
	switch {
	case sc.done != nil:
		lines := []string{i18n.T("sale.committed", sc.done.sale.OrderNo)}
		imp := widget.SuccessImportance
		if sc.done.printErr != nil {
			lines = append(lines, i18n.T("sale.print_failed", i18n.Error(sc.done.printErr)), i18n.T("sale.print_retry"))
			imp = widget.DangerImportance
		} else if sc.done.jobID != "" {
			lines = append(lines, i18n.T("sale.printing", sc.done.jobID))
		}
		lines = append(lines, i18n.T("sale.next"))
		sc.setInfo(sc.outcome, strings.Join(lines, "\n"), imp)
		sc.setInfo(sc.paymentInfo, i18n.T("sale.pay_done", sc.done.sale.PaymentRef), widget.SuccessImportance)
	case s.State == agent.SalePaid:
		sc.setInfo(sc.paymentInfo, i18n.T("sale.paid_commit"), widget.WarningImportance)
	}
}

// focusTarget is the entry the next key belongs to.
func (sc *Screen) focusTarget() fyne.Focusable {
	switch sc.current() {
	case stepProduct:
		return sc.product
	case stepSN:
		return sc.sn
	case stepTradeIn:
		switch {
		case sc.tiCategory.SelectedIndex() < 0:
			return sc.tiCategory
		case strings.TrimSpace(sc.tiBrand.Text) == "":
			return sc.tiBrand
		case strings.TrimSpace(sc.tiModel.Text) == "":
			return sc.tiModel
		case sc.tiCondition.SelectedIndex() < 0:
			return sc.tiCondition
		}
		return sc.tiPrice
	case stepPrice:
		return sc.price
	case stepPayment:
		return sc.payment
	}
	return sc.consumer
}

// setInfo shows text on l; render hides l afterwards when there is
// nothing to say (an empty line would leave a gap between the steps).
func (sc *Screen) setInfo(l *widget.Label, text string, imp widget.Importance) {
	if l.Text == text && l.Importance == imp {
		return // unchanged: a label refresh reshapes its text, the costliest part of a step
	}
	l.Importance = imp
	l.SetText(text)
}

// setVisible shows or hides o and notes when that changed the layout.
func (sc *Screen) setVisible(o fyne.CanvasObject, on bool) {
	if o.Visible() == on {
		return
	}
	sc.relayout = true
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

func setEnabled(e *keyEntry, on bool) {
	if on {
		e.Enable()
	} else {
		e.Disable()
	}
}
