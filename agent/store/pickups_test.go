package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"tradein/agent"
)

func TestPickups(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	p := agent.Pickup{ID: "P1", TicketNo: "TI2026030100001", OrderNo: "O1", RecyclerID: "rec-1",
		Condition: "WORN", WeightGrams: 52000, CertificateNo: "CERT-9", PhotoSHA256: "ab12", At: clk.Now()}
	payload, _ := json.Marshal(p)
	out := agent.OutboxItem{Kind: agent.OutboxPickup, RequestNo: "RP1", Payload: payload}
	if err := s.SavePickup(ctx, p, agent.AuditEntry{Actor: "rec-1", Action: "pickup.record"}, out); err != nil {
		t.Fatal(err)
	}
	got, err := s.PickupByTicket(ctx, p.TicketNo)
	if err != nil || !got.At.Equal(p.At) {
		t.Fatalf("PickupByTicket = %+v, %v", got, err)
	}
	got.At = p.At
	if got != p {
		t.Fatalf("round trip: %+v", got)
	}
	items, _ := s.OutboxItems(ctx, 0)
	if len(items) != 1 || items[0].OrderNo != "O1" || items[0].Kind != agent.OutboxPickup || string(items[0].Payload) != string(payload) {
		t.Fatalf("outbox = %+v", items)
	}
	entries, _ := s.AuditEntries(ctx, 0, 0)
	if len(entries) != 1 || entries[0].Subject != p.TicketNo {
		t.Fatalf("audit = %+v", entries)
	}

	// A second pickup of the same ticket fails, and so does its outbox row.
	p2 := p
	p2.ID = "P2"
	if err := s.SavePickup(ctx, p2, agent.AuditEntry{Action: "pickup.record"},
		agent.OutboxItem{Kind: agent.OutboxPickup, RequestNo: "RP2", Payload: payload}); err == nil {
		t.Fatal("second pickup of one ticket accepted")
	}
	if n := count(t, s, "outbox", ""); n != 1 {
		t.Fatalf("outbox rows = %d", n)
	}
	// One transaction: a duplicate request number leaves no pickup behind.
	p3 := agent.Pickup{ID: "P3", TicketNo: "TI-3", OrderNo: "O3", At: clk.Now()}
	if err := s.SavePickup(ctx, p3, agent.AuditEntry{Action: "pickup.record"},
		agent.OutboxItem{Kind: agent.OutboxPickup, RequestNo: "RP1", Payload: payload}); err == nil {
		t.Fatal("duplicate request number accepted")
	}
	if _, err := s.PickupByTicket(ctx, "TI-3"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("pickup written despite the failed outbox insert: %v", err)
	}
	if err := s.SavePickup(ctx, agent.Pickup{ID: "P4"}, agent.AuditEntry{Action: "x"}); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("pickup without ticket: %v", err)
	}
}
