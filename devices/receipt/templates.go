package receipt

import (
	"errors"
	"fmt"
	"strconv"

	"tradein/agent"
	"tradein/devices/escpos"
)

var errMissing = errors.New("receipt: missing data for this kind")

// sale: the consumer's proof of a subsidised purchase.
func (p *page) sale() error {
	s := p.r.Sale
	if s == nil {
		return fmt.Errorf("%w: sale receipt without a sale", errMissing)
	}
	p.header("以旧换新补贴销售单")
	p.field("订单号", s.OrderNo)
	p.field("时间", stamp(s.CreatedAt))
	if s.StaffID != "" {
		p.field("收银员", s.StaffID)
	}
	p.rule()
	p.product(s)
	p.rule()
	p.e.Pair("成交价", s.FinalPriceFen.String())
	p.e.Pair("政府补贴", (-s.SubsidyFen).String())
	p.e.Bold(true)
	p.e.Pair("实付金额", s.PayFen.String())
	p.e.Bold(false)
	p.rule()
	if s.Consumer.Masked != "" {
		p.field("补贴消费者", s.Consumer.Masked)
	}
	if s.FrozenNo != "" {
		p.field("核销单号", s.FrozenNo)
	}
	if s.RuleSetID != "" {
		// The rule set the subsidy was computed under, the one in force
		// when the sale was confirmed.
		p.field("补贴规则", s.RuleSetID)
	}
	if s.PaymentRef != "" {
		p.field("支付流水", s.PaymentRef)
	}
	if s.Offline {
		p.e.Bold(true)
		p.e.Wrapped("离线交易：补贴待平台确认")
		p.e.Bold(false)
	}
	if t := s.TradeIn; t != nil && t.TicketNo != "" {
		p.rule()
		p.e.Bold(true)
		p.e.Line("旧机回收")
		p.e.Bold(false)
		p.field("回收单号", t.TicketNo)
		p.tradeIn(t)
		p.e.Align(escpos.AlignCenter)
		p.e.QR(t.TicketNo, p.o.qrModule()-2)
		p.e.Line("回收员上门时请出示此码")
		p.e.Align(escpos.AlignLeft)
	}
	p.footer("感谢您参与以旧换新")
	return nil
}

// product prints the goods lines of a sale.
func (p *page) product(s *agent.Sale) {
	p.field("商品", s.Product.Name)
	if bm := joinNonEmpty(s.Product.Brand, s.Product.Model); bm != "" {
		p.field("品牌型号", bm)
	}
	cat := "品类：" + p.categoryName(s.Product.Category)
	if s.Product.EnergyGrade > 0 {
		cat += "  能效：" + strconv.Itoa(s.Product.EnergyGrade) + "级"
	}
	if s.Product.WaterGrade > 0 { // "energy or water grade": both are shown
		cat += "  水效：" + strconv.Itoa(s.Product.WaterGrade) + "级"
	}
	p.e.Line(cat)
	p.field("条码", s.Product.Barcode)
	if s.SN != "" {
		p.field("SN", s.SN)
	}
}

// tradeIn prints the old appliance of a trade-in.
func (p *page) tradeIn(t *agent.TradeIn) {
	p.field("旧机", joinNonEmpty(p.categoryName(t.Category), t.Brand, t.Model))
	if t.Condition != "" {
		p.field("成色", conditionName(t.Condition))
	}
	if t.PriceFen != 0 {
		p.e.Pair("回收价", t.PriceFen.String())
	}
}

// refund: the record of a returned, subsidised sale.
func (p *page) refund() error {
	s := p.r.Sale
	if s == nil {
		return fmt.Errorf("%w: refund receipt without a sale", errMissing)
	}
	p.header("退货退款单")
	p.field("原订单号", s.OrderNo)
	if s.RefundNo != "" {
		p.field("退款单号", s.RefundNo)
	}
	p.field("时间", stamp(s.UpdatedAt))
	p.rule()
	p.product(s)
	p.rule()
	p.e.Pair("原成交价", s.FinalPriceFen.String())
	p.e.Pair("退回补贴", s.SubsidyFen.String())
	p.e.Bold(true)
	p.e.Pair("退款金额", s.PayFen.String())
	p.e.Bold(false)
	if s.RefundReason != "" {
		p.field("退货原因", s.RefundReason)
	}
	if s.Consumer.Masked != "" {
		p.field("补贴消费者", s.Consumer.Masked)
	}
	p.e.Wrapped("补贴资格已按规则退回平台")
	p.footer("")
	return nil
}

// tradeInTicket: the stand-alone ticket the recycler scans at pickup.
func (p *page) tradeInTicket() error {
	s := p.r.Sale
	if s == nil || s.TradeIn == nil || s.TradeIn.TicketNo == "" {
		return fmt.Errorf("%w: trade-in ticket without a trade-in", errMissing)
	}
	t := s.TradeIn
	p.header("旧机回收单")
	p.field("回收单号", t.TicketNo)
	p.field("订单号", s.OrderNo)
	p.field("时间", stamp(s.CreatedAt))
	p.rule()
	p.tradeIn(t)
	if s.Consumer.Masked != "" {
		p.field("消费者", s.Consumer.Masked)
	}
	p.rule()
	p.e.Align(escpos.AlignCenter)
	p.e.QR(t.TicketNo, p.o.qrModule())
	p.e.Code128(t.TicketNo)
	p.e.Feed(1)
	p.e.Wrapped("回收员上门时请出示此单")
	p.e.Align(escpos.AlignLeft)
	p.footer("")
	return nil
}

// pickup: the recycler's confirmation that the old appliance was collected.
func (p *page) pickup() error {
	k := p.r.Pickup
	if k == nil {
		return fmt.Errorf("%w: pickup receipt without a pickup", errMissing)
	}
	p.header("旧机回收确认单")
	p.field("回收单号", k.TicketNo)
	p.field("订单号", k.OrderNo)
	p.field("回收时间", stamp(k.At))
	p.field("回收员", k.RecyclerID)
	p.rule()
	p.field("成色", conditionName(k.Condition))
	if k.WeightGrams > 0 {
		p.field("重量", fmt.Sprintf("%d.%03d kg", k.WeightGrams/1000, k.WeightGrams%1000))
	}
	if k.CertificateNo != "" {
		p.field("拆解证明编号", k.CertificateNo)
	}
	p.footer("")
	return nil
}

// daily: the day's totals for the manager.
func (p *page) daily() error {
	d := p.r.Daily
	if d == nil {
		return fmt.Errorf("%w: daily summary without a report", errMissing)
	}
	p.header("日结汇总")
	p.field("营业日", d.Day.In(agent.ChinaTime).Format("2006-01-02"))
	p.field("打印时间", stamp(p.r.PrintedAt))
	p.rule()
	p.e.Pair("销售笔数", strconv.Itoa(d.Sales))
	p.e.Pair("退货笔数", strconv.Itoa(d.Refunds))
	p.e.Pair("成交总额", d.FinalPriceFen.String())
	p.e.Pair("补贴总额", d.SubsidyFen.String())
	p.e.Pair("实收总额", d.PayFen.String())
	p.e.Pair("旧机回收", strconv.Itoa(d.TradeIns))
	p.e.Pair("待同步", strconv.Itoa(d.PendingSync))
	p.e.Pair("待复核", strconv.Itoa(d.InReview))
	if len(d.ByCategory) > 0 {
		p.rule()
		p.e.Line("分品类")
		for _, c := range d.ByCategory {
			p.e.Pair(fmt.Sprintf("%s ×%d", p.categoryName(c.Category), c.Sales), c.SubsidyFen.String())
		}
	}
	p.footer("")
	return nil
}

// diagnostics: the support ticket, which doubles as a printer test: Chinese
// text, both barcode types and a QR code.
func (p *page) diagnostics() error {
	p.header("诊断信息")
	p.field("时间", stamp(p.r.PrintedAt))
	p.field("版本", agent.Version)
	p.rule()
	for _, l := range p.r.Lines {
		p.e.Wrapped(l)
	}
	p.rule()
	p.e.Line("中文打印测试：以旧换新 ABC 123")
	p.e.Align(escpos.AlignCenter)
	p.e.Code128("TEST-128")
	p.e.Feed(1)
	p.e.EAN13("6901234567892")
	p.e.Feed(1)
	p.e.Align(escpos.AlignLeft)
	p.footer("")
	return nil
}

func joinNonEmpty(parts ...string) string {
	out := ""
	for _, s := range parts {
		if s == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += s
	}
	return out
}
