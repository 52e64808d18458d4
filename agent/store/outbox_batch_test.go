package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"tradein/agent"
)

// queueSales saves n offline sales, each with its outbox item, and returns
// the sales and their items in seq order.
func queueSales(t testing.TB, s *Store, clk *stepClock, first, n int) ([]agent.Sale, []agent.OutboxItem) {
	t.Helper()
	ctx := context.Background()
	var sales []agent.Sale
	for i := first; i < first+n; i++ {
		sale := testSale(i, clk.Now())
		sale.Offline = true
		it := commitItem(t, sale)
		it.Kind = agent.OutboxSaleOffline
		if err := s.SaveSale(ctx, sale, auditFor(sale), it); err != nil {
			t.Fatal(err)
		}
		sales = append(sales, sale)
	}
	items, err := s.OutboxItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	return sales, items[len(items)-n:]
}

func TestCompleteOutboxBatch(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	sales, items := queueSales(t, s, clk, 0, 4)
	rejected := sales[2]
	rejected.State = agent.SaleReview
	rejected.RejectCode = string(agent.CodeVoucherUsed)
	var done []agent.OutboxCompletion
	for i, it := range items[:3] {
		c := agent.OutboxCompletion{Seq: it.Seq, Audit: agent.AuditEntry{Action: "sync.delivered", Subject: it.OrderNo,
			Detail: fmt.Sprintf("item %d", i)}}
		if i == 2 {
			c.Sale = &rejected
			c.Audit = agent.AuditEntry{Action: "sale.review", Detail: "VOUCHER_USED"} // subject from the sale
		}
		done = append(done, c)
	}
	auditBefore := count(t, s, "audit_log", "")
	if err := s.CompleteOutboxBatch(ctx, done); err != nil {
		t.Fatal(err)
	}

	left, err := s.OutboxItems(ctx, 0)
	if err != nil || len(left) != 1 || left[0].Seq != items[3].Seq {
		t.Fatalf("after the batch the queue holds %+v (%v), want only item %d", left, err, items[3].Seq)
	}
	if got, _ := s.Sale(ctx, rejected.OrderNo); got.State != agent.SaleReview || got.RejectCode != "VOUCHER_USED" {
		t.Fatalf("rejected sale: %s %s", got.State, got.RejectCode)
	}
	if got, _ := s.Sale(ctx, sales[0].OrderNo); got.State != agent.SaleCommitted {
		t.Fatalf("delivered sale changed to %s", got.State)
	}
	// One audit entry per item, in slice order, chained like single completions.
	entries, err := s.AuditEntries(ctx, int64(auditBefore), 10)
	if err != nil || len(entries) != 3 {
		t.Fatalf("audit entries after the batch: %d, %v", len(entries), err)
	}
	for i, e := range entries {
		wantAction, wantSubject := "sync.delivered", items[i].OrderNo
		if i == 2 {
			wantAction, wantSubject = "sale.review", rejected.OrderNo
		}
		if e.Action != wantAction || e.Subject != wantSubject {
			t.Errorf("audit entry %d: %s %s, want %s %s", i, e.Action, e.Subject, wantAction, wantSubject)
		}
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != auditBefore+3 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}

	// An empty batch writes nothing.
	if err := s.CompleteOutboxBatch(ctx, nil); err != nil || count(t, s, "audit_log", "") != auditBefore+3 {
		t.Fatalf("empty batch: %v", err)
	}
}

// TestCompleteOutboxBatchAllOrNothing: one item that cannot be completed
// (already gone, or a bad audit entry) leaves every item of the batch
// queued and appends no audit entry.
func TestCompleteOutboxBatchAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	_, items := queueSales(t, s, clk, 0, 3)
	if err := s.CompleteOutbox(ctx, items[1].Seq, nil, agent.AuditEntry{Action: "sync.delivered"}); err != nil {
		t.Fatal(err)
	}
	auditBefore := count(t, s, "audit_log", "")
	delivered := func(seq int64) agent.OutboxCompletion {
		return agent.OutboxCompletion{Seq: seq, Audit: agent.AuditEntry{Action: "sync.delivered"}}
	}

	err := s.CompleteOutboxBatch(ctx, []agent.OutboxCompletion{delivered(items[0].Seq), delivered(items[1].Seq), delivered(items[2].Seq)})
	if !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("batch with a completed item: %v, want ErrNotFound", err)
	}
	bad := delivered(items[2].Seq)
	bad.Audit.Action = ""
	if err := s.CompleteOutboxBatch(ctx, []agent.OutboxCompletion{delivered(items[0].Seq), bad}); err == nil {
		t.Fatal("batch with an audit entry without action succeeded")
	}
	if n := count(t, s, "outbox", ""); n != 2 {
		t.Fatalf("%d items queued after failed batches, want 2", n)
	}
	if n := count(t, s, "audit_log", ""); n != auditBefore {
		t.Fatalf("failed batches appended %d audit entries", n-auditBefore)
	}
	if err := s.CompleteOutboxBatch(ctx, []agent.OutboxCompletion{delivered(items[0].Seq), delivered(items[2].Seq)}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "outbox", ""); n != 0 {
		t.Fatalf("%d items queued after the batch", n)
	}
}

// BenchmarkCompleteOutbox100 settles a platform answer of 100 items, one
// transaction per item ("single") against one transaction for the batch
// ("batch"). Reports items/s.
func BenchmarkCompleteOutbox100(b *testing.B) {
	for _, mode := range []string{"single", "batch"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			s, clk := openTest(b)
			items := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				_, queued := queueSales(b, s, clk, i*100, 100)
				done := make([]agent.OutboxCompletion, len(queued))
				for j, it := range queued {
					done[j] = agent.OutboxCompletion{Seq: it.Seq, Audit: agent.AuditEntry{Action: "sync.delivered", Subject: it.OrderNo}}
				}
				b.StartTimer()
				if mode == "batch" {
					if err := s.CompleteOutboxBatch(ctx, done); err != nil {
						b.Fatal(err)
					}
				} else {
					for _, c := range done {
						if err := s.CompleteOutbox(ctx, c.Seq, c.Sale, c.Audit); err != nil {
							b.Fatal(err)
						}
					}
				}
				items += len(done)
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
