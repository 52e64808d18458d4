package sale

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/ui/i18n"
)

// build creates the widgets. Texts are set by setTexts (and again on a
// language switch); what depends on the sale is set by render.
func (sc *Screen) build() {
	sc.stepTags = map[step]*widget.Label{}
	sc.strip = container.NewHBox()
	for _, st := range allSteps {
		l := widget.NewLabel("")
		sc.stepTags[st] = l
		sc.strip.Add(l)
	}

	sc.consumer = sc.newEntry()
	sc.consumer.OnSubmitted = func(string) { sc.submitConsumer() }
	sc.consumerInfo = infoLabel()
	sc.product = sc.newEntry()
	sc.product.OnSubmitted = func(string) { sc.submitProduct() }
	sc.productInfo = infoLabel()
	sc.productDetail = infoLabel()
	sc.sn = sc.newEntry()
	sc.sn.OnSubmitted = func(string) { sc.submitSN() }
	sc.snInfo = infoLabel()
	sc.snNoticeLabel = infoLabel()
	sc.snNoticeLabel.Truncation = fyne.TextTruncateEllipsis // notices can be long
	sc.snBox = sc.row("sale.step.sn", sc.sn, sc.snInfo, sc.snNoticeLabel)

	sc.tiCategory = widget.NewSelect(nil, func(string) { sc.Focus() })
	sc.tiBrand = sc.newEntry()
	sc.tiBrand.OnSubmitted = func(string) { sc.w.Canvas().Focus(sc.tiModel) }
	sc.tiModel = sc.newEntry()
	sc.tiModel.OnSubmitted = func(string) { sc.w.Canvas().Focus(sc.tiCondition) }
	sc.tiCondition = widget.NewSelect(nil, func(string) { sc.Focus() })
	sc.tiPrice = sc.newEntry()
	sc.tiPrice.OnSubmitted = func(string) { sc.submitTradeIn() }
	sc.tiPhone = sc.newEntry()
	sc.tiPhone.OnSubmitted = func(string) { sc.submitTradeIn() }
	sc.tiInfo = infoLabel()
	sc.tiForm = widget.NewForm()
	sc.tiBox = container.NewVBox(sc.title("sale.step.tradein"), sc.tiForm, sc.tiInfo)

	sc.price = sc.newEntry()
	sc.price.OnSubmitted = func(string) { sc.submitPrice() }
	sc.finalLabel = widget.NewLabel("")
	sc.subsidyCap = widget.NewLabel("")
	sc.subsidy = canvas.NewText("—", theme.Color(theme.ColorNameSuccess))
	sc.subsidy.TextSize = bigText
	sc.subsidy.TextStyle.Bold = true
	sc.payCap = widget.NewLabel("")
	sc.pay = canvas.NewText("—", theme.Color(theme.ColorNamePrimary))
	sc.pay.TextSize = bigText
	sc.pay.TextStyle.Bold = true
	sc.rateLabel = widget.NewLabel("")
	sc.confirmInfo = widget.NewLabel("")
	sc.confirmInfo.Wrapping = fyne.TextWrapWord
	sc.warnings = widget.NewLabel("")
	sc.warnings.Wrapping = fyne.TextWrapWord
	sc.warnings.Importance = widget.WarningImportance

	sc.payment = sc.newEntry()
	sc.payment.OnSubmitted = func(string) { sc.submitPayment() }
	sc.paymentInfo = infoLabel()

	sc.outcome = widget.NewLabel("")
	sc.outcome.Wrapping = fyne.TextWrapWord
	sc.outcome.TextStyle.Bold = true
	sc.message = widget.NewLabel("")
	sc.message.Wrapping = fyne.TextWrapWord
	sc.message.TextStyle.Bold = true
	sc.hint = widget.NewLabel("")
	sc.cancelBtn = widget.NewButton("", sc.askCancel)
	sc.nextBtn = widget.NewButton("", sc.startNext)
	sc.nextBtn.Importance = widget.HighImportance

	// One row per step: its title left of its entry, what it accepted
	// below, so that the whole sale fits a checkout PC's screen.
	steps := container.NewVBox(
		sc.row("sale.step.consumer", sc.consumer, sc.consumerInfo),
		sc.row("sale.step.product", sc.product, sc.productInfo, sc.productDetail),
		sc.snBox,
		sc.tiBox,
		sc.row("sale.step.price", sc.price),
		sc.row("sale.step.payment", sc.payment, sc.paymentInfo),
	)
	quote := container.NewVBox(
		sc.finalLabel,
		sc.subsidyCap, sc.subsidy,
		sc.payCap, sc.pay,
		sc.rateLabel,
		sc.confirmInfo,
		sc.warnings,
		widget.NewSeparator(),
		sc.outcome,
	)
	top := container.NewVBox(sc.buildInterrupted(), sc.strip, widget.NewSeparator(), sc.message)
	bottom := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, sc.hint, container.NewHBox(sc.cancelBtn, sc.nextBtn)))
	sc.scroll = container.NewVScroll(steps)
	body := container.NewGridWithColumns(2, sc.scroll, container.NewPadded(quote))
	sc.content = container.NewBorder(top, bottom, nil, nil, body)
	sc.setTexts()
}

// infoLabel is one line of what a step accepted. It neither wraps nor
// holds several lines: such a label inside the scrolled column reports a
// one-line height and would be drawn over the next row. (Cutting with an
// ellipsis reshapes the text on every refresh, which costs milliseconds
// with a CJK font; only the long notice line does it.)
func infoLabel() *widget.Label { return widget.NewLabel("") }

// row lays one step out: its title left of its entry, its info lines below.
func (sc *Screen) row(key string, entry fyne.CanvasObject, info ...*widget.Label) *fyne.Container {
	line := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(170, entry.MinSize().Height), sc.title(key)), nil, entry)
	box := container.NewVBox(line)
	for _, l := range info {
		box.Add(l)
	}
	return box
}

// title makes a section title whose text setTexts keeps translated.
func (sc *Screen) title(key string) *widget.Label {
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.titles[key] = l
	return l
}

// setTexts writes every fixed text in the current language.
func (sc *Screen) setTexts() {
	for key, l := range sc.titles {
		l.SetText(i18n.T(key))
	}
	for st, l := range sc.stepTags {
		l.SetText(i18n.T(st.key()))
	}
	sc.consumer.SetPlaceHolder(i18n.T("sale.ph.consumer"))
	sc.product.SetPlaceHolder(i18n.T("sale.ph.product"))
	sc.sn.SetPlaceHolder(i18n.T("sale.ph.sn"))
	sc.price.SetPlaceHolder(i18n.T("sale.ph.price"))
	sc.payment.SetPlaceHolder(i18n.T("sale.ph.payment"))
	sc.tiBrand.SetPlaceHolder(i18n.T("sale.ti.brand"))
	sc.tiModel.SetPlaceHolder(i18n.T("sale.ti.model"))
	sc.tiPrice.SetPlaceHolder(i18n.T("sale.ti.price"))
	sc.tiPhone.SetPlaceHolder(i18n.T("sale.ti.phone"))
	sc.subsidyCap.SetText(i18n.T("sale.subsidy"))
	sc.payCap.SetText(i18n.T("sale.pay"))
	sc.hint.SetText(i18n.T("sale.hint"))
	sc.cancelBtn.SetText(i18n.T("sale.cancel"))
	sc.nextBtn.SetText(i18n.T("sale.new"))
	sc.showInterrupted()

	sc.tiCats = sc.tradeInCategories()
	names := make([]string, len(sc.tiCats))
	for i, c := range sc.tiCats {
		names[i] = i18n.Category(c)
	}
	sel := sc.tiCategory.SelectedIndex()
	sc.tiCategory.SetOptions(names)
	sc.tiCategory.PlaceHolder = i18n.T("sale.ti.category")
	if sel >= 0 {
		sc.tiCategory.SetSelectedIndex(sel)
	}
	selCond := sc.tiCondition.SelectedIndex()
	conds := make([]string, len(conditions))
	for i, c := range conditions {
		conds[i] = i18n.T("cond." + c)
	}
	sc.tiCondition.SetOptions(conds)
	sc.tiCondition.PlaceHolder = i18n.T("sale.ti.condition")
	if selCond >= 0 {
		sc.tiCondition.SetSelectedIndex(selCond)
	}
	sc.tiForm.Items = nil
	sc.tiForm.Append(i18n.T("sale.ti.category"), sc.tiCategory)
	sc.tiForm.Append(i18n.T("sale.ti.brand"), sc.tiBrand)
	sc.tiForm.Append(i18n.T("sale.ti.model"), sc.tiModel)
	sc.tiForm.Append(i18n.T("sale.ti.condition"), sc.tiCondition)
	sc.tiForm.Append(i18n.T("sale.ti.price"), sc.tiPrice)
	sc.tiForm.Append(i18n.T("sale.ti.phone"), sc.tiPhone)
	sc.tiForm.Refresh()
}

// Retranslate shows the screen in the current language; the sale in
// progress keeps its state.
func (sc *Screen) Retranslate() {
	sc.setTexts()
	sc.render()
}

// conditions are the trade-in conditions in the order the picker lists them.
var conditions = []string{agent.ConditionGood, agent.ConditionWorn, agent.ConditionBroken}

// tradeInCategories lists every category of the cached rule sets for the
// old appliance picker (an old dishwasher may be handed in with a new
// fridge); none before the first rules refresh, when nothing sells.
func (sc *Screen) tradeInCategories() []agent.Category {
	ctx, cancel := callCtx()
	defer cancel()
	if r, err := sc.t.Rules(ctx); err == nil {
		return r.AllCategories()
	}
	return nil
}
