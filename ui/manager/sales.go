package manager

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/export"
	"tradein/ui/i18n"
)

// dayLayout is how a person types a day on these screens.
const dayLayout = "2006-01-02"

// listPage is the most sales the agent returns for one list (see
// agent.Session.Sales); a full page means older sales are not shown and
// the manager should narrow the filters (the export still has them all).
const listPage = 1000

// saleStates are the states the sales list filters by; drafts and frozen
// sales are wizard-internal and never listed on their own.
var saleStates = []agent.SaleState{agent.SaleCommitted, agent.SaleReview, agent.SaleRefunded, agent.SaleCancelled}

// salesTab lists sales with search and filters, shows one sale, and
// reprints or refunds it.
type salesTab struct {
	w fyne.Window
	s *agent.Session
	t *agent.Terminal

	query    *widget.Entry
	from, to *widget.Entry // days, inclusive; empty: open
	preset   *widget.Select
	state    *widget.Select
	category *widget.Select
	cats     []agent.Category // category options after "all"
	count    *widget.Label
	list     *widget.List
	detail   *widget.Label
	reprint  *widget.Button
	refund   *widget.Button
	msg      message
	content  fyne.CanvasObject

	sales    []agent.Sale
	selected int // index into sales; -1 when none

	// refundDlg and refundReason are the open refund dialog (tests type
	// into it); nil when none is open.
	refundDlg    *dialog.FormDialog
	refundReason *widget.Entry
	exporter     *exporter
}

func newSalesTab(w fyne.Window, s *agent.Session, t *agent.Terminal) *salesTab {
	st := &salesTab{w: w, s: s, t: t, selected: -1, msg: newMessage()}
	st.query = widget.NewEntry()
	st.query.SetPlaceHolder(i18n.T("mgr.search"))
	st.query.OnSubmitted = func(string) { st.reload() }
	st.from, st.to = widget.NewEntry(), widget.NewEntry()
	st.from.SetPlaceHolder(i18n.T("mgr.from"))
	st.to.SetPlaceHolder(i18n.T("mgr.to"))
	st.from.OnSubmitted = func(string) { st.reload() }
	st.to.OnSubmitted = func(string) { st.reload() }
	presets := []string{i18n.T("mgr.range.today"), i18n.T("mgr.range.week"), i18n.T("mgr.range.all")}
	st.preset = widget.NewSelect(presets, func(v string) { st.applyPreset(v); st.reload() })

	states := []string{i18n.T("mgr.all")}
	for _, ss := range saleStates {
		states = append(states, i18n.State(ss))
	}
	st.state = widget.NewSelect(states, func(string) { st.reload() })
	cats := []string{i18n.T("mgr.all")}
	for _, c := range categories(t) {
		st.cats = append(st.cats, c)
		cats = append(cats, i18n.Category(c))
	}
	st.category = widget.NewSelect(cats, func(string) { st.reload() })

	st.count = widget.NewLabel("")
	st.list = widget.NewList(func() int { return len(st.sales) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(st.sales) {
				o.(*widget.Label).SetText(saleRow(st.sales[id]))
			}
		})
	st.list.OnSelected = func(id widget.ListItemID) { st.selected = id; st.showDetail() }
	st.list.OnUnselected = func(widget.ListItemID) { st.selected = -1; st.showDetail() }
	st.detail = widget.NewLabel(i18n.T("mgr.select"))
	st.detail.Wrapping = fyne.TextWrapWord
	st.reprint = widget.NewButton(i18n.T("mgr.reprint"), st.doReprint)
	st.refund = widget.NewButton(i18n.T("mgr.refund"), st.askRefund)
	st.refund.Importance = widget.DangerImportance
	if !s.Can(agent.ActRefund) {
		st.refund.Hide()
	}
	actions := container.NewHBox(st.reprint, st.refund)
	var exportBar fyne.CanvasObject = container.NewHBox()
	if s.Can(agent.ActReport) {
		st.exporter = newExporter(w, st.msg)
		exportBar = container.NewHBox(
			widget.NewButton(i18n.T("report.csv"), func() { st.askExport(formatCSV) }),
			widget.NewButton(i18n.T("report.xlsx"), func() { st.askExport(formatXLSX) }))
	}

	filters := container.NewVBox(
		container.NewBorder(nil, nil, nil, widget.NewButton(i18n.T("mgr.find"), st.reload), st.query),
		container.NewHBox(widget.NewLabel(i18n.T("mgr.range")), st.preset, dayBox(st.from), widget.NewLabel("–"), dayBox(st.to),
			widget.NewLabel(i18n.T("mgr.state")), st.state, widget.NewLabel(i18n.T("mgr.category")), st.category),
	)
	right := container.NewBorder(nil, container.NewVBox(actions, exportBar, st.msg.Label), nil, nil, container.NewVScroll(st.detail))
	split := container.NewHSplit(container.NewBorder(nil, st.count, nil, nil, st.list), right)
	split.Offset = 0.6
	st.content = container.NewBorder(filters, nil, nil, nil, split)

	// Filters first, then the period: only the last call reloads (the
	// others find the list not built yet or the period unset).
	st.state.Selected = st.state.Options[0]
	st.category.Selected = st.category.Options[0]
	st.preset.SetSelectedIndex(1) // last 7 days; reloads
	return st
}

// dayBox gives a day entry room for "2026-03-10" in a row of filters.
func dayBox(e *widget.Entry) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(dayEntryWidth, e.MinSize().Height), e)
}

// dayEntryWidth fits "2026-03-10" in the default theme with room to edit.
const dayEntryWidth = 130

// categories lists every category of the cached rule sets, old ones too
// (the list holds sales of earlier years); none before the first rules
// refresh.
func categories(t *agent.Terminal) []agent.Category {
	ctx, cancel := callCtx()
	defer cancel()
	r, err := t.Rules(ctx)
	if err != nil {
		return nil
	}
	return r.AllCategories()
}

// applyPreset fills the day range from a preset choice.
func (st *salesTab) applyPreset(v string) {
	today := agent.BusinessDay(now())
	switch v {
	case i18n.T("mgr.range.today"):
		st.from.SetText(today.Format(dayLayout))
		st.to.SetText(today.Format(dayLayout))
	case i18n.T("mgr.range.week"):
		st.from.SetText(today.AddDate(0, 0, -6).Format(dayLayout))
		st.to.SetText(today.Format(dayLayout))
	default:
		st.from.SetText("")
		st.to.SetText("")
	}
}

// filter builds the agent filter from the controls; ok is false (and the
// message says why) when a day is mistyped.
func (st *salesTab) filter() (agent.SaleFilter, bool) {
	var f agent.SaleFilter
	f.Query = strings.TrimSpace(st.query.Text)
	from, err1 := parseDay(st.from.Text)
	to, err2 := parseDay(st.to.Text)
	if err1 != nil || err2 != nil {
		st.msg.warn(i18n.T("report.bad_day"))
		return f, false
	}
	f.From = from
	if !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the "to" day is included
	}
	if i := st.state.SelectedIndex(); i > 0 {
		f.States = []agent.SaleState{saleStates[i-1]}
	}
	if i := st.category.SelectedIndex(); i > 0 {
		f.Category = st.cats[i-1]
	}
	return f, true
}

// parseDay reads "2026-03-10" as local midnight in China time; empty
// gives the zero time.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(dayLayout, s, agent.ChinaTime)
}

// reload lists the sales the filters select and keeps the selected sale
// selected when it is still listed.
func (st *salesTab) reload() {
	if st.list == nil || st.state == nil || st.category == nil {
		return // still building
	}
	f, ok := st.filter()
	if !ok {
		return
	}
	ctx, cancel := callCtx()
	defer cancel()
	sales, err := st.s.Sales(ctx, f)
	if err != nil {
		st.msg.fail(err)
		return
	}
	prev := ""
	if st.selected >= 0 && st.selected < len(st.sales) {
		prev = st.sales[st.selected].OrderNo
	}
	st.sales = sales
	st.selected = -1
	st.list.UnselectAll()
	st.list.Refresh()
	count := i18n.T("mgr.count", len(sales))
	if len(sales) >= listPage {
		count += " " + i18n.T("mgr.truncated", listPage)
	}
	st.count.SetText(count)
	for i, s := range sales {
		if s.OrderNo == prev {
			st.list.Select(i)
			break
		}
	}
	st.showDetail()
}

// current returns the selected sale.
func (st *salesTab) current() (agent.Sale, bool) {
	if st.selected < 0 || st.selected >= len(st.sales) {
		return agent.Sale{}, false
	}
	return st.sales[st.selected], true
}

func (st *salesTab) showDetail() {
	sale, ok := st.current()
	if !ok {
		st.detail.SetText(i18n.T("mgr.select"))
		st.reprint.Disable()
		st.refund.Disable()
		return
	}
	st.detail.SetText(saleDetail(sale))
	st.reprint.Enable()
	if sale.State == agent.SaleCommitted || sale.State == agent.SaleReview {
		st.refund.Enable()
	} else {
		st.refund.Disable()
	}
}

func (st *salesTab) doReprint() {
	sale, ok := st.current()
	if !ok {
		st.msg.warn(i18n.T("mgr.select"))
		return
	}
	ctx, cancel := callCtx()
	defer cancel()
	id, err := st.s.Reprint(ctx, sale.OrderNo)
	if err != nil {
		st.msg.fail(err)
		return
	}
	st.msg.ok(i18n.T("mgr.reprinted", id))
}

// askRefund opens the refund dialog: the reason is required, and the
// dialog states what the refund does before the manager confirms it.
func (st *salesTab) askRefund() {
	sale, ok := st.current()
	if !ok {
		st.msg.warn(i18n.T("mgr.select"))
		return
	}
	reason := widget.NewEntry()
	reason.SetPlaceHolder(i18n.T("mgr.reason"))
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s", i18n.T("mgr.need_reason"))
		}
		return nil
	}
	warning := widget.NewLabel(i18n.T("mgr.refund_confirm", sale.OrderNo, sale.SubsidyFen.String()))
	warning.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		{Text: "", Widget: warning},
		{Text: i18n.T("mgr.reason"), Widget: reason},
	}
	d := dialog.NewForm(i18n.T("mgr.refund"), i18n.T("mgr.refund_do"), i18n.T("app.cancel"), items, func(confirmed bool) {
		st.refundDlg, st.refundReason = nil, nil
		if confirmed {
			st.doRefund(sale.OrderNo, reason.Text)
		}
	}, st.w)
	reason.OnSubmitted = func(string) { d.Submit() }
	st.refundDlg, st.refundReason = d, reason
	d.Resize(fyne.NewSize(480, 260))
	d.Show()
	st.w.Canvas().Focus(reason)
}

// doRefund refunds the sale. A refund whose receipt could not be queued is
// still a refund (the agent returns the sale with CodePrintFailed): the
// list shows the new state and the message says to reprint.
func (st *salesTab) doRefund(orderNo, reason string) {
	ctx, cancel := callCtx()
	defer cancel()
	sale, err := st.s.Refund(ctx, orderNo, reason)
	switch {
	case err == nil:
		st.reload()
		st.msg.ok(i18n.T("mgr.refunded", sale.OrderNo, sale.RefundNo))
	case agent.CodeOf(err) == agent.CodePrintFailed && sale.State == agent.SaleRefunded:
		st.reload()
		st.msg.warn(i18n.T("mgr.refunded", sale.OrderNo, sale.RefundNo) + "\n" + i18n.Error(err))
	default:
		st.msg.fail(err)
	}
}

// askExport asks for a file and exports what the filters select.
func (st *salesTab) askExport(format exportFormat) {
	f, ok := st.filter()
	if !ok {
		return
	}
	st.exporter.ask(format, "sales", st.exportFunc(f))
}

// exportFunc returns the export of every sale f selects (all pages, not
// only the listed ones). f is read on the UI goroutine; the export
// goroutine never touches the tab.
func (st *salesTab) exportFunc(f agent.SaleFilter) func(exportWriter) error {
	s, info := st.s, st.t.Info()
	return func(w exportWriter) error {
		sales, err := export.CollectSales(w.ctx, s.Sales, f, w.progress)
		if err != nil {
			return err
		}
		o := exportOptions(info, w.progress)
		if w.format == formatXLSX {
			return export.SalesXLSX(w.out, sales, o)
		}
		return export.SalesCSV(w.out, sales, o)
	}
}

// saleRow is one line of the sales list.
func saleRow(s agent.Sale) string {
	return i18n.T("mgr.row", s.CreatedAt.In(agent.ChinaTime).Format("01-02 15:04"), s.OrderNo, i18n.State(s.State),
		i18n.Category(s.Product.Category)+" "+s.Product.Model, s.SubsidyFen.String(), s.FinalPriceFen.String())
}

// saleDetail is the detail view of one sale: amounts, product, consumer
// (masked by the agent), warnings, rejection and refund.
func saleDetail(s agent.Sale) string {
	var b strings.Builder
	sn := s.SN
	if sn == "" {
		sn = i18n.T("app.none")
	}
	b.WriteString(i18n.T("mgr.detail", s.OrderNo, i18n.State(s.State), s.CreatedAt.In(agent.ChinaTime).Format("2006-01-02 15:04:05"),
		s.Product.Brand, s.Product.Model, sn,
		s.FinalPriceFen.String(), s.SubsidyFen.String(), s.PayFen.String(), s.PaymentRef,
		s.Consumer.Masked, s.StaffID))
	if s.Offline {
		b.WriteString(" · " + i18n.T("mgr.offline"))
	}
	if s.RuleSetID != "" {
		// The rule set the subsidy was computed under (and a refund
		// follows), with the category as those rules name it.
		b.WriteString("\n" + i18n.T("mgr.ruleset", s.RuleSetID, i18n.Category(s.Product.Category)))
	}
	if s.TradeIn != nil {
		b.WriteString("\n" + i18n.T("sale.ti.ticket", s.TradeIn.TicketNo))
	}
	for _, w := range s.Warnings {
		b.WriteString("\n" + i18n.T("sale.warn", i18n.Warning(w)))
	}
	if s.RejectCode != "" {
		b.WriteString("\n" + i18n.T("review.reason", rejectText(s)))
	}
	if s.RefundNo != "" {
		b.WriteString("\n" + i18n.T("mgr.refund_info", s.RefundNo, s.RefundReason))
	}
	if !s.ReviewedAt.IsZero() {
		b.WriteString("\n" + i18n.T("review.resolved", s.ReviewNote))
	}
	return b.String()
}

// rejectText is the platform's rejection in the manager's words: the
// sentence of the code when the terminal knows it, else the platform's
// own reason.
func rejectText(s agent.Sale) string {
	if v, ok := i18n.Lookup(i18n.Current(), i18n.ErrorKey(agent.Code(s.RejectCode))); ok {
		return v
	}
	if s.RejectReason != "" {
		return s.RejectReason
	}
	return s.RejectCode
}
