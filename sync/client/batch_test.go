package client_test

import (
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/api"
	"tradein/sync/client"
)

// offlineSale builds an offline transaction as the terminal would queue it.
func (e *testEnv) offlineSale(code string, p agent.Product, sn string, price agent.Fen, subsidy agent.Fen) api.Transaction {
	s := agent.Sale{OrderNo: uniq("OFF"), Consumer: agent.Consumer{AuthCode: code}, Product: p, SN: sn,
		FinalPriceFen: price, SubsidyFen: subsidy, PayFen: price - subsidy, PaymentRef: uniq("PAY"),
		CreatedAt: e.clock.Now().Add(-2 * time.Hour), Offline: true}
	return api.TransactionFromSale(s, uniq("REQ"))
}

func TestTransactionsBatch(t *testing.T) {
	e := startEnv(t, client.Config{})
	other := e.enrollAnother("other-terminal")
	price := agent.Yuan(4999)

	okSale := e.offlineSale(e.code(agent.CatPhone).Code, mate70, uniq("SN"), price, agent.Yuan(500))
	// A voucher another terminal redeemed while this one was offline.
	usedElsewhere := e.code(agent.CatPhone)
	e.sell(other, usedElsewhere.Code, mate70, uniq("SN"), price)
	lateVoucher := e.offlineSale(usedElsewhere.Code, mate70, uniq("SN"), price, agent.Yuan(500))
	// An SN another terminal sold, sent here in lower case: one device
	// whatever the case of its SN.
	takenSN := uniq("SN")
	e.sell(other, e.code(agent.CatPhone).Code, mate70, takenSN, price)
	lateSN := e.offlineSale(e.code(agent.CatPhone).Code, mate70, strings.ToLower(takenSN), price, agent.Yuan(500))
	// A subsidy the terminal computed wrongly.
	wrongSubsidy := e.offlineSale(e.code(agent.CatPhone).Code, mate70, uniq("SN"), price, agent.Yuan(499))

	batch := api.TransactionBatch{RequestNo: uniq("TB"), Items: []api.Transaction{okSale, lateVoucher, lateSN, wrongSubsidy}}
	res, err := e.c.TransactionsBatch(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ status, code string }{
		{api.ItemAccepted, ""}, {api.ItemRejected, string(agent.CodeVoucherUsed)},
		{api.ItemRejected, string(agent.CodeSNUsed)}, {api.ItemRejected, string(agent.CodeInvalidRequest)},
	}
	for i, w := range want {
		got := res.Items[i]
		if got.Status != w.status || got.Code != w.code || got.RequestNo != batch.Items[i].RequestNo || got.Key != batch.Items[i].OrderNo {
			t.Errorf("item %d = %+v, want %s %s", i, got, w.status, w.code)
		}
	}
	if c := res.Items[0].Commit; c == nil || c.SubsidyFen != agent.Yuan(500) || c.OrderNo != okSale.OrderNo {
		t.Errorf("accepted item result = %+v", c)
	}
	if err := res.Items[1].Err(); !errorsIs(err, agent.ErrVoucherUsed) {
		t.Errorf("Err() = %v", err)
	}

	// The same batch again: the stored answer, verbatim.
	again, err := e.c.TransactionsBatch(ctx, batch)
	if err != nil || len(again.Items) != 4 || *again.Items[0].Commit != *res.Items[0].Commit || again.Items[0].Status != api.ItemAccepted {
		t.Errorf("replayed batch = %+v, %v", again, err)
	}
	// The item in a new batch: DUPLICATE with the original result; the
	// rejected one is rejected again with its original code.
	res2, err := e.c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: uniq("TB"), Items: []api.Transaction{okSale, lateSN}})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Items[0].Status != api.ItemDuplicate || *res2.Items[0].Commit != *res.Items[0].Commit ||
		res2.Items[1].Status != api.ItemRejected || res2.Items[1].Code != string(agent.CodeSNUsed) {
		t.Errorf("second batch = %+v", res2)
	}
	// The same order under a new request_no is a DUPLICATE too.
	reordered := okSale
	reordered.RequestNo = uniq("REQ")
	res3, err := e.c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: uniq("TB"), Items: []api.Transaction{reordered}})
	if err != nil || res3.Items[0].Status != api.ItemDuplicate || res3.Items[0].Commit.OrderNo != okSale.OrderNo {
		t.Errorf("same order, new request_no = %+v, %v", res3, err)
	}
	// Same item request_no, different body: rejected as a conflict.
	changed := okSale
	changed.PaymentRef = "CHANGED"
	res4, err := e.c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: uniq("TB"), Items: []api.Transaction{changed}})
	if err != nil || res4.Items[0].Status != api.ItemRejected || res4.Items[0].Code != string(agent.CodeIdempotencyConflict) {
		t.Errorf("changed item = %+v, %v", res4, err)
	}
	// Same batch request_no, different body: the whole call is refused.
	batch.Items = batch.Items[:1]
	_, err = e.c.TransactionsBatch(ctx, batch)
	wantCode(t, err, agent.CodeIdempotencyConflict)
	// Empty batches are refused; so are items without request_no, locally.
	_, err = e.c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: uniq("TB")})
	wantCode(t, err, agent.CodeInvalidRequest)
	_, err = e.c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: uniq("TB"), Items: []api.Transaction{{}}})
	wantCode(t, err, agent.CodeInvalidRequest)

	day := okSale.TransTime.In(agent.ChinaTime).Format(api.DateLayout)
	if sum, err := e.c.DaySummary(ctx, day); err != nil || sum.Sales != 1 {
		t.Errorf("summary = %+v, %v (want the one accepted offline sale)", sum, err)
	}
}

// TestOfflineTimes: an offline sale is judged as of its trans_time — a
// voucher valid then is honoured even if it expired since — and times in
// the future or beyond the offline window are refused.
func TestOfflineTimes(t *testing.T) {
	e := startEnv(t, client.Config{})
	price := agent.Yuan(4999)
	d, err := e.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	sale := e.offlineSale(d.Code, mate70, uniq("SN"), price, agent.Yuan(500))
	sale.TransTime = e.clock.Now().Add(30 * time.Minute)
	e.clock.Advance(2 * time.Hour) // the voucher has expired by the time the terminal is back online
	future := e.offlineSale(e.code(agent.CatPhone).Code, mate70, uniq("SN"), price, agent.Yuan(500))
	future.TransTime = e.clock.Now().Add(time.Hour)
	old := e.offlineSale(e.code(agent.CatPhone).Code, mate70, uniq("SN"), price, agent.Yuan(500))
	old.TransTime = e.clock.Now().Add(-31 * 24 * time.Hour)
	expiredThen := e.offlineSale("DEMO-EXPIRED-01", mate70, uniq("SN"), price, agent.Yuan(500))
	res, err := e.c.TransactionsBatch(ctx, api.TransactionBatch{RequestNo: uniq("TB"), Items: []api.Transaction{sale, future, old, expiredThen}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{api.ItemAccepted + "/", api.ItemRejected + "/" + string(agent.CodeInvalidRequest),
		api.ItemRejected + "/" + string(agent.CodeInvalidRequest), api.ItemRejected + "/" + string(agent.CodeVoucherExpired)}
	for i, w := range want {
		if got := res.Items[i].Status + "/" + res.Items[i].Code; got != w {
			t.Errorf("item %d = %s (%s), want %s", i, got, res.Items[i].Message, w)
		}
	}
}

// TestRetryReplacesOwnFreeze: a second try by the same terminal for a
// voucher it holds frozen (the clerk changed the price) replaces the
// freeze; the first freeze can no longer be committed.
func TestRetryReplacesOwnFreeze(t *testing.T) {
	e := startEnv(t, client.Config{})
	d := e.code(agent.CatPhone)
	sn := uniq("SN")
	first, err := e.try(e.c, d.Code, mate70, sn, agent.Yuan(4999))
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.try(e.c, d.Code, mate70, sn, agent.Yuan(2000))
	if err != nil || second.DiscountFen != agent.Yuan(300) || second.FrozenNo == first.FrozenNo {
		t.Fatalf("second try = %+v, %v", second, err)
	}
	_, err = e.c.CommitVoucher(ctx, commitReq(first, mate70, sn, agent.Yuan(4999), e.clock.Now()))
	wantCode(t, err, agent.CodeVoucherNotFound)
	if _, err := e.c.CommitVoucher(ctx, commitReq(second, mate70, sn, agent.Yuan(2000), e.clock.Now())); err != nil {
		t.Fatal(err)
	}
}
