package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"tradein/agent"
)

func TestYuan(t *testing.T) {
	for _, c := range []struct {
		in   agent.Fen
		want string
	}{{0, "0.00"}, {5, "0.05"}, {10, "0.10"}, {123456, "1234.56"}, {-5, "-0.05"}, {-123400, "-1234.00"},
		{agent.Fen(9007199254740993), "90071992547409.93"}} { // beyond float64's exact integers
		if got := Yuan(c.in); got != c.want {
			t.Errorf("Yuan(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzYuan checks that every amount survives Yuan and agent.ParseFen.
func FuzzYuan(f *testing.F) {
	for _, v := range []int64{0, 1, 99, 100, 123456, 999999999999} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v < 0 {
			v = -(v + 1)
		}
		v %= 100000000000000 // ParseFen takes at most 12 whole-yuan digits
		got, err := agent.ParseFen(Yuan(agent.Fen(v)))
		if err != nil || got != agent.Fen(v) {
			t.Fatalf("ParseFen(Yuan(%d)) = %d, %v", v, got, err)
		}
	})
}

var day = time.Date(2026, 3, 10, 0, 0, 0, 0, agent.ChinaTime)

func sampleSales() []agent.Sale {
	at := day.Add(10 * time.Hour)
	return []agent.Sale{
		{OrderNo: "T0001-0001", StaffID: "C1", State: agent.SaleCommitted, CreatedAt: at,
			Product:       agent.Product{Barcode: "6900000000014", Brand: "海尔", Model: "BCD-500", Category: agent.CatFridge},
			FinalPriceFen: 399900, SubsidyFen: 79980, PayFen: 319920,
			TradeIn: &agent.TradeIn{TicketNo: "TI123"}},
		{OrderNo: "T0001-0002", StaffID: "C1", State: agent.SaleRefunded, CreatedAt: at.Add(time.Minute), Offline: true,
			Product: agent.Product{Barcode: "6900000000038", Brand: "华为", Model: "X1", Category: agent.CatPhone}, SN: "860123456789012",
			FinalPriceFen: 300001, SubsidyFen: 45000, PayFen: 255001, RefundNo: "RF1", RefundReason: "=HYPERLINK(\"x\")"},
	}
}

func sampleReport() agent.DailyReport {
	return agent.DailyReport{Day: day, Sales: 2, Refunds: 1, FinalPriceFen: 399900, SubsidyFen: 79980, PayFen: 319920,
		TradeIns: 1, PendingSync: 1, InReview: 0,
		ByCategory: []agent.CategoryTotal{{Category: agent.CatFridge, Sales: 1, SubsidyFen: 79980, FinalFen: 399900}}}
}

var names = Options{
	Store: agent.StoreInfo{StoreName: "朝阳门店", TerminalNo: "T0001"},
	Category: func(c agent.Category) string {
		return map[agent.Category]string{agent.CatFridge: "电冰箱", agent.CatPhone: "手机"}[c]
	},
	State: func(s agent.SaleState) string {
		return map[agent.SaleState]string{agent.SaleCommitted: "已完成", agent.SaleRefunded: "已退款"}[s]
	},
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV lacks the UTF-8 BOM: % x", b[:min(len(b), 8)])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestSalesCSV(t *testing.T) {
	var buf bytes.Buffer
	var calls []int64
	o := names
	o.Progress = func(done, total int64) { calls = append(calls, done, total) }
	if err := SalesCSV(&buf, sampleSales(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\n") {
		t.Error("lines do not end in CRLF")
	}
	rows := readCSV(t, buf.Bytes())
	if len(rows) != 3 || rows[0][0] != "订单号" || len(rows[0]) != len(saleHeader) {
		t.Fatalf("rows %q", rows)
	}
	want1 := []string{"T0001-0001", "2026-03-10 10:00:00", "已完成", "电冰箱", "海尔 BCD-500", "6900000000014", "",
		"3999.00", "799.80", "3199.20", "TI123", "否", "C1", "", "", ""}
	if fmt.Sprint(rows[1]) != fmt.Sprint(want1) {
		t.Errorf("row 1\n got %q\nwant %q", rows[1], want1)
	}
	if r := rows[2]; r[2] != "已退款" || r[7] != "3000.01" || r[9] != "2550.01" || r[11] != "是" || r[13] != "RF1" {
		t.Errorf("row 2 %q", r)
	}
	if got := rows[2][14]; got != "'=HYPERLINK(\"x\")" {
		t.Errorf("refund reason %q: a formula must be defused", got)
	}
	if fmt.Sprint(calls) != "[2 2]" {
		t.Errorf("progress calls %v", calls)
	}
}

func TestDailyCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := DailyCSV(&buf, sampleReport(), sampleSales(), names); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes())
	got := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			got[r[0]] = r[1]
		}
	}
	for k, v := range map[string]string{"以旧换新门店日报": "2026-03-10", "销售笔数": "2", "退款笔数": "1",
		"成交金额（元）": "3999.00", "补贴金额（元）": "799.80", "实收金额（元）": "3199.20", "以旧换新笔数": "1", "待上传笔数": "1", "待复核笔数": "0"} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	text := buf.String()
	if !strings.Contains(text, "电冰箱,1,3999.00,799.80\r\n") {
		t.Errorf("category line missing:\n%s", text)
	}
	if !strings.Contains(text, "朝阳门店") || !strings.Contains(text, "T0001-0002") {
		t.Errorf("store name or sales detail missing:\n%s", text)
	}
}

func TestDailyXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := DailyXLSX(&buf, sampleReport(), sampleSales(), names); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); fmt.Sprint(got) != "[日报 销售明细]" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(sheetReport)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			vals[r[0]] = r[1]
		}
	}
	if vals["销售笔数"] != "2" || vals["补贴金额（元）"] != "799.80" || vals["成交金额（元）"] != "3999.00" || vals["电冰箱"] != "1" {
		t.Errorf("report sheet %q", rows)
	}
	wantNumber(t, f, sheetReport, "B6", "799.80") // subsidy: a numeric cell holding the exact decimal
	sales, err := f.GetRows(sheetSales)
	if err != nil {
		t.Fatal(err)
	}
	if len(sales) != 3 || sales[1][0] != "T0001-0001" || sales[2][7] != "3000.01" || sales[2][14] != "=HYPERLINK(\"x\")" {
		t.Fatalf("sales sheet %q", sales)
	}
	wantNumber(t, f, sheetSales, "H3", "3000.01")
	if ft, _ := f.GetCellFormula(sheetSales, "O3"); ft != "" {
		t.Errorf("refund reason became formula %q", ft)
	}
}

func TestSalesXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := SalesXLSX(&buf, sampleSales(), names); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheetSales)
	if err != nil || len(rows) != 3 || rows[2][2] != "已退款" || rows[1][8] != "799.80" {
		t.Fatalf("rows %q %v", rows, err)
	}
}

// wantNumber checks that a cell is numeric with the given raw value.
func wantNumber(t *testing.T, f *excelize.File, sheet, ref, raw string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s has type %v, want a number", sheet, ref, typ)
	}
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil || v != raw {
		t.Errorf("%s!%s raw = %q, %v; want %q", sheet, ref, v, err, raw)
	}
}

// pagedLister serves sales newest first in pages of size, as the session does.
func pagedLister(all []agent.Sale, size int, calls *int) Lister {
	sort.SliceStable(all, func(i, j int) bool { return all[i].CreatedAt.After(all[j].CreatedAt) })
	return func(ctx context.Context, f agent.SaleFilter) ([]agent.Sale, error) {
		*calls++
		var out []agent.Sale
		for _, s := range all {
			if (f.From.IsZero() || !s.CreatedAt.Before(f.From)) && (f.To.IsZero() || s.CreatedAt.Before(f.To)) && len(out) < size {
				out = append(out, s)
			}
		}
		return out, nil
	}
}

func TestCollectSalesPagesWithoutLossOrDoubles(t *testing.T) {
	var all []agent.Sale
	for i := 0; i < 25; i++ {
		// Groups of three share a timestamp, so ties straddle page ends.
		all = append(all, agent.Sale{OrderNo: fmt.Sprintf("O%02d", i), CreatedAt: day.Add(time.Duration(i/3) * time.Second)})
	}
	calls := 0
	got, err := CollectSales(context.Background(), pagedLister(all, 7, &calls), agent.SaleFilter{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, s := range got {
		seen[s.OrderNo]++
	}
	if len(got) != 25 || len(seen) != 25 {
		t.Fatalf("collected %d sales, %d distinct; want 25", len(got), len(seen))
	}
	if calls > 10 {
		t.Errorf("%d pages for 25 sales", calls)
	}
	got, _ = CollectSales(context.Background(), pagedLister(all, 7, &calls), agent.SaleFilter{Limit: 10}, nil)
	if len(got) != 10 {
		t.Errorf("limit 10 gave %d", len(got))
	}
}

func TestCollectSalesStopsOnSameInstantFlood(t *testing.T) {
	// More sales at one instant than a page holds: the pager cannot step
	// past them; it must stop instead of looping.
	var all []agent.Sale
	for i := 0; i < 20; i++ {
		all = append(all, agent.Sale{OrderNo: fmt.Sprintf("O%02d", i), CreatedAt: day})
	}
	calls := 0
	got, err := CollectSales(context.Background(), pagedLister(all, 5, &calls), agent.SaleFilter{}, nil)
	if err != nil || len(got) != 5 || calls != 2 {
		t.Fatalf("got %d sales in %d calls, err %v", len(got), calls, err)
	}
}

// FuzzDecimalNumber checks the promise of decimalNumber: the stream
// writer's shortest float formatting prints exactly the decimal computed
// from fen, for every amount below 10^13 yuan.
func FuzzDecimalNumber(f *testing.F) {
	for _, v := range []int64{0, 1, 10, 29, 115, 2675, 300001, 999999999999999, 123456789012345} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v < 0 {
			v = -(v + 1)
		}
		v %= 1_000_000_000_000_000 // 10^13 yuan in fen
		dec := Yuan(agent.Fen(v))
		n, err := decimalNumber(dec)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimRight(strings.TrimRight(dec, "0"), ".")
		if got := strconv.FormatFloat(n, 'f', -1, 64); got != want {
			t.Fatalf("fen %d: decimal %s written as %s", v, dec, got)
		}
	})
}
