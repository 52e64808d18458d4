package receipt

import (
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/devices/devsim"
	"tradein/devices/escpos"
)

var at = time.Date(2026, 11, 21, 2, 30, 0, 0, time.UTC) // 10:30 in Beijing

func sampleSale() *agent.Sale {
	return &agent.Sale{
		OrderNo: "T0012026112100001", TerminalNo: "T001", StaffID: "C01", State: agent.SaleCommitted,
		CreatedAt: at, UpdatedAt: at,
		Consumer: agent.Consumer{Masked: "王*", VoucherID: "V123"},
		Product: agent.Product{Barcode: "6901234567892", Name: "海尔冰箱 BCD-470WGHTD 对开门", Brand: "海尔", Model: "BCD-470WGHTD",
			Category: agent.CatFridge, EnergyGrade: 1},
		SN:            "HR2026ABC12345",
		TradeIn:       &agent.TradeIn{TicketNo: "TI20261121103000000001", Category: agent.CatFridge, Brand: "美的", Condition: "WORN", PriceFen: 200_00},
		FinalPriceFen: 4999_00, SubsidyFen: 749_85, PayFen: 4249_15,
		FrozenNo: "FZ20261121000042", RequestNo: "R1", RuleSetID: agent.RuleSetNational2026,
	}
}

func sampleReceipt(kind agent.ReceiptKind) agent.Receipt {
	return agent.Receipt{
		Kind:      kind,
		Store:     agent.StoreInfo{MerchantNo: "M110105000123", TerminalNo: "T001", StoreName: "朝阳大悦城以旧换新专柜"},
		Sale:      sampleSale(),
		VerifyURL: "https://verify.example.cn/r/T0012026112100001?c=8f3a",
		PrintedAt: at,
		// The names the rules give (电冰箱 is how a platform might name it:
		// the receipt prints whatever the rules say).
		CategoryNames: map[agent.Category]string{agent.CatFridge: "电冰箱", agent.CatPhone: "手机"},
	}
}

// decode runs bytes through devsim's decoder: the printer's view.
func decode(t testing.TB, b []byte, w escpos.Width) []string {
	t.Helper()
	d := devsim.NewDecoder()
	var got []devsim.Receipt
	d.OnReceipt = func(r devsim.Receipt) { got = append(got, r) }
	d.Write(b)
	if len(got) != 1 || d.Errors() != 0 {
		t.Fatalf("decoded %d receipts, %d errors", len(got), d.Errors())
	}
	lines := got[0].Lines(w)
	for _, l := range lines {
		if !strings.HasPrefix(l, "[") && escpos.TextWidth(l) > w.Columns() {
			t.Errorf("line %q is %d columns on %d mm paper", l, escpos.TextWidth(l), w)
		}
	}
	return lines
}

func has(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

func TestSaleReceiptRoundTrip(t *testing.T) {
	r := sampleReceipt(agent.ReceiptSale)
	for _, w := range []escpos.Width{escpos.Width58, escpos.Width80} {
		for _, qr := range []escpos.QRMode{escpos.QRNative, escpos.QRRaster} {
			b, err := Render(r, Options{Width: w, QR: qr})
			if err != nil {
				t.Fatal(err)
			}
			lines := decode(t, b, w)
			pad := func(l, v string) string {
				return l + strings.Repeat(" ", w.Columns()-escpos.TextWidth(l)-escpos.TextWidth(v)) + v
			}
			want := []string{
				"以旧换新补贴销售单",
				"朝阳大悦城以旧换新专柜",
				"商户号：M110105000123",
				"订单号：T0012026112100001",
				"时间：2026-11-21 10:30:00",
				"条码：6901234567892",
				"SN：HR2026ABC12345",
				"品类：电冰箱  能效：1级",
				"补贴规则：CN-2026",
				pad("成交价", "￥4,999.00"),
				pad("政府补贴", "-￥749.85"),
				pad("实付金额", "￥4,249.15"),
				"补贴消费者：王*",
				"回收单号：TI20261121103000000001",
				"扫码核验补贴真伪",
			}
			if qr == escpos.QRNative {
				want = append(want, "[QR] "+r.VerifyURL, "[QR] TI20261121103000000001")
			} else {
				want = append(want, "[IMAGE-QR] "+r.VerifyURL, "[IMAGE-QR] TI20261121103000000001")
			}
			for _, l := range want {
				if !has(lines, l) {
					t.Errorf("%d mm %s: no line %q in\n%s", w, qr, l, strings.Join(lines, "\n"))
				}
			}
			if has(lines, "*** 重打印 ***") {
				t.Error("first print marked as reprint")
			}
		}
	}
}

func TestReprintIsMarked(t *testing.T) {
	r := sampleReceipt(agent.ReceiptSale)
	r.Reprint = true
	b, err := Render(r, Options{Width: escpos.Width58})
	if err != nil {
		t.Fatal(err)
	}
	lines := decode(t, b, escpos.Width58)
	if !has(lines, "*** 重打印 ***") || !has(lines, "重打印 2026-11-21 10:30:00") {
		t.Fatalf("reprint not marked:\n%s", strings.Join(lines, "\n"))
	}
}

func TestEveryKindRenders(t *testing.T) {
	sale := sampleReceipt(agent.ReceiptRefund)
	sale.Sale.RefundNo, sale.Sale.RefundReason, sale.Sale.State = "RF001", "质量问题", agent.SaleRefunded
	cases := map[agent.ReceiptKind]struct {
		r    agent.Receipt
		want []string
	}{
		agent.ReceiptRefund:  {sale, []string{"退货退款单", "退款单号：RF001", "退货原因：质量问题"}},
		agent.ReceiptTradeIn: {sampleReceipt(agent.ReceiptTradeIn), []string{"旧机回收单", "[CODE128] TI20261121103000000001", "成色：一般"}},
		agent.ReceiptPickup: {agent.Receipt{Kind: agent.ReceiptPickup, Pickup: &agent.Pickup{TicketNo: "TI1", OrderNo: "O1",
			RecyclerID: "R7", Condition: "GOOD", WeightGrams: 65500, CertificateNo: "CERT9", At: at}},
			[]string{"旧机回收确认单", "重量：65.500 kg", "拆解证明编号：CERT9"}},
		agent.ReceiptDaily: {agent.Receipt{Kind: agent.ReceiptDaily, PrintedAt: at, Daily: &agent.DailyReport{Day: at, Sales: 12, Refunds: 1,
			SubsidyFen: 8000_00, ByCategory: []agent.CategoryTotal{{Category: agent.CatPhone, Sales: 3, SubsidyFen: 1500_00}}}},
			[]string{"日结汇总", "营业日：2026-11-21"}},
		agent.ReceiptDiagnostics: {agent.Receipt{Kind: agent.ReceiptDiagnostics, PrintedAt: at, Lines: []string{"scanner: IDLE", "printer: PAPER_NEAR_END"}},
			[]string{"诊断信息", "scanner: IDLE", "[CODE128] TEST-128", "[EAN13] 6901234567892"}},
	}
	for kind, c := range cases {
		for _, w := range []escpos.Width{escpos.Width58, escpos.Width80} {
			b, err := Render(c.r, Options{Width: w})
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			lines := decode(t, b, w)
			for _, l := range c.want {
				if !has(lines, l) {
					t.Errorf("%s %d mm: no line %q in\n%s", kind, w, l, strings.Join(lines, "\n"))
				}
			}
		}
	}
}

func TestMissingDataIsAnError(t *testing.T) {
	for _, r := range []agent.Receipt{
		{Kind: agent.ReceiptSale},
		{Kind: agent.ReceiptRefund},
		{Kind: agent.ReceiptTradeIn, Sale: &agent.Sale{}},
		{Kind: agent.ReceiptPickup},
		{Kind: agent.ReceiptDaily},
		{Kind: "BOGUS"},
	} {
		if _, err := Render(r, Options{}); err == nil {
			t.Errorf("%s rendered without its data", r.Kind)
		}
	}
}

// BenchmarkSaleReceiptSize reports the bytes of a typical sale receipt
// (80 mm, with trade-in ticket and verification QR) with native QR codes
// (target ≤ 2 KB: ≤ 2.5 s at 9600 baud) and with raster QR codes.
func BenchmarkSaleReceiptSize(b *testing.B) {
	r := sampleReceipt(agent.ReceiptSale)
	for _, qr := range []escpos.QRMode{escpos.QRNative, escpos.QRRaster} {
		b.Run(string(qr), func(b *testing.B) {
			var n int
			for i := 0; i < b.N; i++ {
				out, err := Render(r, Options{Width: escpos.Width80, QR: qr})
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "bytes")
			b.ReportMetric(float64(n)*10/9600, "s@9600")
		})
	}
}

func hasPair(lines []string, label, value string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, label+" ") && strings.HasSuffix(l, " "+value) {
			return true
		}
	}
	return false
}

// TestAmountsAndChineseMode: the money lines of the refund and the daily
// summary, and every receipt selects Chinese mode right after the reset.
func TestAmountsAndChineseMode(t *testing.T) {
	refund := sampleReceipt(agent.ReceiptRefund)
	daily := agent.Receipt{Kind: agent.ReceiptDaily, PrintedAt: at, Daily: &agent.DailyReport{Day: at, Sales: 12,
		FinalPriceFen: 59_988_00, SubsidyFen: 8000_00, PayFen: 51_988_00}}
	cases := []struct {
		r    agent.Receipt
		want [][2]string
	}{
		{refund, [][2]string{{"原成交价", "￥4,999.00"}, {"退回补贴", "￥749.85"}, {"退款金额", "￥4,249.15"}}},
		{daily, [][2]string{{"销售笔数", "12"}, {"成交总额", "￥59,988.00"}, {"补贴总额", "￥8,000.00"}, {"实收总额", "￥51,988.00"}}},
		{sampleReceipt(agent.ReceiptTradeIn), [][2]string{{"回收价", "￥200.00"}}},
	}
	for _, c := range cases {
		for _, w := range []escpos.Width{escpos.Width58, escpos.Width80} {
			b, err := Render(c.r, Options{Width: w})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), "\x1b@\x1c&") {
				t.Errorf("%s: stream starts %q, want ESC @ FS &", c.r.Kind, b[:4])
			}
			lines := decode(t, b, w)
			for _, p := range c.want {
				if !hasPair(lines, p[0], p[1]) {
					t.Errorf("%s %d mm: no %s … %s in\n%s", c.r.Kind, w, p[0], p[1], strings.Join(lines, "\n"))
				}
			}
		}
	}
}

// TestReceiptCategoryNamesFromTheRules: a category the terminal has no
// constant for prints the name the rules give it, and a category no rule
// names prints its code rather than a wrong name.
func TestReceiptCategoryNamesFromTheRules(t *testing.T) {
	r := sampleReceipt(agent.ReceiptSale)
	r.Sale.Product.Category = "smart_glasses"
	r.Sale.Product.EnergyGrade = 0
	r.Sale.TradeIn.Category = "yacht"
	r.CategoryNames = map[agent.Category]string{"smart_glasses": "智能眼镜"}
	b, err := Render(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := decode(t, b, escpos.Width80)
	if !has(lines, "品类：智能眼镜") || !has(lines, "旧机：yacht 美的") {
		t.Errorf("receipt lines:\n%s", strings.Join(lines, "\n"))
	}
	r.Sale.Product.Category, r.Sale.Product.EnergyGrade, r.Sale.Product.WaterGrade = agent.CatWasher, 2, 1
	r.CategoryNames = map[agent.Category]string{agent.CatWasher: "洗衣机"}
	b, err = Render(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if lines := decode(t, b, escpos.Width80); !has(lines, "品类：洗衣机  能效：2级  水效：1级") {
		t.Errorf("receipt lines:\n%s", strings.Join(lines, "\n"))
	}
}
