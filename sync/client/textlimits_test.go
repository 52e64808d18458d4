package client_test

import (
	"strings"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
	"tradein/sync/client"
)

// TestTextLimitsCountCharacters: the contract's maxLength counts
// characters. A refund or cancel reason of 200 Chinese characters (600
// bytes), and a trade-in brand and model of 64 (192 bytes), are accepted
// by the platform as they are by the terminal; one character more is
// refused. (The platform counted bytes: a reason of 67..200 Chinese
// characters passed the till and was refused by the platform.)
func TestTextLimitsCountCharacters(t *testing.T) {
	e := startEnv(t, client.Config{})
	cjk := func(n int) string { return strings.Repeat("退", n) }

	d := e.code(agent.CatPhone)
	sn := uniq("SN")
	price := agent.Yuan(4999)
	f, err := e.try(e.c, d.Code, mate70, sn, price)
	if err != nil {
		t.Fatal(err)
	}
	req := commitReq(f, mate70, sn, price, e.clock.Now())
	req.TradeIn = &api.TradeInWire{TicketNo: uniq("TI"), Category: agent.CatPhone, Brand: cjk(64), Model: cjk(64),
		Condition: "WORN", PriceFen: agent.Yuan(300)}
	if _, err := e.c.CommitVoucher(ctx, req); err != nil {
		t.Fatalf("commit with a 64-character Chinese brand and model: %v", err)
	}
	long := api.RefundRequest{RequestNo: uniq("RF"), OrderNo: req.OrderNo, RefundNo: uniq("RFN"), Reason: cjk(201)}
	_, err = e.c.RefundVoucher(ctx, long)
	wantCode(t, err, agent.CodeInvalidRequest)
	rr := api.RefundRequest{RequestNo: uniq("RF"), OrderNo: req.OrderNo, RefundNo: uniq("RFN"), Reason: cjk(200)}
	if resp, err := e.c.RefundVoucher(ctx, rr); err != nil || resp.Status != api.StatusRefunded {
		t.Fatalf("refund with a 200-character Chinese reason = %+v, %v", resp, err)
	}

	d2 := e.code(agent.CatPhone)
	f2, err := e.try(e.c, d2.Code, mate70, uniq("SN"), price)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.CancelVoucher(ctx, api.CancelRequest{RequestNo: uniq("CN"), FrozenNo: f2.FrozenNo, Reason: cjk(200)}); err != nil {
		t.Fatalf("cancel with a 200-character Chinese reason: %v", err)
	}
}
