package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"tradein/agent"
)

func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	t0 := clk.Now()
	var sales []agent.Sale
	for i := 0; i < 3; i++ {
		sale := testSale(i, clk.Now())
		sale.Offline = i > 0
		kind := agent.OutboxSaleCommit
		if sale.Offline {
			kind = agent.OutboxSaleOffline
			sale.SubsidyFen = agent.Fen(1000 * (i + 1))
		}
		it := commitItem(t, sale)
		it.Kind = kind
		if err := s.SaveSale(ctx, sale, auditFor(sale), it); err != nil {
			t.Fatal(err)
		}
		sales = append(sales, sale)
		clk.Advance(time.Minute)
	}

	p, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := agent.PendingSummary{Items: 3, OfflineSales: 2, OfflineSubsidyFen: 2000 + 3000, OldestPendingSince: t0}
	if p.Items != want.Items || p.OfflineSales != want.OfflineSales || p.OfflineSubsidyFen != want.OfflineSubsidyFen || !p.OldestPendingSince.Equal(t0) {
		t.Fatalf("Pending = %+v, want %+v", p, want)
	}

	due, err := s.DueOutbox(ctx, clk.Now(), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("DueOutbox: %d, %v", len(due), err)
	}
	for i, it := range due {
		if i > 0 && it.Seq <= due[i-1].Seq {
			t.Fatal("DueOutbox not in seq order")
		}
		var got agent.Sale
		if err := json.Unmarshal(it.Payload, &got); err != nil {
			t.Fatal(err)
		}
		if got.OrderNo != sales[i].OrderNo || got.Consumer.AuthCode != secretAuthCode || got.Consumer.Phone != secretPhone {
			t.Fatalf("payload %d: %+v", i, got.Consumer)
		}
		if !it.NextAttemptAt.Equal(it.CreatedAt) {
			t.Fatalf("new item not due at creation: %v vs %v", it.NextAttemptAt, it.CreatedAt)
		}
	}
	if got, _ := s.DueOutbox(ctx, clk.Now(), 1); len(got) != 1 || got[0].Seq != due[0].Seq {
		t.Fatal("DueOutbox limit")
	}

	// A failed attempt moves the first item into the future.
	next := clk.Now().Add(30 * time.Second)
	if err := s.RetryOutbox(ctx, due[0].Seq, next, "RATE_LIMITED: slow down"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.DueOutbox(ctx, clk.Now(), 10)
	if len(got) != 2 || got[0].Seq != due[1].Seq {
		t.Fatalf("after retry, due = %v", got)
	}
	all, _ := s.OutboxItems(ctx, 0)
	if len(all) != 3 || all[0].Attempts != 1 || all[0].LastError != "RATE_LIMITED: slow down" || !all[0].NextAttemptAt.Equal(next) {
		t.Fatalf("after retry: %+v", all[0])
	}
	if n, err := s.RetryAllNow(ctx); err != nil || n != 3 {
		t.Fatalf("RetryAllNow = %d, %v", n, err)
	}
	if got, _ := s.DueOutbox(ctx, clk.Now(), 10); len(got) != 3 {
		t.Fatalf("after RetryAllNow, due = %d", len(got))
	}

	// The platform rejected the second sale: complete its item and move
	// the sale to REVIEW in one step.
	rejected := sales[1]
	rejected.State = agent.SaleReview
	rejected.RejectCode = string(agent.CodeVoucherUsed)
	if err := s.CompleteOutbox(ctx, due[1].Seq, &rejected, agent.AuditEntry{Action: "sale.rejected", Detail: "VOUCHER_USED"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Sale(ctx, rejected.OrderNo); got.State != agent.SaleReview || got.RejectCode != "VOUCHER_USED" {
		t.Fatalf("rejected sale: %s %s", got.State, got.RejectCode)
	}
	if err := s.CompleteOutbox(ctx, due[0].Seq, nil, agent.AuditEntry{Action: "sale.synced", Subject: sales[0].OrderNo}); err != nil {
		t.Fatal(err)
	}
	// Completing twice is an error and writes no audit entry.
	before := count(t, s, "audit_log", "")
	if err := s.CompleteOutbox(ctx, due[0].Seq, nil, agent.AuditEntry{Action: "sale.synced"}); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("second complete: %v", err)
	}
	if count(t, s, "audit_log", "") != before {
		t.Fatal("failed complete wrote an audit entry")
	}
	if err := s.RetryOutbox(ctx, due[0].Seq, clk.Now(), "x"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("retry of a completed item: %v", err)
	}
	p, _ = s.Pending(ctx)
	if p.Items != 1 || p.OfflineSales != 1 || p.OfflineSubsidyFen != 3000 || !p.OldestPendingSince.Equal(due[2].CreatedAt) {
		t.Fatalf("Pending after completes = %+v", p)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}

	// A failing audit entry rolls the completion back.
	if err := s.CompleteOutbox(ctx, due[2].Seq, nil, agent.AuditEntry{}); err == nil {
		t.Fatal("complete without audit action succeeded")
	}
	if p, _ := s.Pending(ctx); p.Items != 1 {
		t.Fatal("outbox item removed although the transaction failed")
	}
	if err := s.CompleteOutbox(ctx, due[2].Seq, nil, agent.AuditEntry{Action: "sale.synced"}); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Pending(ctx)
	if p != (agent.PendingSummary{}) {
		t.Fatalf("empty Pending = %+v", p)
	}
}

func TestEnqueueAndPayloadPassThrough(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	// A payload that is not a sale (and not even JSON) is stored as given.
	items := []agent.OutboxItem{
		{Kind: agent.OutboxCancel, RequestNo: "C-1", OrderNo: "O-1", Payload: []byte(`{"order_no":"O-1","consumer":{"cref":"X"}}`)},
		{Kind: agent.OutboxPickup, RequestNo: "P-1", OrderNo: "O-2", Payload: []byte("not json, consumer")},
	}
	seqs, err := s.Enqueue(ctx, agent.AuditEntry{Action: "voucher.cancel", Subject: "O-1"}, items...)
	if err != nil || len(seqs) != 2 || seqs[1] <= seqs[0] {
		t.Fatalf("Enqueue = %v, %v", seqs, err)
	}
	got, err := s.OutboxItems(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if string(got[i].Payload) != string(items[i].Payload) || got[i].Kind != items[i].Kind {
			t.Fatalf("item %d: %s", i, got[i].Payload)
		}
	}
	// An empty payload stays empty (it is not NULL, which means "the sale").
	if _, err := s.Enqueue(ctx, agent.AuditEntry{Action: "x"}, agent.OutboxItem{Kind: agent.OutboxCancel, RequestNo: "C-2", OrderNo: "O-3"}); err != nil {
		t.Fatal(err)
	}
	got, err = s.OutboxItems(ctx, 0)
	if err != nil || len(got) != 3 || len(got[2].Payload) != 0 {
		t.Fatalf("empty payload: %v, %v", got, err)
	}
	if _, err := s.Enqueue(ctx, agent.AuditEntry{Action: "x"}, agent.OutboxItem{Kind: agent.OutboxCancel}); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("item without request number: %v", err)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("价格价格", 4); got != "价" {
		t.Fatalf("truncate = %q", got)
	}
	if got := truncate("abc", 5); got != "abc" {
		t.Fatalf("truncate = %q", got)
	}
}

// TestPayloadSharedWithSale: a commit item whose payload is the sale's
// JSON is stored once (payload NULL); when the sale changes while the item
// is queued, the item keeps the sale as it was queued.
func TestPayloadSharedWithSale(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	sale := testSale(1, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "outbox", "shares_sale = 1"); n != 1 {
		t.Fatalf("shared payloads = %d, want 1", n)
	}
	// A payload that differs from the sale is stored on its own, sealed.
	other := testSale(2, clk.Now())
	item := commitItem(t, other)
	other.PaymentRef = "changed after the payload was made"
	if err := s.SaveSale(ctx, other, auditFor(other), item); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "outbox", "shares_sale = 0 AND order_no = ?", other.OrderNo); n != 1 {
		t.Fatal("a payload that differs from the sale was not stored")
	}

	// Refund the first sale while its commit is still queued.
	clk.Advance(time.Hour)
	refunded := sale
	refunded.State = agent.SaleRefunded
	refunded.RefundNo = "RF-1"
	refunded.UpdatedAt = clk.Now()
	refundItem := commitItem(t, refunded)
	refundItem.Kind = agent.OutboxRefund
	refundItem.RequestNo = "REQ-REFUND-1"
	if err := s.SaveSale(ctx, refunded, agent.AuditEntry{Action: "sale.refund"}, refundItem); err != nil {
		t.Fatal(err)
	}
	items, err := s.OutboxItems(ctx, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("outbox: %d, %v", len(items), err)
	}
	var queued, refund agent.Sale
	json.Unmarshal(items[0].Payload, &queued)
	json.Unmarshal(items[2].Payload, &refund)
	if queued.State != agent.SaleCommitted || queued.RefundNo != "" || queued.Consumer.AuthCode != secretAuthCode {
		t.Fatalf("queued commit now carries %s %q", queued.State, queued.RefundNo)
	}
	if refund.State != agent.SaleRefunded || refund.Consumer.Phone != secretPhone {
		t.Fatalf("refund item carries %s", refund.State)
	}
	// The first item was detached (it has its own copy now), the refund
	// item shares the refunded sale.
	if n := count(t, s, "outbox", "shares_sale = 1"); n != 1 {
		t.Fatalf("shared payloads = %d, want 1 (the refund)", n)
	}
	// Complete the two commits; the sale then changes again (reviewed):
	// the queued refund keeps the refund as it was queued.
	for _, it := range items[:2] {
		if err := s.CompleteOutbox(ctx, it.Seq, nil, agent.AuditEntry{Action: "sale.synced", Subject: it.OrderNo}); err != nil {
			t.Fatal(err)
		}
	}
	reviewed := refunded
	reviewed.UpdatedAt = clk.Now().Add(time.Minute)
	reviewed.ReviewedBy = "mgr-1"
	if err := s.SaveSale(ctx, reviewed, agent.AuditEntry{Action: "sale.reviewed"}); err != nil {
		t.Fatal(err)
	}
	items, _ = s.OutboxItems(ctx, 0)
	if len(items) != 1 || items[0].Kind != agent.OutboxRefund {
		t.Fatalf("left: %+v", items)
	}
	refund = agent.Sale{}
	json.Unmarshal(items[0].Payload, &refund)
	if refund.State != agent.SaleRefunded || refund.RefundNo != "RF-1" || refund.ReviewedBy != "" {
		t.Fatalf("refund item: %s %q", refund.State, refund.ReviewedBy)
	}
	if got, _ := s.Sale(ctx, sale.OrderNo); got.ReviewedBy != "mgr-1" {
		t.Fatal("sale not updated")
	}
}
