package agent

import (
	"context"
	"sort"
	"time"
)

// maxOutboxScan bounds how many pending outbox items the daily report reads
// to count the day's unsynced sales. A terminal that is offline for the
// whole 72 h policy window sells a few hundred sales; 100,000 is far above
// any real queue and still a bounded read.
const maxOutboxScan = 100000

// BusinessDay returns local midnight (China time) of the day t falls in.
func BusinessDay(t time.Time) time.Time {
	y, m, d := t.In(ChinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ChinaTime)
}

// DailyReport totals the sales created on the business day (China time)
// that contains day. Counting rules:
//   - Sales counts every stored sale of the day that reached the platform
//     or the queue: COMMITTED, REVIEW and REFUNDED;
//   - the money totals and ByCategory cover sales that stand: COMMITTED
//     (a REVIEW sale is not counted until the manager resolves it by a
//     refund or keeps it, and a refunded sale is not counted);
//   - Refunds counts the day's sales now REFUNDED; InReview the REVIEW ones;
//   - TradeIns counts standing sales with an old appliance;
//   - PendingSync counts the day's sales with an outbox row still waiting.
//
// All amounts are in fen; FinalPriceFen = SubsidyFen + PayFen holds for
// the totals because it holds for every sale.
func (s *Session) DailyReport(ctx context.Context, day time.Time) (DailyReport, error) {
	if err := s.require(ActReport); err != nil {
		return DailyReport{}, err
	}
	return s.t.dailyReport(ctx, day)
}

func (t *Terminal) dailyReport(ctx context.Context, day time.Time) (DailyReport, error) {
	from := BusinessDay(day)
	to := from.AddDate(0, 0, 1)
	sales, err := t.store.Sales(ctx, SaleFilter{From: from, To: to})
	if err != nil {
		return DailyReport{}, internal("list the day's sales", err)
	}
	r := DailyReport{Day: from}
	byCat := map[Category]*CategoryTotal{}
	orders := map[string]bool{}
	for _, sale := range sales {
		switch sale.State {
		case SaleCommitted:
			r.FinalPriceFen += sale.FinalPriceFen
			r.SubsidyFen += sale.SubsidyFen
			r.PayFen += sale.PayFen
			if sale.TradeIn != nil {
				r.TradeIns++
			}
			ct := byCat[sale.Product.Category]
			if ct == nil {
				ct = &CategoryTotal{Category: sale.Product.Category}
				byCat[sale.Product.Category] = ct
			}
			ct.Sales++
			ct.SubsidyFen += sale.SubsidyFen
			ct.FinalFen += sale.FinalPriceFen
		case SaleRefunded:
			r.Refunds++
		case SaleReview:
			r.InReview++
		default:
			continue // cancelled sales are not part of the day's business
		}
		r.Sales++
		orders[sale.OrderNo] = true
	}
	for _, ct := range byCat {
		r.ByCategory = append(r.ByCategory, *ct)
	}
	sort.Slice(r.ByCategory, func(i, j int) bool { return r.ByCategory[i].Category < r.ByCategory[j].Category })

	if t.outbox != nil && len(orders) > 0 {
		items, err := t.outbox.OutboxItems(ctx, maxOutboxScan)
		if err != nil {
			return DailyReport{}, internal("read the outbox", err)
		}
		waiting := map[string]bool{}
		for _, it := range items {
			if (it.Kind == OutboxSaleCommit || it.Kind == OutboxSaleOffline) && orders[it.OrderNo] {
				waiting[it.OrderNo] = true
			}
		}
		r.PendingSync = len(waiting)
	}
	return r, nil
}

// PrintDailyReport queues the day's report on the receipt printer.
func (s *Session) PrintDailyReport(ctx context.Context, day time.Time) (string, error) {
	if err := s.require(ActReport); err != nil {
		return "", err
	}
	t := s.t
	if t.printer == nil {
		return "", Errorf(CodePrintFailed, "no receipt printer is configured")
	}
	r, err := t.dailyReport(ctx, day)
	if err != nil {
		return "", err
	}
	cats := make([]Category, len(r.ByCategory))
	for i, c := range r.ByCategory {
		cats[i] = c.Category
	}
	id, err := t.printer.PrintReceipt(ctx, Receipt{Kind: ReceiptDaily, Store: t.info, Daily: &r, PrintedAt: t.clock.Now(),
		CategoryNames: t.categoryNamesZH(ctx, r.Day, cats...)})
	if err != nil {
		return "", &Error{Code: CodePrintFailed, Detail: "daily report was not queued", Err: err}
	}
	t.auditOrLog(ctx, s.staff.ID, "report.print", r.Day.Format("2006-01-02"), "job "+id)
	return id, nil
}
