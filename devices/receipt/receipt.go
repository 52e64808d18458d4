// Package receipt lays out the terminal's receipts (sale, refund, trade-in
// ticket, pickup, daily summary, diagnostics) as ESC/POS bytes from an
// agent.Receipt. Layout only: what a receipt says comes from the agent,
// personal data already masked.
package receipt

import (
	"fmt"
	"time"

	"tradein/agent"
	"tradein/devices/escpos"
)

// Options are the printer's settings that change the bytes.
type Options struct {
	Width escpos.Width  // 58 or 80 mm; zero means 80
	QR    escpos.QRMode // native (default) or raster
}

// QR module sizes in dots. A verification URL is a version 3–4 symbol
// (29–33 modules): 6 dots a module is ≈25 mm on 58 mm paper, big enough
// for any phone; 80 mm paper takes 8.
func (o Options) qrModule() int {
	if o.Width == escpos.Width58 {
		return 6
	}
	return 8
}

// Render returns the ESC/POS bytes of r, ending with a cut. It fails when
// r lacks what its Kind needs (a sale receipt without a Sale, …).
func Render(r agent.Receipt, o Options) ([]byte, error) {
	if o.Width == 0 {
		o.Width = escpos.Width80
	}
	p := &page{e: escpos.NewEncoder(o.Width, o.QR), o: o, r: r}
	p.e.Init()
	var err error
	switch r.Kind {
	case agent.ReceiptSale:
		err = p.sale()
	case agent.ReceiptRefund:
		err = p.refund()
	case agent.ReceiptTradeIn:
		err = p.tradeInTicket()
	case agent.ReceiptPickup:
		err = p.pickup()
	case agent.ReceiptDaily:
		err = p.daily()
	case agent.ReceiptDiagnostics:
		err = p.diagnostics()
	default:
		err = fmt.Errorf("receipt: unknown kind %q", r.Kind)
	}
	if err != nil {
		return nil, err
	}
	p.e.Feed(3)
	p.e.Cut()
	b, err := p.e.Bytes()
	if err != nil {
		return nil, fmt.Errorf("receipt: %s: %w", r.Kind, err)
	}
	return b, nil
}

// OrderNo is the order a receipt belongs to ("" for daily and diagnostics),
// recorded with the print job.
func OrderNo(r agent.Receipt) string {
	switch {
	case r.Sale != nil:
		return r.Sale.OrderNo
	case r.Pickup != nil:
		return r.Pickup.OrderNo
	}
	return ""
}

// page is one receipt being laid out.
type page struct {
	e *escpos.Encoder
	o Options
	r agent.Receipt
}

// header prints the title, the store and, on a reprint, the 重打印 mark.
func (p *page) header(title string) {
	p.e.Align(escpos.AlignCenter)
	p.e.Bold(true)
	// Double size halves the line; a title that would wrap stays normal size.
	big := 2*escpos.TextWidth(title) <= p.o.Width.Columns()
	p.e.Double(big)
	p.e.Wrapped(title)
	p.e.Double(false)
	p.e.Bold(false)
	if p.r.Store.StoreName != "" {
		p.e.Wrapped(p.r.Store.StoreName)
	}
	if p.r.Reprint {
		p.e.Bold(true)
		p.e.Line("*** 重打印 ***")
		p.e.Bold(false)
	}
	p.e.Align(escpos.AlignLeft)
	if p.r.Store.MerchantNo != "" {
		p.field("商户号", p.r.Store.MerchantNo)
	}
	if p.r.Store.TerminalNo != "" {
		p.field("终端号", p.r.Store.TerminalNo)
	}
}

// field prints "label：value", wrapping long values.
func (p *page) field(label, value string) {
	p.e.Wrapped(label + "：" + value)
}

func (p *page) rule() { p.e.Rule('-') }

// footer prints the verification QR (when there is a URL), the reprint
// time and a closing line.
func (p *page) footer(closing string) {
	if p.r.VerifyURL != "" {
		p.rule()
		p.e.Align(escpos.AlignCenter)
		p.e.Line("扫码核验补贴真伪")
		p.e.QR(p.r.VerifyURL, p.o.qrModule())
		p.e.Feed(1)
	}
	p.e.Align(escpos.AlignCenter)
	if p.r.Reprint {
		p.e.Line("重打印 " + stamp(p.r.PrintedAt))
	}
	if closing != "" {
		p.e.Line(closing)
	}
	p.e.Align(escpos.AlignLeft)
}

// stamp formats t in China Standard Time, as every receipt shows it.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(agent.ChinaTime).Format("2006-01-02 15:04:05")
}

// categoryName is the Chinese name the rules give c (Receipt.CategoryNames),
// or c itself.
func (p *page) categoryName(c agent.Category) string {
	if n := p.r.CategoryNames[c]; n != "" {
		return n
	}
	return string(c)
}

// conditionName translates a trade-in condition code.
func conditionName(c string) string {
	switch c {
	case "GOOD":
		return "良好"
	case "WORN":
		return "一般"
	case "BROKEN":
		return "损坏"
	}
	return c
}
