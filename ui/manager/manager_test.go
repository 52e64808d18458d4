package manager

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"tradein/agent"
	"tradein/ui/i18n"
)

func hasText(all []string, sub string) bool {
	return slices.ContainsFunc(all, func(s string) bool { return strings.Contains(s, sub) })
}

func TestManagerRefundsACommittedSale(t *testing.T) {
	f := newFixture(t)
	sale := f.sell(fridge, agent.Yuan(3000))
	sc, w := f.show(f.login("M1"))
	st := sc.sales
	if len(st.sales) != 1 || st.sales[0].OrderNo != sale.OrderNo {
		t.Fatalf("sales list %+v", st.sales)
	}
	if !hasText(labels(st.list), "已完成") {
		t.Fatalf("list shows %q", labels(st.list))
	}
	st.list.Select(0)
	if !strings.Contains(st.detail.Text, sale.OrderNo) || !strings.Contains(st.detail.Text, "¥450.00") ||
		!strings.Contains(st.detail.Text, "补贴规则 CN-2026 · 品类 冰箱") {
		t.Fatalf("detail %q", st.detail.Text)
	}

	// Reprint: a new receipt marked as a reprint.
	test.Tap(st.reprint)
	if r := f.printer.Last(); r.Kind != agent.ReceiptSale || !r.Reprint {
		t.Fatalf("reprint receipt %s reprint=%v", r.Kind, r.Reprint)
	}
	if !strings.Contains(st.msg.Text, "重打印") {
		t.Errorf("reprint message %q", st.msg.Text)
	}

	// Refund: the dialog will not submit without a reason.
	test.Tap(st.refund)
	if st.refundDlg == nil || w.Canvas().Focused() != st.refundReason {
		t.Fatal("refund dialog did not open with the reason focused")
	}
	st.refundDlg.Submit()
	if got, _ := f.store.Sale(f.ctx, sale.OrderNo); got.State != agent.SaleCommitted {
		t.Fatalf("refunded without a reason: %s", got.State)
	}
	test.Type(st.refundReason, "屏幕坏点")
	st.refundReason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits
	got, err := f.store.Sale(f.ctx, sale.OrderNo)
	if err != nil || got.State != agent.SaleRefunded || got.RefundReason != "屏幕坏点" {
		t.Fatalf("after refund: %s %q %v", got.State, got.RefundReason, err)
	}
	if r := f.printer.Last(); r.Kind != agent.ReceiptRefund || r.Reprint {
		t.Fatalf("refund receipt %s", r.Kind)
	}
	if !hasText(labels(st.list), "已退款") || hasText(labels(st.list), "已完成") {
		t.Fatalf("list after refund shows %q", labels(st.list))
	}
	if !strings.Contains(st.msg.Text, got.RefundNo) {
		t.Errorf("message %q lacks the refund number", st.msg.Text)
	}
	if !st.refund.Disabled() {
		t.Error("refund stays enabled on a refunded sale")
	}
}

func TestSalesListSearchAndFilters(t *testing.T) {
	f := newFixture(t)
	a := f.sell(fridge, agent.Yuan(3000))
	b := f.sell(tv, agent.Yuan(4000))
	sc, _ := f.show(f.login("M1"))
	st := sc.sales
	if len(st.sales) != 2 {
		t.Fatalf("%d sales listed", len(st.sales))
	}
	test.Type(st.query, b.OrderNo)
	st.query.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(st.sales) != 1 || st.sales[0].OrderNo != b.OrderNo {
		t.Fatalf("search by order number: %+v", st.sales)
	}
	st.query.SetText(fridge.Barcode)
	st.reload()
	if len(st.sales) != 1 || st.sales[0].OrderNo != a.OrderNo {
		t.Fatalf("search by barcode: %d", len(st.sales))
	}
	st.query.SetText("")
	st.category.SetSelected(i18n.Category(agent.CatTV))
	if len(st.sales) != 1 || st.sales[0].OrderNo != b.OrderNo {
		t.Fatalf("category filter: %d", len(st.sales))
	}
	st.category.SetSelectedIndex(0)
	st.state.SetSelected(i18n.State(agent.SaleRefunded))
	if len(st.sales) != 0 {
		t.Fatalf("state filter: %d", len(st.sales))
	}
	st.state.SetSelectedIndex(0)
	st.from.SetText("2026-03-11")
	st.reload()
	if len(st.sales) != 0 {
		t.Fatalf("day filter: %d", len(st.sales))
	}
	st.from.SetText("2026-3-x")
	st.reload()
	if st.msg.Text != i18n.T("report.bad_day") {
		t.Fatalf("bad day message %q", st.msg.Text)
	}
}

func TestReviewListShowsReasonAndResolves(t *testing.T) {
	f := newFixture(t)
	sale := f.sell(fridge, agent.Yuan(3000))
	f.reject(sale, agent.CodeVoucherUsed, "voucher used at another store")
	sc, _ := f.show(f.login("M1"))
	r := sc.review
	if len(r.sales) != 1 || r.empty.Visible() {
		t.Fatalf("review list %+v", r.sales)
	}
	want, _ := i18n.Lookup(i18n.ZH, "err.VOUCHER_USED")
	if !hasText(labels(r.list), want) || !hasText(labels(r.list), "待复核") {
		t.Fatalf("review row %q lacks the translated reason %q", labels(r.list), want)
	}
	r.list.Select(0)
	if !strings.Contains(r.detail.Text, want) {
		t.Fatalf("detail %q", r.detail.Text)
	}
	test.Tap(r.resolve)
	if r.msg.Text != i18n.T("review.need_note") {
		t.Fatalf("empty note accepted: %q", r.msg.Text)
	}
	test.Type(r.note, "已电话联系消费者，改为原价")
	test.Tap(r.resolve)
	got, err := f.store.Sale(f.ctx, sale.OrderNo)
	if err != nil || got.ReviewNote != "已电话联系消费者，改为原价" || got.ReviewedBy != "M1" {
		t.Fatalf("resolution not recorded: %+v %v", got, err)
	}
	if len(r.sales) != 0 || !r.empty.Visible() {
		t.Fatalf("resolved sale still listed: %d", len(r.sales))
	}
}

// reportFixture sells two fridges, one TV and a refunded fridge.
func reportFixture(t *testing.T) (*fixture, *reportTab) {
	f := newFixture(t)
	f.sell(fridge, agent.Yuan(3000))   // subsidy 450.00 (2026, grade 1: 15%)
	f.sell(fridge, agent.Fen(2999_99)) // subsidy 449.99 (floor)
	f.sell(tv, agent.Yuan(3000))       // subsidy 450.00
	gone := f.sell(fridge, agent.Yuan(5000))
	mgr := f.login("M1")
	if _, err := mgr.Refund(f.ctx, gone.OrderNo, "退货"); err != nil {
		t.Fatal(err)
	}
	sc, _ := f.show(mgr)
	return f, sc.report
}

func TestDailyReportTotalsAndChart(t *testing.T) {
	_, r := reportFixture(t)
	// Standing sales: 3000 + 2999.99 + 3000 = 8999.99 final, 450 + 449.99
	// + 450 = 1349.99 subsidy, 7650.00 paid. All four sales (the refunded
	// one too) still wait for the platform: nothing synced.
	want := i18n.T("report.totals", 4, 1, 0, agent.Fen(8999_99).String(), agent.Fen(1349_99).String(), agent.Fen(7650_00).String(), 4, 0)
	if r.totals.Text != want {
		t.Fatalf("totals\n got %q\nwant %q", r.totals.Text, want)
	}
	if rows, cols := r.table.Length(); rows != 2 || cols != 4 {
		t.Fatalf("table %dx%d", rows, cols)
	}
	cells := []string{r.cell(cellID(0, 0)), r.cell(cellID(0, 1)), r.cell(cellID(0, 2)), r.cell(cellID(0, 3)), r.cell(cellID(1, 0)), r.cell(cellID(1, 3))}
	if strings.Join(cells, "|") != "冰箱|2|¥5,999.99|¥899.99|电视|¥450.00" {
		t.Fatalf("table cells %q", cells)
	}
	if len(r.chart.bars) != 2 {
		t.Fatalf("%d bars, want one per category", len(r.chart.bars))
	}
	full, part := r.chart.bars[0].Size().Width, r.chart.bars[1].Size().Width
	if full <= 0 || part <= 0 || part >= full {
		t.Fatalf("bar widths fridge %v tv %v", full, part)
	}
	if ratio := part / full; ratio < 0.49 || ratio > 0.51 { // 450.00 / 899.99
		t.Errorf("tv/fridge bar ratio %.3f, want ≈0.5", ratio)
	}
	if !hasText(labels(r.chart.box), "冰箱") || !hasText(labels(r.chart.box), "¥899.99") {
		t.Errorf("chart labels %q", labels(r.chart.box))
	}

	// Another day has nothing.
	r.day.SetText("2026-03-11")
	r.day.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(r.chart.bars) != 0 || r.msg.Text != i18n.T("report.no_sales") {
		t.Fatalf("empty day: %d bars, %q", len(r.chart.bars), r.msg.Text)
	}
	r.day.SetText("10.3.2026")
	r.show()
	if r.msg.Text != i18n.T("report.bad_day") {
		t.Fatalf("bad day: %q", r.msg.Text)
	}
}

func TestDailyReportPrints(t *testing.T) {
	f, r := reportFixture(t)
	r.print()
	if rec := f.printer.Last(); rec.Kind != agent.ReceiptDaily || rec.Daily == nil || rec.Daily.SubsidyFen != 1349_99 {
		t.Fatalf("printed %+v", rec.Kind)
	}
	if !strings.Contains(r.msg.Text, "J") {
		t.Errorf("message %q", r.msg.Text)
	}
}

func cellID(row, col int) widget.TableCellID { return widget.TableCellID{Row: row, Col: col} }

// exportTo runs an export through the exporter into a file and returns
// its bytes.
func exportTo(t *testing.T, e *exporter, format exportFormat, write func(exportWriter) error) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out."+string(format))
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	e.run(format, fh, path, write)
	if e.lastPath != path {
		t.Fatalf("export did not finish: message %q", e.msg.Text)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDailyReportExportsCSVAndXLSX(t *testing.T) {
	_, r := reportFixture(t)
	b := exportTo(t, r.exporter, formatCSV, r.exportFunc(r.report))
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatal("CSV lacks the BOM")
	}
	cr := csv.NewReader(bytes.NewReader(b[3:]))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string][]string{}
	sales := 0
	for _, row := range rows {
		vals[row[0]] = row
		if strings.Contains(row[0], "T000120260310") {
			sales++
		}
	}
	if v := vals["补贴金额（元）"]; len(v) < 2 || v[1] != "1349.99" {
		t.Errorf("subsidy row %q", v)
	}
	if v := vals["冰箱"]; len(v) < 4 || v[1] != "2" || v[2] != "5999.99" || v[3] != "899.99" {
		t.Errorf("fridge row %q", v)
	}
	if sales != 4 {
		t.Errorf("%d sales rows, want 4 (the refunded one included)", sales)
	}
	if !strings.Contains(r.msg.Text, "out.csv") {
		t.Errorf("message %q", r.msg.Text)
	}

	b = exportTo(t, r.exporter, formatXLSX, r.exportFunc(r.report))
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rep, err := x.GetRows("日报")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, row := range rep {
		if len(row) > 0 {
			found[row[0]] = row
		}
	}
	if v := found["实收金额（元）"]; len(v) < 2 || v[1] != "7650.00" {
		t.Errorf("XLSX paid row %q", v)
	}
	if v := found["电视"]; len(v) < 4 || v[3] != "450.00" {
		t.Errorf("XLSX tv row %q", v)
	}
	detail, err := x.GetRows("销售明细")
	if err != nil || len(detail) != 5 {
		t.Fatalf("XLSX detail has %d rows (%v), want header + 4", len(detail), err)
	}
	if typ, _ := x.GetCellType("日报", "B6"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("subsidy cell type %v, want a number", typ)
	}
}

func TestSalesListExportsWhatIsFiltered(t *testing.T) {
	f := newFixture(t)
	f.sell(fridge, agent.Yuan(3000))
	b := f.sell(tv, agent.Yuan(4000))
	sc, _ := f.show(f.login("M1"))
	st := sc.sales
	st.category.SetSelected(i18n.Category(agent.CatTV))
	flt, ok := st.filter()
	if !ok {
		t.Fatal("filter")
	}
	out := exportTo(t, st.exporter, formatCSV, st.exportFunc(flt))
	text := string(out)
	if !strings.Contains(text, b.OrderNo) || strings.Count(text, "T000120260310") != 1 || !strings.Contains(text, ",4000.00,600.00,3400.00,") {
		t.Fatalf("sales CSV:\n%s", text)
	}
}

func TestClerkSeesNoRefundReviewReportOrStaff(t *testing.T) {
	f := newFixture(t)
	sale := f.sell(fridge, agent.Yuan(3000))
	clerk := f.login("C1")
	sc, _ := f.show(clerk)
	var titles []string
	for _, ti := range sc.tabs.Items {
		titles = append(titles, ti.Text)
	}
	if strings.Join(titles, ",") != "销售记录,打印问题" {
		t.Fatalf("clerk tabs %v", titles)
	}
	if sc.review != nil || sc.report != nil || sc.staff != nil {
		t.Fatal("clerk got manager tabs")
	}
	if sc.sales.refund.Visible() || sc.sales.exporter != nil {
		t.Fatal("clerk sees refund or export")
	}
	// The agent refuses again if the screen were bypassed; the sentence is plain words.
	_, err := clerk.Refund(f.ctx, sale.OrderNo, "x")
	if agent.CodeOf(err) != agent.CodePermission {
		t.Fatalf("clerk refund: %v", err)
	}
	sc.sales.msg.fail(err)
	if sc.sales.msg.Text != i18n.T("err.PERMISSION_DENIED") {
		t.Fatalf("refusal shown as %q", sc.sales.msg.Text)
	}

	recycler, _ := f.show(f.login("R1"))
	if len(recycler.tabs.Items) != 1 || !hasText(labels(recycler.tabs.Items[0].Content), i18n.T("app.denied")) {
		t.Fatal("recycler is not refused")
	}
}

func TestStaffAddResetDisable(t *testing.T) {
	f := newFixture(t)
	sc, w := f.show(f.login("M1"))
	st := sc.staff
	if len(st.staff) != 3 {
		t.Fatalf("%d staff", len(st.staff))
	}
	sc.tabs.SelectIndex(3)
	if w.Canvas().Focused() != st.name {
		t.Fatal("the staff tab does not focus the name field")
	}
	test.Type(st.name, "赵敏")
	st.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if w.Canvas().Focused() != st.pin {
		t.Fatal("Enter in the name field does not move to the PIN")
	}
	test.Type(st.pin, "5678")
	st.pin.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(st.pin2, "5679")
	st.pin2.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if st.msg.Text != i18n.T("staff.pin_mismatch") || len(st.staff) != 3 {
		t.Fatalf("mismatched PINs: %q, %d staff", st.msg.Text, len(st.staff))
	}
	test.Type(st.pin2, "5678")
	st.pin2.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(st.staff) != 4 || !hasText(labels(st.list), "赵敏") {
		t.Fatalf("staff after add: %q (%q)", labels(st.list), st.msg.Text)
	}
	var added agent.Staff
	for i, s := range st.staff {
		if s.Name == "赵敏" {
			added = s
			st.list.Select(i)
		}
	}
	if added.Role != agent.RoleClerk {
		t.Fatalf("added %+v", added)
	}
	if s, err := f.term.Login(f.ctx, added.ID, "5678"); err != nil {
		t.Fatalf("new staff cannot log in: %v", err)
	} else {
		s.Logout()
	}

	// Wrong PINs lock the new member out; the list says so and until when.
	for i := 0; i < agent.MaxPINFailures; i++ {
		f.term.Login(f.ctx, added.ID, "0000")
	}
	st.reload()
	until := now().Add(agent.PINLockout).In(agent.ChinaTime).Format("15:04")
	if !hasText(labels(st.list), i18n.T("staff.locked", until)) {
		t.Fatalf("list %q does not show the lockout until %s", labels(st.list), until)
	}
	for i, s := range st.staff {
		if s.ID == added.ID {
			st.list.Select(i)
		}
	}

	test.Tap(st.reset)
	if st.resetDlg == nil {
		t.Fatal("reset dialog did not open")
	}
	test.Type(st.resetPIN, "4321")
	test.Type(st.resetPIN2, "4321")
	st.resetDlg.Submit()
	if _, err := f.term.Login(f.ctx, added.ID, "4321"); err != nil {
		t.Fatalf("reset PIN does not work: %v", err)
	}

	test.Tap(st.toggle)
	if _, err := f.term.Login(f.ctx, added.ID, "4321"); agent.CodeOf(err) != agent.CodeWrongPIN {
		t.Fatalf("disabled staff logs in: %v", err)
	}
	if !hasText(labels(st.list), i18n.T("staff.inactive")) {
		t.Fatalf("list %q does not show the disabled member", labels(st.list))
	}
	// A fresh tab (another day) still lists the disabled member, and
	// re-enables them with the same button.
	st = newStaffTab(w, st.s)
	selected := false
	for i, s := range st.staff {
		if s.ID == added.ID {
			st.list.Select(i)
			selected = !s.Active
		}
	}
	if !selected || st.toggle.Text != i18n.T("staff.enable") {
		t.Fatalf("a new staff tab does not offer to enable %s: %q, button %q", added.ID, labels(st.list), st.toggle.Text)
	}
	test.Tap(st.toggle)
	if _, err := f.term.Login(f.ctx, added.ID, "4321"); err != nil {
		t.Fatalf("re-enabled staff cannot log in: %v", err)
	}
	if st.msg.Text != i18n.T("staff.enabled", added.Name) {
		t.Fatalf("enable message %q", st.msg.Text)
	}

	// A manager cannot disable themselves: the agent's refusal in words.
	for i, s := range st.staff {
		if s.ID == "M1" {
			st.list.Select(i)
		}
	}
	test.Tap(st.toggle)
	if st.msg.Text != i18n.T("err.INVALID_REQUEST") {
		t.Fatalf("self-disable message %q", st.msg.Text)
	}
}

func TestPrintProblemsRetryAndSkip(t *testing.T) {
	f := newFixture(t)
	mgr := f.login("M1")
	a := f.sell(fridge, agent.Yuan(3000))
	b := f.sell(tv, agent.Yuan(4000))
	jobA, _ := mgr.Reprint(f.ctx, a.OrderNo)
	jobB, _ := mgr.Reprint(f.ctx, b.OrderNo)
	f.printer.Fail(t, jobA, "printer reports PAPER_OUT")
	f.printer.Fail(t, jobB, "write /dev/ttyUSB0: input/output error")

	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	p := newPrintTab(w, mgr)
	w.SetContent(p.content)
	w.Resize(fyne.NewSize(800, 600))
	if len(p.jobs) != 2 || p.summary.Text != i18n.T("print.body", 2) {
		t.Fatalf("jobs %d, summary %q", len(p.jobs), p.summary.Text)
	}
	if !hasText(labels(p.list), "缺纸") || !hasText(labels(p.list), a.OrderNo) {
		t.Fatalf("rows %q", labels(p.list))
	}
	if !p.retry.Disabled() {
		t.Fatal("retry enabled with nothing selected")
	}
	p.list.Select(0)
	test.Tap(p.retry)
	if j, _ := f.store.PrintJob(f.ctx, jobA); j.State != agent.PrintQueued {
		t.Fatalf("retried job is %s", j.State)
	}
	p.list.Select(0)
	test.Tap(p.skip)
	if j, _ := f.store.PrintJob(f.ctx, jobB); j.State != agent.PrintSkipped {
		t.Fatalf("skipped job is %s", j.State)
	}
	if len(p.jobs) != 0 || p.summary.Text != i18n.T("print.none") {
		t.Fatalf("after: %d jobs, %q", len(p.jobs), p.summary.Text)
	}
	// The reusable panel the main window can show.
	if PrintProblems(w, mgr) == nil {
		t.Fatal("PrintProblems returned nil")
	}
}

func TestReviewReasonNamesWarnings(t *testing.T) {
	i18n.SetLang(i18n.ZH)
	s := agent.Sale{State: agent.SaleCommitted, Warnings: []agent.Warning{
		{Code: agent.WarnRepeatConsumer}, {Code: agent.WarnModelBurst}, {Code: agent.WarnPriceAboveFiled}}}
	if got := reviewReason(s); got != "该消费者以前享受过补贴；同型号短时间内集中销售（疑似囤货）；成交价高于备案价" {
		t.Fatalf("reason %q", got)
	}
	for _, c := range []string{agent.WarnRepeatConsumer, agent.WarnSNSeenBefore, agent.WarnModelBurst, agent.WarnPriceRaised,
		agent.WarnPriceAboveFiled, agent.WarnSyncRejected, agent.WarnSubsidyDiffers, agent.WarnFreezeExpired} {
		if _, ok := i18n.Lookup(i18n.EN, "warn."+c); !ok {
			t.Errorf("warning %s has no text", c)
		}
	}
	// A sale refunded before the platform's refusal arrived: both reasons.
	s = agent.Sale{State: agent.SaleRefunded, RejectCode: string(agent.CodeSNUsed), Warnings: []agent.Warning{{Code: agent.WarnSyncRejected}}}
	if got := reviewReason(s); !strings.Contains(got, "序列号已经享受过补贴") || !strings.Contains(got, "平台事后拒绝") {
		t.Fatalf("reason %q", got)
	}
}

func TestManagerScreenInEnglish(t *testing.T) {
	f := newFixture(t)
	i18n.SetLang(i18n.EN)
	defer i18n.SetLang(i18n.ZH)
	f.sell(fridge, agent.Yuan(3000))
	sc, _ := f.show(f.login("M1"))
	var titles []string
	for _, ti := range sc.tabs.Items {
		titles = append(titles, ti.Text)
	}
	if strings.Join(titles, ",") != "Sales,Review,Daily report,Staff,Printer problems" {
		t.Fatalf("tabs %v", titles)
	}
	if !hasText(labels(sc.sales.list), "completed") || !strings.Contains(sc.report.totals.Text, "subsidy ¥450.00") {
		t.Fatalf("English list %q / totals %q", labels(sc.sales.list), sc.report.totals.Text)
	}
}

func TestRefundWhoseReceiptCannotBeQueuedIsStillShownAsRefunded(t *testing.T) {
	f := newFixture(t)
	sale := f.sell(fridge, agent.Yuan(3000))
	sc, _ := f.show(f.login("M1"))
	st := sc.sales
	st.list.Select(0)
	f.printer.SetBroken(true)
	test.Tap(st.reprint)
	if st.msg.Text != i18n.T("err.PRINT_FAILED") {
		t.Fatalf("failed reprint shown as %q", st.msg.Text)
	}
	test.Tap(st.refund)
	test.Type(st.refundReason, "质量问题")
	st.refundDlg.Submit()
	if got, _ := f.store.Sale(f.ctx, sale.OrderNo); got.State != agent.SaleRefunded {
		t.Fatalf("state %s", got.State)
	}
	if !hasText(labels(st.list), "已退款") || !strings.Contains(st.msg.Text, i18n.T("err.PRINT_FAILED")) || !strings.Contains(st.msg.Text, sale.OrderNo) {
		t.Fatalf("list %q, message %q", labels(st.list), st.msg.Text)
	}
}
