package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/sync/api"
	"tradein/sync/client"
)

var ctx = context.Background()

func wantCode(t *testing.T, err error, code agent.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s", code)
	}
	if !errors.Is(err, &agent.Error{Code: code}) {
		t.Fatalf("got %v (code %s), want %s", err, agent.CodeOf(err), code)
	}
}

func TestEnrollHealthRulesProducts(t *testing.T) {
	e := startEnv(t, client.Config{})
	if err := e.c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if e.enr.Store.CountyCode != sim.DemoCounty || e.enr.MerchantNo != sim.DemoMerchantNo {
		t.Errorf("enroll store = %+v", e.enr)
	}
	if pub, err := e.enr.PublicKey(); err != nil || !pub.Equal(e.srv.PublicKey()) {
		t.Errorf("platform key = %v, %v", pub, err)
	}
	// Another process (a new client) enrolling the same device with the
	// same code is refused: the secret is handed out once (a new code
	// enrolls it again).
	again, err := e.newClient(client.Config{}).Enroll(ctx, sim.DemoEnrollmentCode, "fingerprint-"+t.Name())
	wantCode(t, err, agent.CodeUnauthorized)
	if again.HMACSecret != "" {
		t.Errorf("re-enroll handed out a secret: %+v", again)
	}
	// The enrolling client itself (its answer lost, the clerk presses
	// enroll again) gets the same terminal and secret.
	if same, err := e.c.Enroll(ctx, sim.DemoEnrollmentCode, "fingerprint-"+t.Name()); err != nil || same != e.enr {
		t.Errorf("same process enrolling again = %+v, %v; want the same terminal and secret", same, err)
	}
	_, err = e.newClient(client.Config{}).Enroll(ctx, "NO-SUCH-CODE", "fp")
	wantCode(t, err, agent.CodeUnauthorized)
	_, err = e.newClient(client.Config{}).Enroll(ctx, "", "fp")
	wantCode(t, err, agent.CodeInvalidRequest)

	rules, err := e.c.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The seeded sets: both national ones and the example local set of
	// the demo store's province, the 2026 ones in force on the clock's day.
	if rules.Versions() != "CN-2025@2025-national-1, CN-2026@2026-national-1, "+sim.ExampleLocalRuleSetID+"@example-1" {
		t.Errorf("rule sets %s", rules.Versions())
	}
	set, phone, ok := rules.ForCategory(agent.CatPhone, sim.DemoCounty, e.clock.Now())
	if !ok || set.ID != agent.RuleSetNational2026 || phone.CapFen != agent.Yuan(500) || phone.PriceCeilingFen != agent.Yuan(6000) {
		t.Errorf("phone rule %s %+v", set.ID, phone)
	}

	// Page through the whole library.
	seen := map[string]bool{}
	token, pages := "", 0
	var version int64
	for {
		page, err := e.c.Products(ctx, 0, token, 20)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		version = page.Version
		for _, p := range page.Items {
			if err := agent.ValidateGTIN(p.Barcode); err != nil || seen[p.Barcode] {
				t.Errorf("product %+v: %v (seen before: %v)", p, err, seen[p.Barcode])
			}
			seen[p.Barcode] = true
		}
		if page.Total != len(sim.DemoProducts()) {
			t.Errorf("total = %d, want %d", page.Total, len(sim.DemoProducts()))
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	if len(seen) != len(sim.DemoProducts()) || len(seen) < 50 || pages != (len(seen)+19)/20 || version != 1 {
		t.Errorf("got %d products in %d pages at version %d", len(seen), pages, version)
	}
	delta, err := e.c.Products(ctx, version, "", 0)
	if err != nil || len(delta.Items) != 0 || delta.Version != version || delta.NextPageToken != "" {
		t.Errorf("empty delta = %+v, %v", delta, err)
	}
	_, err = e.c.Products(ctx, version+5, "", 0)
	wantCode(t, err, agent.CodeInvalidRequest)
	_, err = e.c.Products(ctx, 0, "garbage!", 0)
	wantCode(t, err, agent.CodeInvalidRequest)
	_, err = e.c.Products(ctx, 0, "", api.MaxPageLimit+1)
	wantCode(t, err, agent.CodeInvalidRequest)
}

func TestSaleLifecycle(t *testing.T) {
	e := startEnv(t, client.Config{})
	d := e.code(agent.CatPhone)
	sn := uniq("SN")
	if st, err := e.c.QuerySN(ctx, sn); err != nil || st != agent.SNSellable {
		t.Fatalf("QuerySN = %v, %v", st, err)
	}
	price := agent.Yuan(4999)
	f, err := e.try(e.c, d.Code, mate70, sn, price)
	if err != nil {
		t.Fatal(err)
	}
	// 15 % of 4,999 yuan is 749.85, capped at 500 yuan.
	if f.DiscountFen != agent.Yuan(500) || f.PayFen != price-agent.Yuan(500) || f.VoucherID != d.VoucherID || f.CRef != d.CRef ||
		!f.FrozenUntil.Equal(e.clock.Now().Add(15*time.Minute)) || f.MaskedConsumer == "" {
		t.Errorf("frozen = %+v", f)
	}
	req := commitReq(f, mate70, sn, price, e.clock.Now())
	req.TradeIn = &api.TradeInWire{TicketNo: uniq("TI"), Category: agent.CatPhone, Brand: "Apple", Model: "iPhone X", Condition: "WORN", PriceFen: agent.Yuan(300)}
	resp, err := e.c.CommitVoucher(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != api.StatusCommitted || resp.OrderNo != req.OrderNo || resp.SubsidyFen != agent.Yuan(500) || resp.SN != sn {
		t.Errorf("commit = %+v", resp)
	}
	// A replay returns the original answer, not a second effect.
	again, err := e.c.CommitVoucher(ctx, req)
	if err != nil || again != resp {
		t.Errorf("replayed commit = %+v, %v; want %+v", again, err, resp)
	}
	if st, _ := e.c.QuerySN(ctx, sn); st != agent.SNUsed {
		t.Errorf("SN after commit = %s, want USED", st)
	}
	day := e.clock.Now().In(agent.ChinaTime).Format(api.DateLayout)
	sum, err := e.c.DaySummary(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sales != 1 || sum.SubsidyFen != agent.Yuan(500) || sum.FinalPriceFen != price || sum.TradeIns != 1 ||
		len(sum.ByCategory) != 1 || sum.ByCategory[0].Category != agent.CatPhone || sum.TerminalNo != e.enr.TerminalNo {
		t.Errorf("summary = %+v", sum)
	}

	// Pickup of the trade-in.
	pick := api.PickupItem{RequestNo: uniq("PK"), ID: uniq("PID"), TicketNo: req.TradeIn.TicketNo, OrderNo: req.OrderNo,
		RecyclerID: "R001", Condition: "WORN", WeightGrams: 180, CertificateNo: uniq("CERT"), At: e.clock.Now()}
	res, err := e.c.PickupsBatch(ctx, api.PickupBatch{RequestNo: uniq("PB"), Items: []api.PickupItem{pick}})
	if err != nil || res.Items[0].Status != api.ItemAccepted || res.Items[0].Pickup == nil {
		t.Fatalf("pickup = %+v, %v", res, err)
	}
	bad := pick
	bad.RequestNo, bad.ID, bad.TicketNo = uniq("PK"), uniq("PID"), "TI-UNKNOWN"
	res2, err := e.c.PickupsBatch(ctx, api.PickupBatch{RequestNo: uniq("PB"), Items: []api.PickupItem{pick, bad}})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Items[0].Status != api.ItemDuplicate || *res2.Items[0].Pickup != *res.Items[0].Pickup ||
		res2.Items[1].Status != api.ItemRejected || res2.Items[1].Code != string(agent.CodeNotFound) {
		t.Errorf("pickups = %+v", res2)
	}

	// Refund: the SN is unlocked and the quota restored.
	rr := api.RefundRequest{RequestNo: uniq("RF"), OrderNo: req.OrderNo, RefundNo: uniq("RFN"), Reason: "consumer returned the phone"}
	rresp, err := e.c.RefundVoucher(ctx, rr)
	if err != nil || !rresp.SNUnlocked || !rresp.QuotaRestored || rresp.Status != api.StatusRefunded {
		t.Fatalf("refund = %+v, %v", rresp, err)
	}
	if st, _ := e.c.QuerySN(ctx, sn); st != agent.SNSellable {
		t.Errorf("SN after refund = %s, want SELLABLE", st)
	}
	rr2 := rr
	rr2.RequestNo, rr2.RefundNo = uniq("RF"), uniq("RFN")
	_, err = e.c.RefundVoucher(ctx, rr2)
	wantCode(t, err, agent.CodeIdempotencyConflict)
	if sum, _ := e.c.DaySummary(ctx, day); sum.Refunds != 1 || sum.RefundedFen != agent.Yuan(500) || sum.Pickups != 1 {
		t.Errorf("summary after refund = %+v", sum)
	}
	// The restored voucher can be spent again.
	e.sell(e.c, d.Code, mate70, uniq("SN"), price)

	// Cancel an abandoned sale; committing it afterwards fails.
	d2 := e.code(agent.CatTV)
	f2, err := e.try(e.c, d2.Code, tvHis, uniq("SN"), agent.Yuan(5000))
	if err != nil {
		t.Fatal(err)
	}
	// Grade 1 under the 2026 national rules: 15 % of 5,000 yuan = 750 yuan.
	if f2.DiscountFen != agent.Yuan(750) {
		t.Errorf("tv discount = %s", f2.DiscountFen)
	}
	cr := api.CancelRequest{RequestNo: uniq("CN"), FrozenNo: f2.FrozenNo, Reason: "consumer left"}
	if err := e.c.CancelVoucher(ctx, cr); err != nil {
		t.Fatal(err)
	}
	if err := e.c.CancelVoucher(ctx, api.CancelRequest{RequestNo: uniq("CN"), FrozenNo: f2.FrozenNo}); err != nil {
		t.Errorf("second cancel: %v", err)
	}
	_, err = e.c.CommitVoucher(ctx, commitReq(f2, tvHis, "", agent.Yuan(5000), e.clock.Now()))
	wantCode(t, err, agent.CodeVoucherNotFound)
	_, err = e.c.RefundVoucher(ctx, api.RefundRequest{RequestNo: uniq("RF"), OrderNo: "NO-SUCH-ORDER", RefundNo: "X1", Reason: "r"})
	wantCode(t, err, agent.CodeNotFound)
	err = e.c.CancelVoucher(ctx, api.CancelRequest{RequestNo: uniq("CN"), FrozenNo: f.FrozenNo})
	wantCode(t, err, agent.CodeVoucherUsed)
}

// TestErrorCodes provokes every business error code of the contract
// through the client.
func TestErrorCodes(t *testing.T) {
	e := startEnv(t, client.Config{})
	price := agent.Yuan(4999)
	t.Run("VOUCHER_NOT_FOUND", func(t *testing.T) {
		_, err := e.try(e.c, "NO-SUCH-OPAQUE-CODE", mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeVoucherNotFound)
	})
	t.Run("VOUCHER_USED", func(t *testing.T) {
		d := e.code(agent.CatPhone)
		e.sell(e.c, d.Code, mate70, uniq("SN"), price)
		_, err := e.try(e.c, d.Code, mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeVoucherUsed)
		// Frozen by another terminal counts as used too.
		d2 := e.code(agent.CatPhone)
		if _, err := e.try(e.c, d2.Code, mate70, uniq("SN"), price); err != nil {
			t.Fatal(err)
		}
		_, err = e.try(e.enrollAnother("second"), d2.Code, mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeVoucherUsed)
	})
	t.Run("VOUCHER_EXPIRED", func(t *testing.T) {
		_, err := e.try(e.c, "DEMO-EXPIRED-01", mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeVoucherExpired)
		// An expired freeze cannot be committed.
		d := e.code(agent.CatPhone)
		sn := uniq("SN")
		f, err := e.try(e.c, d.Code, mate70, sn, price)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(16 * time.Minute)
		_, err = e.c.CommitVoucher(ctx, commitReq(f, mate70, sn, price, e.clock.Now()))
		wantCode(t, err, agent.CodeVoucherExpired)
	})
	t.Run("VOUCHER_REGION_MISMATCH", func(t *testing.T) {
		d, err := e.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "310000"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.try(e.c, d.Code, mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeVoucherRegionMismatch)
	})
	t.Run("VOUCHER_CATEGORY_MISMATCH", func(t *testing.T) {
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, tvHis, uniq("SN"), agent.Yuan(5000))
		wantCode(t, err, agent.CodeVoucherCategoryMismatch)
	})
	t.Run("PRODUCT_NOT_FOUND", func(t *testing.T) {
		unknown := mate70
		unknown.Barcode = "6900000000007" // valid check digit, not in the library
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, unknown, uniq("SN"), price)
		wantCode(t, err, agent.CodeProductNotFound)
	})
	t.Run("PRICE_ABOVE_CEILING", func(t *testing.T) {
		pro := productByModel("MYLV3CH/A") // iPhone 16 Pro, filed 8,999 yuan
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, pro, uniq("SN"), agent.Yuan(8999))
		wantCode(t, err, agent.CodePriceAboveCeiling)
	})
	t.Run("PRICE_ABOVE_FILED", func(t *testing.T) {
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, mate70, uniq("SN"), agent.Yuan(5999)+50)
		wantCode(t, err, agent.CodePriceAboveFiled)
	})
	t.Run("NOT_ELIGIBLE", func(t *testing.T) {
		grade3 := productByModel("KA92NV02TI")
		_, err := e.try(e.c, e.code(agent.CatFridge).Code, grade3, uniq("SN"), agent.Yuan(5000))
		wantCode(t, err, agent.CodeNotEligible)
	})
	t.Run("TRADE_IN_REQUIRED", func(t *testing.T) {
		// The 2026 national set has no e-bikes: publish a local test set
		// for Beijing that subsidises them against the old bike.
		rs, err := e.srv.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ebike, _ := agent.NationalRules2025().Rule(agent.CatEBike)
		rs = append(rs, agent.Rules{ID: "TEST-BJ-ebike", Version: "1", RegionPrefix: "11",
			CampaignStart: time.Date(2026, 1, 1, 0, 0, 0, 0, agent.ChinaTime), Categories: []agent.CategoryRule{ebike},
			Offline: agent.DefaultRules().Offline})
		if err := e.srv.SetRules(ctx, rs); err != nil {
			t.Fatal(err)
		}
		bike := productByModel("TDT1235Z")
		d := e.code(agent.CatEBike)
		sn := uniq("SN")
		f, err := e.try(e.c, d.Code, bike, sn, agent.Yuan(3599))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.c.CommitVoucher(ctx, commitReq(f, bike, sn, agent.Yuan(3599), e.clock.Now()))
		wantCode(t, err, agent.CodeTradeInRequired)
	})
	t.Run("SN_USED", func(t *testing.T) {
		sn := uniq("SN")
		e.sell(e.c, e.code(agent.CatPhone).Code, mate70, sn, price)
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, mate70, sn, price)
		wantCode(t, err, agent.CodeSNUsed)
	})
	// One device whatever the case of its SN: the platform upper-cases
	// SNs in try, commit and offline transactions.
	t.Run("SN_USED in another case", func(t *testing.T) {
		sn := uniq("sncase")
		e.sell(e.c, e.code(agent.CatPhone).Code, mate70, sn, price)
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, mate70, strings.ToUpper(sn), price)
		wantCode(t, err, agent.CodeSNUsed)
		if st, err := e.c.QuerySN(ctx, strings.ToUpper(sn)); err != nil || st != agent.SNUsed {
			t.Errorf("QuerySN(%s) = %s, %v; want USED", strings.ToUpper(sn), st, err)
		}
		up := uniq("SNCASE")
		e.sell(e.c, e.code(agent.CatPhone).Code, mate70, up, price)
		_, err = e.try(e.c, e.code(agent.CatPhone).Code, mate70, strings.ToLower(up), price)
		wantCode(t, err, agent.CodeSNUsed)
	})
	t.Run("zero subsidy", func(t *testing.T) {
		d := e.code(agent.CatPhone)
		_, err := e.try(e.c, d.Code, mate70, uniq("SN"), 1) // ¥0.01: 15 % is 0 fen
		wantCode(t, err, agent.CodeInvalidRequest)
		// The consumer's one phone subsidy is still there.
		e.sell(e.c, d.Code, mate70, uniq("SN"), price)
	})
	t.Run("SN_NOT_FOUND", func(t *testing.T) {
		if st, err := e.c.QuerySN(ctx, sim.VoidSNs[0]); err != nil || st != agent.SNNotFound {
			t.Errorf("QuerySN(void) = %s, %v", st, err)
		}
		_, err := e.try(e.c, e.code(agent.CatPhone).Code, mate70, sim.VoidSNs[0], price)
		wantCode(t, err, agent.CodeSNNotFound)
	})
	t.Run("QUOTA_EXHAUSTED", func(t *testing.T) {
		d := e.code(agent.CatPhone)
		e.sell(e.c, d.Code, mate70, uniq("SN"), price)
		second, err := e.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, CRef: d.CRef})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.try(e.c, second.Code, mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeQuotaExhausted)
	})
	t.Run("IDEMPOTENCY_CONFLICT", func(t *testing.T) {
		d := e.code(agent.CatPhone)
		vt := agent.VoucherTry{RequestNo: uniq("TRY"), AuthCode: d.Code, Category: agent.CatPhone, CountyCode: sim.DemoCounty,
			Barcode: mate70.Barcode, SN: uniq("SN"), AmountFen: price}
		first, err := e.c.TryVoucher(ctx, vt)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := e.c.TryVoucher(ctx, vt); err != nil || again != first {
			t.Errorf("replayed try = %+v, %v; want %+v", again, err, first)
		}
		vt.AmountFen--
		_, err = e.c.TryVoucher(ctx, vt)
		wantCode(t, err, agent.CodeIdempotencyConflict)
	})
	t.Run("INVALID_REQUEST", func(t *testing.T) {
		d := e.code(agent.CatPhone)
		sn := uniq("SN")
		f, err := e.try(e.c, d.Code, mate70, sn, price)
		if err != nil {
			t.Fatal(err)
		}
		req := commitReq(f, mate70, sn, price, e.clock.Now())
		req.Amounts.PayFen++ // pay + subsidy ≠ final price
		_, err = e.c.CommitVoucher(ctx, req)
		wantCode(t, err, agent.CodeInvalidRequest)
		_, err = e.c.TryVoucher(ctx, agent.VoucherTry{RequestNo: uniq("TRY"), AuthCode: d.Code, Category: agent.CatPhone,
			CountyCode: "310101", Barcode: mate70.Barcode, AmountFen: price})
		wantCode(t, err, agent.CodeInvalidRequest)
		// The client refuses to send a mutation without request_no.
		_, err = e.c.CommitVoucher(ctx, api.CommitRequest{})
		wantCode(t, err, agent.CodeInvalidRequest)
	})
	t.Run("UNAUTHORIZED", func(t *testing.T) {
		bad := e.newClient(client.Config{}).WithCredentials(e.enr.TerminalNo, []byte("not-the-secret-at-all-0123456789"))
		_, err := bad.Rules(ctx)
		wantCode(t, err, agent.CodeUnauthorized)
		_, err = e.newClient(client.Config{}).Rules(ctx) // not enrolled: refused locally
		wantCode(t, err, agent.CodeUnauthorized)
	})
	t.Run("CAMPAIGN_CLOSED", func(t *testing.T) {
		// Runs last: the platform ends every set and the clock moves past.
		rs, err := e.srv.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rs {
			rs[i].CampaignEnd = e.clock.Now().Add(time.Hour)
		}
		if err := e.srv.SetRules(ctx, rs); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		_, err = e.try(e.c, e.code(agent.CatPhone).Code, mate70, uniq("SN"), price)
		wantCode(t, err, agent.CodeCampaignClosed)
	})
}

func TestRateLimitAndServerErrors(t *testing.T) {
	e := startEnv(t, client.Config{MaxAttempts: 3})
	e.srv.SetFaults(sim.Faults{RateLimitRate: 1, RetryAfterS: 7})
	_, err := e.c.Rules(ctx)
	var rl *client.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("got %v, want RateLimitedError with RetryAfter 7s", err)
	}
	wantCode(t, err, agent.CodeRateLimited)

	e.srv.SetFaults(sim.Faults{ErrorRate: 1})
	_, err = e.c.Rules(ctx)
	if !errors.Is(err, agent.ErrPlatformDown) || !errors.Is(err, &agent.Error{Code: agent.CodeInternal}) {
		t.Fatalf("got %v, want ErrPlatformDown caused by INTERNAL", err)
	}
	e.srv.SetFaults(sim.Faults{})
	if _, err := e.c.Rules(ctx); err != nil {
		t.Fatalf("after faults cleared: %v", err)
	}
}

// TestProductDeltas: changes published while a terminal pages through a
// delta do not tear it; they arrive in the next delta, delistings included.
func TestProductDeltasAndRules(t *testing.T) {
	e := startEnv(t, client.Config{})
	first, err := e.c.Products(ctx, 0, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	changed := mate70
	changed.FiledPriceFen = agent.Yuan(5799)
	delisted := tvHis
	delisted.Status = agent.ProductDelisted
	v2, err := e.srv.UpsertProducts(ctx, changed, delisted)
	if err != nil || v2 != first.Version+1 {
		t.Fatalf("upsert = %d, %v", v2, err)
	}
	seen := map[string]bool{}
	for _, p := range first.Items {
		seen[p.Barcode] = true
	}
	for tok := first.NextPageToken; tok != ""; {
		page, err := e.c.Products(ctx, 0, tok, 10)
		if err != nil {
			t.Fatal(err)
		}
		if page.Version != first.Version || page.Total != first.Total {
			t.Fatalf("delta moved mid-way: %+v", page)
		}
		for _, p := range page.Items {
			seen[p.Barcode] = true
		}
		tok = page.NextPageToken
	}
	delta, err := e.c.Products(ctx, first.Version, "", 0)
	if err != nil || delta.Version != v2 || delta.Total != 2 || len(delta.Items) != 2 {
		t.Fatalf("next delta = %+v, %v", delta, err)
	}
	for _, p := range delta.Items {
		seen[p.Barcode] = true
		if (p.Barcode == changed.Barcode && p != changed) || (p.Barcode == delisted.Barcode && p.Status != agent.ProductDelisted) {
			t.Errorf("delta item %+v", p)
		}
	}
	// The two deltas together hold the whole library: a row changed while
	// the first was paged moved to the second.
	if len(seen) != first.Total {
		t.Errorf("deltas cover %d of %d products", len(seen), first.Total)
	}
	// A delisted product is no longer subsidised.
	_, err = e.try(e.c, e.code(agent.CatTV).Code, tvHis, uniq("SN"), agent.Yuan(4000))
	wantCode(t, err, agent.CodeNotEligible)

	// Rules published by the platform are what the terminal downloads and
	// what the platform applies.
	r, err := e.srv.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n26 := &r[1] // the 2026 national set, in force on the clock's day
	for i := range n26.Categories {
		if n26.Categories[i].Category == agent.CatPhone {
			n26.Categories[i].CapFen = agent.Yuan(300)
		}
	}
	n26.Version = "test-2"
	if err := e.srv.SetRules(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.Rules(ctx)
	if err != nil || got[1].Version != "test-2" {
		t.Fatalf("rules = %s, %v", got.Versions(), err)
	}
	f, err := e.try(e.c, e.code(agent.CatPhone).Code, changed, uniq("SN"), agent.Yuan(5000))
	if err != nil || f.DiscountFen != agent.Yuan(300) {
		t.Errorf("try under new rules = %+v, %v; want the 300-yuan cap", f, err)
	}
}
