package manager

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"tradein/agent"
	"tradein/agent/export"
	"tradein/ui/i18n"
)

// reportTab shows the daily report of a chosen day: totals, a table and a
// bar chart by category, export and print.
type reportTab struct {
	w fyne.Window
	s *agent.Session
	t *agent.Terminal

	day      *widget.Entry
	totals   *widget.Label
	table    *widget.Table
	chart    *barChart
	msg      message
	exporter *exporter
	content  fyne.CanvasObject

	report agent.DailyReport
	shown  bool // report holds a loaded day
}

// reportColumns are the category table's columns.
var reportColumns = []string{"mgr.category", "report.col.sales", "report.col.final", "report.col.subsidy"}

func newReportTab(w fyne.Window, s *agent.Session, t *agent.Terminal) *reportTab {
	r := &reportTab{w: w, s: s, t: t, msg: newMessage(), chart: newBarChart()}
	r.exporter = newExporter(w, r.msg)
	r.day = widget.NewEntry()
	r.day.SetPlaceHolder(i18n.T("report.day"))
	r.day.SetText(agent.BusinessDay(now()).Format(dayLayout))
	r.day.OnSubmitted = func(string) { r.show() }
	r.totals = widget.NewLabel("")
	r.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(r.report.ByCategory), len(reportColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("¥000,000.00") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(r.cell(id)) })
	r.table.ShowHeaderColumn = false
	r.table.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	r.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(reportColumns) {
			o.(*widget.Label).SetText(i18n.T(reportColumns[id.Col]))
		}
	}
	for col, width := range []float32{140, 80, 140, 140} {
		r.table.SetColumnWidth(col, width)
	}
	buttons := container.NewHBox(
		widget.NewButton(i18n.T("report.csv"), func() { r.askExport(formatCSV) }),
		widget.NewButton(i18n.T("report.xlsx"), func() { r.askExport(formatXLSX) }),
		widget.NewButton(i18n.T("report.print"), r.print))
	top := container.NewBorder(nil, nil, widget.NewLabel(i18n.T("report.day")),
		widget.NewButton(i18n.T("report.show"), r.show), r.day)
	chartBox := container.NewBorder(widget.NewLabelWithStyle(i18n.T("report.chart"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, container.NewVScroll(r.chart.box))
	body := container.NewHSplit(r.table, chartBox)
	r.content = container.NewBorder(container.NewVBox(top, r.totals), container.NewVBox(buttons, r.msg.Label), nil, nil, body)
	r.show()
	return r
}

// askExport asks for a file and exports the report on screen.
func (r *reportTab) askExport(format exportFormat) {
	if !r.shown {
		r.msg.warn(i18n.T("report.bad_day"))
		return
	}
	name := "daily-" + r.report.Day.In(agent.ChinaTime).Format("20060102")
	r.exporter.ask(format, name, r.exportFunc(r.report))
}

// cell is the text of one cell of the category table.
func (r *reportTab) cell(id widget.TableCellID) string {
	if id.Row < 0 || id.Row >= len(r.report.ByCategory) {
		return ""
	}
	ct := r.report.ByCategory[id.Row]
	switch id.Col {
	case 0:
		return i18n.Category(ct.Category)
	case 1:
		return strconv.Itoa(ct.Sales)
	case 2:
		return ct.FinalFen.String()
	default:
		return ct.SubsidyFen.String()
	}
}

// show loads the report of the typed day.
func (r *reportTab) show() {
	day, err := parseDay(r.day.Text)
	if err != nil || day.IsZero() {
		r.msg.warn(i18n.T("report.bad_day"))
		return
	}
	ctx, cancel := callCtx()
	defer cancel()
	rep, err := r.s.DailyReport(ctx, day)
	if err != nil {
		r.msg.fail(err)
		return
	}
	r.report, r.shown = rep, true
	r.totals.SetText(i18n.T("report.totals", rep.Sales, rep.Refunds, rep.TradeIns,
		rep.FinalPriceFen.String(), rep.SubsidyFen.String(), rep.PayFen.String(), rep.PendingSync, rep.InReview))
	r.table.Refresh()
	r.chart.set(rep.ByCategory)
	if len(rep.ByCategory) == 0 {
		r.msg.info(i18n.T("report.no_sales"))
	} else {
		r.msg.info("")
	}
}

func (r *reportTab) print() {
	if !r.shown {
		r.msg.warn(i18n.T("report.bad_day"))
		return
	}
	ctx, cancel := callCtx()
	defer cancel()
	id, err := r.s.PrintDailyReport(ctx, r.report.Day)
	if err != nil {
		r.msg.fail(err)
		return
	}
	r.msg.ok(i18n.T("report.printed", id))
}

// exportFunc returns the export of rep and the day's sales (all of them,
// in every state, for reconciliation). It captures rep on the UI
// goroutine, so the export goroutine never reads the tab's fields.
func (r *reportTab) exportFunc(rep agent.DailyReport) func(exportWriter) error {
	s, info := r.s, r.t.Info()
	return func(w exportWriter) error {
		f := agent.SaleFilter{From: rep.Day, To: rep.Day.AddDate(0, 0, 1)}
		sales, err := export.CollectSales(w.ctx, s.Sales, f, nil)
		if err != nil {
			return err
		}
		o := exportOptions(info, w.progress)
		if w.format == formatXLSX {
			return export.DailyXLSX(w.out, rep, sales, o)
		}
		return export.DailyCSV(w.out, rep, sales, o)
	}
}
