// Package export writes the manager's daily report and sales lists as
// spreadsheets: CSV (UTF-8 with a byte-order mark, so that Excel on a
// Chinese Windows opens the Hanzi correctly) and XLSX.
//
// Amounts leave the terminal in yuan with exactly two decimals, formatted
// from integer fen (see Yuan); no float takes part in any computation.
// Consumer data is never exported: a sales row names the order, the
// product, the serial number and the amounts, not the subsidy holder.
package export

import (
	"strconv"
	"time"

	"tradein/agent"
)

// Options carries what the spreadsheets show besides the data.
type Options struct {
	// Store is named in the title row when its StoreName is set.
	Store agent.StoreInfo
	// Category names a category (the UI passes its Chinese names); nil
	// shows the stable code.
	Category func(agent.Category) string
	// State names a sale state; nil shows the stable code.
	State func(agent.SaleState) string
	// Progress, when set, is called as sales rows are written: done of
	// total rows. Called from the writing goroutine.
	Progress func(done, total int64)
}

// progressEvery is how many rows pass between two Progress calls: often
// enough for a smooth bar, rarely enough not to flood the UI thread.
const progressEvery = 100

func (o Options) category(c agent.Category) string {
	if o.Category != nil {
		return o.Category(c)
	}
	return string(c)
}

func (o Options) state(s agent.SaleState) string {
	if o.State != nil {
		return o.State(s)
	}
	return string(s)
}

func (o Options) progress(done, total int) {
	if o.Progress != nil && (done%progressEvery == 0 || done == total) {
		o.Progress(int64(done), int64(total))
	}
}

// Yuan formats an amount in fen as yuan with two decimals and no grouping
// or currency sign ("1234.56", "-0.05"), the form spreadsheets read as a
// number. It uses integer arithmetic only.
func Yuan(f agent.Fen) string {
	v := int64(f)
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v // Fen never reaches math.MinInt64: that is 92 trillion yuan
	}
	frac := strconv.FormatInt(v%100, 10)
	if len(frac) == 1 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + frac
}

// timeLayout is how sale times appear: China time, to the second.
const timeLayout = "2006-01-02 15:04:05"

// dayLayout is how the report's day appears.
const dayLayout = "2006-01-02"

func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(agent.ChinaTime).Format(timeLayout)
}

// title is the first line of a daily report.
func title(o Options, day time.Time) []string {
	row := []string{"以旧换新门店日报", day.In(agent.ChinaTime).Format(dayLayout)}
	if o.Store.StoreName != "" {
		row = append(row, o.Store.StoreName, "终端 "+o.Store.TerminalNo)
	}
	return row
}

// totalRow is one line of the report's totals: a label and either a count
// or an amount.
type totalRow struct {
	label  string
	count  int
	amount agent.Fen
	money  bool
}

func totals(r agent.DailyReport) []totalRow {
	return []totalRow{
		{label: "销售笔数", count: r.Sales},
		{label: "退款笔数", count: r.Refunds},
		{label: "成交金额（元）", amount: r.FinalPriceFen, money: true},
		{label: "补贴金额（元）", amount: r.SubsidyFen, money: true},
		{label: "实收金额（元）", amount: r.PayFen, money: true},
		{label: "以旧换新笔数", count: r.TradeIns},
		{label: "待上传笔数", count: r.PendingSync},
		{label: "待复核笔数", count: r.InReview},
	}
}

func (t totalRow) value() string {
	if t.money {
		return Yuan(t.amount)
	}
	return strconv.Itoa(t.count)
}

// categoryHeader heads the by-category table.
var categoryHeader = []string{"品类", "笔数", "成交金额（元）", "补贴金额（元）"}

// saleHeader heads a sales list. Columns 8–10 (0-based 7–9) are amounts.
var saleHeader = []string{"订单号", "时间", "状态", "品类", "商品", "条码", "序列号",
	"成交价（元）", "补贴（元）", "实付（元）", "回收单号", "离线", "店员", "退款单号", "退款原因", "复核说明"}

// saleMoneyCols are the indexes of saleHeader that hold amounts.
var saleMoneyCols = map[int]bool{7: true, 8: true, 9: true}

// saleRow returns a sale's cells in saleHeader order.
func saleRow(o Options, s agent.Sale) []string {
	ticket := ""
	if s.TradeIn != nil {
		ticket = s.TradeIn.TicketNo
	}
	offline := "否"
	if s.Offline {
		offline = "是"
	}
	product := s.Product.Brand + " " + s.Product.Model
	if s.Product.Brand == "" {
		product = s.Product.Name
	}
	return []string{s.OrderNo, localTime(s.CreatedAt), o.state(s.State), o.category(s.Product.Category),
		product, s.Product.Barcode, s.SN,
		Yuan(s.FinalPriceFen), Yuan(s.SubsidyFen), Yuan(s.PayFen),
		ticket, offline, s.StaffID, s.RefundNo, s.RefundReason, s.ReviewNote}
}
