package agent_test

import (
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/agenttest"
)

func TestOnlineSaleCommitsOnceWithOutboxAuditAndReceipt(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	code := f.code(agent.CatFridge)

	d := f.prepare(clerk, saleSpec{code: code, product: fridge, price: agent.Fen(4999_00)})
	q, err := d.Quote(f.ctx, 4999_00)
	if err != nil {
		t.Fatal(err)
	}
	if q.SubsidyFen != 749_85 || q.PayFen != 4249_15 || q.RateBP != 1500 || q.Capped {
		t.Fatalf("quote = %+v, want subsidy ¥749.85, pay ¥4,249.15 at 15%% (2026 national rules)", q)
	}
	frozen, err := d.Confirm(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if frozen.State != agent.SaleFrozen || frozen.FrozenNo == "" || frozen.Offline {
		t.Fatalf("after confirm: state %s frozen_no %q offline %v", frozen.State, frozen.FrozenNo, frozen.Offline)
	}
	// The frozen sale is stored (for Recover), but nothing is queued
	// before Commit.
	if st, err := f.store.Sale(f.ctx, frozen.OrderNo); err != nil || st.State != agent.SaleFrozen {
		t.Fatalf("stored after confirm: %v %v", st.State, err)
	}
	if out := f.outbox(); len(out) != 0 {
		t.Fatalf("outbox before commit: %+v", out)
	}
	if _, err := d.SetPaymentRef(f.ctx, ""); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("empty payment reference: %v", err)
	}
	if _, err := d.SetPaymentRef(f.ctx, "UP20260310-0001"); err != nil {
		t.Fatal(err)
	}
	sale, job, err := d.Commit(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sale.State != agent.SaleCommitted || job == "" {
		t.Fatalf("commit: state %s job %q", sale.State, job)
	}
	if sale.PayFen+sale.SubsidyFen != sale.FinalPriceFen {
		t.Fatalf("pay %s + subsidy %s != price %s", sale.PayFen, sale.SubsidyFen, sale.FinalPriceFen)
	}

	stored, err := f.store.Sale(f.ctx, sale.OrderNo)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != agent.SaleCommitted || stored.Consumer.AuthCode != code || stored.StaffID != "C1" {
		t.Fatalf("stored sale: state %s staff %s", stored.State, stored.StaffID)
	}
	out := f.outbox()
	if len(out) != 1 || out[0].Kind != agent.OutboxSaleCommit || out[0].OrderNo != sale.OrderNo || out[0].RequestNo == sale.RequestNo {
		t.Fatalf("outbox = %+v, want one SALE_COMMIT with its own request no", out)
	}
	if !strings.Contains(string(out[0].Payload), sale.FrozenNo) {
		t.Fatal("SALE_COMMIT payload lacks the frozen_no")
	}
	acts := strings.Join(f.auditActions(), ",")
	for _, a := range []string{"staff.login", "sale.freeze", "sale.paid", "sale.commit"} {
		if !strings.Contains(acts, a) {
			t.Errorf("audit log %s lacks %s", acts, a)
		}
	}
	if n, err := f.store.VerifyAudit(f.ctx); err != nil || n == 0 {
		t.Fatalf("audit chain: %d entries, %v", n, err)
	}

	r := f.printer.last()
	if r.Kind != agent.ReceiptSale || r.Reprint || r.VerifyURL != "https://verify.example/r/"+sale.OrderNo {
		t.Fatalf("receipt kind %s reprint %v url %q", r.Kind, r.Reprint, r.VerifyURL)
	}
	if r.Sale.Consumer.AuthCode != "" || r.Sale.Consumer.Masked == "" {
		t.Fatal("receipt carries the auth code or no masked consumer")
	}

	// The platform learns about the commit; the voucher is now used.
	if n := f.platform.Deliver(t, f.store); n != 1 {
		t.Fatalf("delivered %d items", n)
	}
	d2, _ := clerk.NewSale(f.ctx)
	if _, err := d2.SetConsumerCode(f.ctx, code); agent.CodeOf(err) != agent.CodeVoucherUsed {
		t.Fatalf("reusing a committed voucher: %v, want VOUCHER_USED", err)
	}
}

func TestOfflineSaleWhenPlatformDown(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	f.platform.SetDown(true)
	sn := imei("35123456789012")
	code := f.code(agent.CatPhone)
	d := f.prepare(clerk, saleSpec{code: code, product: phone})
	notices, err := d.SetSN(f.ctx, sn)
	if err != nil || !hasWarning(notices, agent.WarnSNUnchecked) {
		t.Fatalf("SetSN offline: %v %v, want the SN_UNCHECKED notice", notices, err)
	}
	if _, err := d.Quote(f.ctx, 2999_99); err != nil {
		t.Fatal(err)
	}
	s, err := d.Confirm(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != agent.SaleOfflineAccepted || !s.Offline || s.SubsidyFen != 449_99 {
		t.Fatalf("offline confirm: state %s offline %v subsidy %s", s.State, s.Offline, s.SubsidyFen)
	}
	if len(s.Warnings) != 0 {
		t.Fatalf("offline sale carries warnings %+v; it must not land on the review list", s.Warnings)
	}
	if _, err := d.SetPaymentRef(f.ctx, "CASH-1"); err != nil {
		t.Fatal(err)
	}
	sale, _, err := d.Commit(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := f.outbox()
	if len(out) != 1 || out[0].Kind != agent.OutboxSaleOffline {
		t.Fatalf("outbox = %+v, want SALE_OFFLINE", out)
	}
	st := f.term.Status(f.ctx)
	if st.QueueDepth != 1 || st.OfflineSales != 1 || st.PendingOfflineSubsidy != 449_99 {
		t.Fatalf("status = %+v", st)
	}
	if want := sale.CreatedAt.Add(72 * time.Hour); !st.OfflineDeadline.Equal(want) {
		t.Fatalf("offline deadline %v, want %v", st.OfflineDeadline, want)
	}
	// One SN once, locally, while the platform is still away.
	d2, _ := clerk.NewSale(f.ctx)
	d2.SetConsumerCode(f.ctx, f.code(agent.CatPhone))
	d2.ScanProduct(f.ctx, phone.Barcode)
	if _, err := d2.SetSN(f.ctx, sn); agent.CodeOf(err) != agent.CodeSNUsed {
		t.Fatalf("same SN offline: %v, want SN_USED", err)
	}
	// One voucher once, locally.
	d3, _ := clerk.NewSale(f.ctx)
	if _, err := d3.SetConsumerCode(f.ctx, code); agent.CodeOf(err) != agent.CodeVoucherUsed {
		t.Fatalf("same voucher offline: %v, want VOUCHER_USED", err)
	}
}

func TestOfflineSwitchByConnectivityView(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	f.term.SetOnline(false)
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(12000)})
	if !sale.Offline || sale.SubsidyFen != agent.Yuan(1500) {
		t.Fatalf("sale offline %v subsidy %s, want offline ¥1,500.00 (capped)", sale.Offline, sale.SubsidyFen)
	}
	if f.platform.Freezes() != 0 {
		t.Fatal("the platform was called although the terminal is offline")
	}
}

func TestSaleRefusals(t *testing.T) {
	otherPub := func(f *fixture) string {
		return agenttest.NewIssuer(f.t, f.clock).Code(f.t, agent.CatFridge, time.Hour)
	}
	type step int
	const (
		atCode step = iota
		atProduct
		atSN
		atQuote
		atConfirm
	)
	cases := []struct {
		name  string
		opts  []fixtureOpt
		setup func(f *fixture) saleSpec
		at    step
		want  agent.Code
	}{
		{"malformed code", nil, func(f *fixture) saleSpec { return saleSpec{code: "TIQ1.garbage"} }, atCode, agent.CodeInvalidCode},
		{"foreign signature", nil, func(f *fixture) saleSpec { return saleSpec{code: otherPub(f)} }, atCode, agent.CodeBadSignature},
		{"expired", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatFridge, func(c *agent.ConsumerClaims) { c.Exp = f.clock.Now().Unix() })}
		}, atCode, agent.CodeVoucherExpired},
		{"region mismatch", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatFridge, func(c *agent.ConsumerClaims) { c.Reg = "310000" })}
		}, atCode, agent.CodeVoucherRegionMismatch},
		{"category mismatch", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatPhone), product: fridge}
		}, atProduct, agent.CodeVoucherCategoryMismatch},
		{"unknown product", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatFridge), product: agent.Product{Barcode: gtin("690000000099")}}
		}, atProduct, agent.CodeProductNotFound},
		{"bad barcode", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatFridge), product: agent.Product{Barcode: "6900000000010"}}
		}, atProduct, agent.CodeInvalidGTIN},
		{"grade 3 not eligible", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatWasher), product: washer3, price: agent.Yuan(2999)}
		}, atQuote, agent.CodeNotEligible},
		{"above ceiling", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatPhone), product: phone, sn: f.sellableSN(imei("35123456789013")), price: 6000_01}
		}, atQuote, agent.CodePriceAboveCeiling},
		{"above filed price", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(6000)}
		}, atQuote, agent.CodePriceAboveFiled},
		{"SN used at the platform", nil, func(f *fixture) saleSpec {
			sn := imei("35123456789014")
			f.platform.SetSN(sn, agent.SNUsed)
			return saleSpec{code: f.code(agent.CatPhone), product: phone, sn: sn}
		}, atSN, agent.CodeSNUsed},
		{"SN unknown to the platform", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatPhone), product: phone, sn: "SN-NOT-KNOWN-1"}
		}, atSN, agent.CodeSNNotFound},
		{"invalid IMEI", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatPhone), product: phone, sn: "351234567890120"}
		}, atSN, agent.CodeInvalidIMEI},
		{"SN missing", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatPhone), product: phone, price: agent.Yuan(1999)}
		}, atConfirm, agent.CodeInvalidSN},
		{"trade-in missing", nil, func(f *fixture) saleSpec {
			return saleSpec{code: f.code(agent.CatEBike), product: ebike, price: agent.Yuan(3000)}
		}, atConfirm, agent.CodeTradeInRequired},
		{"voucher used at the platform", nil, func(f *fixture) saleSpec {
			code := f.code(agent.CatFridge)
			c, err := agent.VerifyConsumerCode(code, f.codes.Pub, f.clock.Now())
			if err != nil {
				f.t.Fatal(err)
			}
			f.platform.SetVoucher(c.VID, agenttest.VoucherUsed)
			return saleSpec{code: code, product: fridge, price: agent.Yuan(3000)}
		}, atConfirm, agent.CodeVoucherUsed},
		{"opaque code offline", nil, func(f *fixture) saleSpec {
			f.platform.SetDown(true)
			f.term.SetOnline(false)
			return saleSpec{code: f.opaqueCode(agent.CatFridge)}
		}, atCode, agent.CodeOfflineRefused},
		{"offline per-sale cap", []fixtureOpt{func(r *agent.Rules) { r.Offline.MaxSubsidyPerSaleFen = agent.Yuan(500) }}, func(f *fixture) saleSpec {
			f.platform.SetDown(true)
			return saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(4999)}
		}, atConfirm, agent.CodeOfflineRefused},
		{"campaign over", nil, func(f *fixture) saleSpec {
			rs, err := f.store.Rules(f.ctx)
			if err != nil {
				f.t.Fatal(err)
			}
			for i := range rs {
				rs[i].CampaignEnd = f.clock.Now().Add(-time.Hour)
			}
			if err := f.store.SaveRules(f.ctx, rs); err != nil {
				f.t.Fatal(err)
			}
			return saleSpec{}
		}, -1, agent.CodeCampaignClosed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.opts...)
			clerk := f.login("C1")
			sp := tc.setup(f)
			d, err := clerk.NewSale(f.ctx)
			if tc.at < 0 {
				wantCode(t, err, tc.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			check := func(s step, err error) bool {
				t.Helper()
				if s == tc.at {
					wantCode(t, err, tc.want)
					return true
				}
				if err != nil {
					t.Fatalf("step %d: %v", s, err)
				}
				return false
			}
			_, err = d.SetConsumerCode(f.ctx, sp.code)
			if check(atCode, err) {
				return
			}
			_, _, err = d.ScanProduct(f.ctx, sp.product.Barcode)
			if check(atProduct, err) {
				return
			}
			if sp.sn != "" || tc.at == atSN {
				_, err = d.SetSN(f.ctx, sp.sn)
				if check(atSN, err) {
					return
				}
			}
			_, err = d.Quote(f.ctx, sp.price)
			if check(atQuote, err) {
				return
			}
			_, err = d.Confirm(f.ctx)
			if check(atConfirm, err) {
				return
			}
			t.Fatalf("no refusal; wanted %s", tc.want)
		})
	}
}

func TestOpaqueCodeNeedsThePlatform(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	// Online, an opaque code is accepted and the platform resolves it.
	sale, _ := f.sell(clerk, saleSpec{code: f.opaqueCode(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	if sale.Consumer.Signed || sale.Consumer.VoucherID == "" || sale.Consumer.CRef == "" {
		t.Fatalf("consumer after platform try: %+v", sale.Consumer)
	}
	// Accepted online, then the platform goes away before Confirm: the
	// offline policy takes signed codes only.
	d := f.prepare(clerk, saleSpec{code: f.opaqueCode(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	f.platform.SetDown(true)
	_, err := d.Confirm(f.ctx)
	wantOfflineReason(t, err, agent.OfflineSignedOnly)
}

func wantOfflineReason(t *testing.T, err error, r agent.OfflineReason) {
	t.Helper()
	wantCode(t, err, agent.CodeOfflineRefused)
	if got := agent.OfflineReasonOf(err); got != r {
		t.Fatalf("offline refusal %s (%v), want %s", got, err, r)
	}
}

func TestRulesMustBeSyncedBeforeSelling(t *testing.T) {
	f := newFixture(t)
	// A fresh store without rules.
	st2 := openBareStore(t, f.clock)
	term, err := agent.NewTerminal(agent.Deps{Store: st2, Clock: f.clock, Info: agent.StoreInfo{TerminalNo: "T0002", CountyCode: storeCounty}})
	if err != nil {
		t.Fatal(err)
	}
	agenttest.SeedStaff(t, st2, f.clock, agent.Staff{ID: "C1", Name: "张三", Role: agent.RoleClerk})
	s, err := term.Login(f.ctx, "C1", "1234")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.NewSale(f.ctx)
	wantCode(t, err, agent.CodeRulesMissing)
	_, err = term.Rules(f.ctx)
	wantCode(t, err, agent.CodeRulesMissing)
	if st := term.Status(f.ctx); st.RulesVersion != "" || len(st.Problems) != 0 || st.Online {
		t.Fatalf("status before the first refresh: %+v", st)
	}
}

func TestOfflinePolicyPendingAndAgeLimits(t *testing.T) {
	f := newFixture(t, func(r *agent.Rules) { r.Offline.MaxPendingSubsidyFen = agent.Yuan(1200) })
	clerk := f.login("C1")
	f.platform.SetDown(true)
	// ¥749.85 pending; a second ¥749.85 would exceed ¥1,200.
	f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
	_, err := d.Confirm(f.ctx)
	wantOfflineReason(t, err, agent.OfflinePendingCap)
	// A small sale still fits: ¥300 subsidy.
	f.sell(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(2000)})

	// 72 h after the oldest unsynced sale the terminal stops selling offline.
	f.clock.Advance(72*time.Hour + time.Minute)
	d = f.prepare(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(10)})
	if st := f.term.Status(f.ctx); !f.clock.Now().After(st.OfflineDeadline) {
		t.Fatalf("deadline %v not passed at %v", st.OfflineDeadline, f.clock.Now())
	}
	_, err = d.Confirm(f.ctx)
	wantOfflineReason(t, err, agent.OfflineTooOld)

	// Once the platform is back and the queue drained, offline sales
	// resume: the refused wizard can simply confirm again.
	f.platform.SetDown(false)
	f.platform.Deliver(t, f.store)
	if st := f.term.Status(f.ctx); st.QueueDepth != 0 || !st.OfflineDeadline.IsZero() {
		t.Fatalf("after drain: %+v", st)
	}
	f.platform.SetDown(true)
	if s, err := d.Confirm(f.ctx); err != nil || s.State != agent.SaleOfflineAccepted {
		t.Fatalf("confirm again: %v %v", s.State, err)
	}
}

func TestQuotaExhaustedForSameConsumer(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	first := f.code(agent.CatFridge, func(c *agent.ConsumerClaims) { c.CRef = "CR-SAME" })
	f.sell(clerk, saleSpec{code: first, product: fridge, price: agent.Yuan(3000)})
	second := f.code(agent.CatFridge, func(c *agent.ConsumerClaims) { c.CRef = "CR-SAME" })
	d, _ := clerk.NewSale(f.ctx)
	if _, err := d.SetConsumerCode(f.ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.ScanProduct(f.ctx, fridge.Barcode); err != nil {
		t.Fatal(err)
	}
	_, err := d.Quote(f.ctx, agent.Yuan(3000))
	wantCode(t, err, agent.CodeQuotaExhausted)
}

func TestCancelFrozenVoucherQueuesCancel(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	code := f.code(agent.CatFridge)
	d := f.prepare(clerk, saleSpec{code: code, product: fridge, price: agent.Yuan(3000)})
	s, err := d.Confirm(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Cancel(f.ctx, "consumer changed mind"); err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.Sale(f.ctx, s.OrderNo)
	if err != nil || stored.State != agent.SaleCancelled {
		t.Fatalf("stored %v %v, want CANCELLED", stored.State, err)
	}
	out := f.outbox()
	if len(out) != 1 || out[0].Kind != agent.OutboxCancel {
		t.Fatalf("outbox %+v, want CANCEL", out)
	}
	if _, _, err := d.Commit(f.ctx); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("commit after cancel: %v", err)
	}
	// After the cancel reaches the platform the voucher can be used again.
	f.platform.Deliver(t, f.store)
	f.sell(clerk, saleSpec{code: code, product: fridge, price: agent.Yuan(3000)})

	// A draft that never reached the platform leaves only an audit entry.
	d2, _ := clerk.NewSale(f.ctx)
	if err := d2.Cancel(f.ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Sale(f.ctx, d2.Sale().OrderNo); err == nil {
		t.Fatal("a cancelled draft was stored")
	}
}

func TestTradeInTicketAndPickup(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	ti := &agent.TradeIn{Category: agent.CatEBike, Brand: "绿源", Model: "old", Condition: agent.ConditionWorn, PriceFen: agent.Yuan(100)}
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatEBike), product: ebike, tradeIn: ti, price: agent.Yuan(3000)})
	if sale.TradeIn == nil || !agent.IsTicketNo(sale.TradeIn.TicketNo) {
		t.Fatalf("trade-in ticket %+v", sale.TradeIn)
	}
	if sale.SubsidyFen != agent.Yuan(500) {
		t.Fatalf("e-bike subsidy %s, want ¥500.00", sale.SubsidyFen)
	}
	if kind, _ := agent.Classify(sale.TradeIn.TicketNo); kind != agent.ScanTicket {
		t.Fatalf("ticket classifies as %s", kind)
	}
	if r := f.printer.last(); r.Sale == nil || r.Sale.TradeIn == nil || r.Sale.TradeIn.TicketNo != sale.TradeIn.TicketNo {
		t.Fatal("receipt lacks the trade-in ticket")
	}

	recycler := f.login("R1")
	got, err := recycler.LookupTicket(f.ctx, sale.TradeIn.TicketNo)
	if err != nil || got.OrderNo != sale.OrderNo {
		t.Fatalf("lookup: %v %v", got.OrderNo, err)
	}
	photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("jpeg body")...)
	p, err := recycler.RecordPickup(f.ctx, agent.Pickup{TicketNo: sale.TradeIn.TicketNo, Condition: agent.ConditionWorn,
		WeightGrams: 45000, CertificateNo: "CERT-0001"}, photo)
	if err != nil {
		t.Fatal(err)
	}
	if p.OrderNo != sale.OrderNo || p.RecyclerID != "R1" || len(p.PhotoSHA256) != 64 {
		t.Fatalf("pickup %+v", p)
	}
	if b, err := readFile(f.photos, p.PhotoSHA256+".jpg"); err != nil || string(b) != string(photo) {
		t.Fatalf("photo file: %v", err)
	}
	if _, err := f.store.PickupByTicket(f.ctx, sale.TradeIn.TicketNo); err != nil {
		t.Fatal(err)
	}
	var kinds []agent.OutboxKind
	for _, it := range f.outbox() {
		kinds = append(kinds, it.Kind)
	}
	if len(kinds) != 2 || kinds[1] != agent.OutboxPickup {
		t.Fatalf("outbox kinds %v, want [SALE_COMMIT PICKUP]", kinds)
	}
	_, err = recycler.RecordPickup(f.ctx, agent.Pickup{TicketNo: sale.TradeIn.TicketNo, Condition: agent.ConditionWorn, WeightGrams: 1, CertificateNo: "C2"}, nil)
	wantCode(t, err, agent.CodeAlreadyPickedUp)
	_, err = recycler.LookupTicket(f.ctx, "TI20260310100000000199")
	wantCode(t, err, agent.CodeNotFound)
	_, err = recycler.LookupTicket(f.ctx, "not-a-ticket")
	wantCode(t, err, agent.CodeInvalidRequest)

	// A store without a ticket index is searched by the ticket's issue time.
	plain, err := agent.NewTerminal(agent.Deps{Store: struct{ agent.Store }{f.store}, Clock: f.clock,
		Info: agent.StoreInfo{TerminalNo: "T0001", CountyCode: storeCounty}})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := plain.Login(f.ctx, "R1", "1234")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r2.LookupTicket(f.ctx, sale.TradeIn.TicketNo); err != nil || got.OrderNo != sale.OrderNo {
		t.Fatalf("lookup by issue time: %v %v", got.OrderNo, err)
	}
	_, err = r2.LookupTicket(f.ctx, "TI20260310100000000199")
	wantCode(t, err, agent.CodeNotFound)
}

func TestPlatformDiscountIsAuthoritative(t *testing.T) {
	f := newFixture(t)
	f.platform.SetDiscountDelta(-100) // the platform pays ¥1.00 less
	clerk := f.login("C1")
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: 4999_00})
	if sale.SubsidyFen != 749_85-100 || sale.PayFen != 4999_00-749_85+100 {
		t.Fatalf("subsidy %s pay %s", sale.SubsidyFen, sale.PayFen)
	}
	if !hasWarning(sale.Warnings, agent.WarnSubsidyDiffers) {
		t.Fatalf("warnings %+v lack SUBSIDY_DIFFERS", sale.Warnings)
	}
	mgr := f.login("M1")
	list, err := mgr.ReviewList(f.ctx)
	if err != nil || len(list) != 1 || list[0].OrderNo != sale.OrderNo {
		t.Fatalf("review list %v %v", list, err)
	}
	if err := mgr.ResolveReview(f.ctx, sale.OrderNo, ""); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("resolve without note: %v", err)
	}
	if err := mgr.ResolveReview(f.ctx, sale.OrderNo, "platform rounding; accepted"); err != nil {
		t.Fatal(err)
	}
	if list, _ := mgr.ReviewList(f.ctx); len(list) != 0 {
		t.Fatalf("review list after resolve: %d", len(list))
	}
	if err := mgr.ResolveReview(f.ctx, sale.OrderNo, "again"); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("second resolve: %v", err)
	}
}

func TestPrinterFailureNeverFailsTheSale(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	f.printer.fail = true
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	if _, err := d.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetPaymentRef(f.ctx, "P1"); err != nil {
		t.Fatal(err)
	}
	sale, job, err := d.Commit(f.ctx)
	wantCode(t, err, agent.CodePrintFailed)
	if sale.State != agent.SaleCommitted || job != "" || d.PrintError() == nil {
		t.Fatalf("sale %s job %q", sale.State, job)
	}
	if stored, err := f.store.Sale(f.ctx, sale.OrderNo); err != nil || stored.State != agent.SaleCommitted {
		t.Fatalf("stored: %v %v", stored.State, err)
	}
	f.printer.fail = false
	job, err = clerk.Reprint(f.ctx, sale.OrderNo)
	if err != nil || job == "" || !f.printer.last().Reprint {
		t.Fatalf("reprint: %q %v reprint=%v", job, err, f.printer.last().Reprint)
	}
}

func hasWarning(ws []agent.Warning, code string) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}

func TestRecoverFinishesSalesLeftByACrash(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	// paid: confirmed online and paid, then the process died.
	paid := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	paid.Confirm(f.ctx)
	if _, err := paid.SetPaymentRef(f.ctx, "P-1"); err != nil {
		t.Fatal(err)
	}
	// frozen: confirmed online, not paid.
	frozen := f.prepare(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(3000)})
	if _, err := frozen.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}
	// offline: accepted offline, not paid.
	f.term.SetOnline(false)
	offline := f.prepare(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(2000)})
	if _, err := offline.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}

	// In the same process the wizards are still open: nothing is touched.
	if rep, err := f.term.Recover(f.ctx); err != nil || len(rep.Committed)+len(rep.Cancelled) != 0 {
		t.Fatalf("recover with live wizards: %+v %v", rep, err)
	}

	// A new process on the same database.
	term2, err := agent.NewTerminal(agent.Deps{Store: f.store, Outbox: f.store, Printer: f.printer, Clock: f.clock,
		Info: agent.StoreInfo{TerminalNo: "T0001", CountyCode: storeCounty}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := term2.Recover(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Committed) != 1 || rep.Committed[0] != paid.Sale().OrderNo || len(rep.Cancelled) != 2 {
		t.Fatalf("report %+v", rep)
	}
	want := map[string]agent.SaleState{paid.Sale().OrderNo: agent.SaleCommitted, frozen.Sale().OrderNo: agent.SaleCancelled, offline.Sale().OrderNo: agent.SaleCancelled}
	for order, st := range want {
		got, err := f.store.Sale(f.ctx, order)
		if err != nil || got.State != st {
			t.Fatalf("%s: %s %v, want %s", order, got.State, err, st)
		}
	}
	kinds := map[agent.OutboxKind]string{}
	for _, it := range f.outbox() {
		kinds[it.Kind] = it.OrderNo
	}
	if len(kinds) != 2 || kinds[agent.OutboxSaleCommit] != paid.Sale().OrderNo || kinds[agent.OutboxCancel] != frozen.Sale().OrderNo {
		t.Fatalf("outbox %v", kinds)
	}
	if r := f.printer.last(); r.Sale == nil || r.Sale.OrderNo != paid.Sale().OrderNo {
		t.Fatal("recovered sale's receipt not queued")
	}
	// Nothing left to recover.
	if rep, _ := term2.Recover(f.ctx); len(rep.Committed)+len(rep.Cancelled) != 0 {
		t.Fatalf("second recover %+v", rep)
	}
	// The sale screen learns what became of each interrupted sale, until
	// the clerk dismisses it.
	got := map[string]agent.SaleState{}
	for _, is := range term2.Interrupted() {
		got[is.OrderNo] = is.State
		if is.ClerkID != "C1" || is.Product == "" {
			t.Errorf("interrupted sale %+v: clerk or product missing", is)
		}
	}
	if len(got) != 3 || got[paid.Sale().OrderNo] != agent.SaleCommitted || got[frozen.Sale().OrderNo] != agent.SaleCancelled {
		t.Fatalf("Interrupted() = %v, want %v", got, want)
	}
	term2.DismissInterrupted(paid.Sale().OrderNo)
	if n := len(term2.Interrupted()); n != 2 {
		t.Fatalf("%d interrupted sales after one was dismissed, want 2", n)
	}
}

func TestWizardEdgeCases(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")

	// A voucher freeze that expired before Commit still commits (the
	// consumer has paid) but goes to the review list.
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	if _, err := d.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetPaymentRef(f.ctx, "P-1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(16 * time.Minute)
	sale, _, err := d.Commit(f.ctx)
	if err != nil || !hasWarning(sale.Warnings, agent.WarnFreezeExpired) {
		t.Fatalf("late commit: %v %+v", err, sale.Warnings)
	}
	if _, _, err := d.Commit(f.ctx); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("second commit: %v", err)
	}

	// Paid online but abandoned: the frozen voucher is released.
	d = f.prepare(clerk, saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(3000)})
	d.Confirm(f.ctx)
	d.SetPaymentRef(f.ctx, "P-2")
	if err := d.Cancel(f.ctx, strings.Repeat("理由", 300)); err != nil {
		t.Fatal(err)
	}
	var cancels int
	for _, it := range f.outbox() {
		if it.Kind == agent.OutboxCancel && it.OrderNo == d.Sale().OrderNo {
			cancels++
		}
	}
	if cancels != 1 {
		t.Fatalf("%d CANCEL rows for the abandoned paid sale", cancels)
	}
	if _, err := clerk.Reprint(f.ctx, d.Sale().OrderNo); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("reprint of a cancelled sale: %v", err)
	}

	// Steps out of order and bad trade-ins are refused with reasons.
	d, _ = clerk.NewSale(f.ctx)
	if _, err := d.SetSN(f.ctx, "SN-000001"); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("SN before product: %v", err)
	}
	if _, err := d.Quote(f.ctx, agent.Yuan(1)); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("quote before product: %v", err)
	}
	if _, err := d.Confirm(f.ctx); agent.CodeOf(err) != agent.CodeInvalidCode {
		t.Fatalf("confirm of an empty draft: %v", err)
	}
	if _, err := d.SetPaymentRef(f.ctx, "P"); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("payment of a draft: %v", err)
	}
	if _, err := d.SetTradeIn(f.ctx, agent.TradeIn{Category: agent.CatFridge, Condition: "MINT"}); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("bad condition: %v", err)
	}
	ti, err := d.SetTradeIn(f.ctx, agent.TradeIn{Category: agent.CatFridge, Condition: agent.ConditionBroken})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.SetTradeIn(f.ctx, agent.TradeIn{Category: agent.CatFridge, Condition: agent.ConditionWorn})
	if again.TicketNo != ti.TicketNo {
		t.Fatalf("ticket changed from %s to %s on edit", ti.TicketNo, again.TicketNo)
	}
	// Changing the product drops the SN scanned for the previous one.
	d, _ = clerk.NewSale(f.ctx)
	d.ScanProduct(f.ctx, phone.Barcode)
	if _, err := d.SetSN(f.ctx, f.sellableSN("SN-PHONE-01")); err != nil {
		t.Fatal(err)
	}
	if !d.SNRequired() || d.NeedsTradeIn() {
		t.Fatal("phone: SN required, no trade-in")
	}
	if _, _, err := d.ScanProduct(f.ctx, tv.Barcode); err != nil {
		t.Fatal(err)
	}
	if d.Sale().SN != "" {
		t.Fatal("SN kept after the product changed")
	}
}

func TestWizardReadsDoNotWaitForThePlatform(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	d := f.prepare(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	entered, gate := make(chan struct{}), make(chan struct{})
	f.platform.HoldTryVoucher(entered, gate)
	done := make(chan error)
	go func() {
		_, err := d.Confirm(f.ctx)
		done <- err
	}()
	<-entered
	// Confirm holds the wizard while the platform thinks; reads still answer.
	if s := d.Sale(); s.State != agent.SaleDraft || s.Consumer.AuthCode != "" || s.SubsidyFen != agent.Yuan(450) {
		t.Fatalf("view during confirm: %s auth=%q subsidy %s", s.State, s.Consumer.AuthCode, s.SubsidyFen)
	}
	_ = d.SNRequired()
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := d.Sale(); s.State != agent.SaleFrozen {
		t.Fatalf("view after confirm: %s", s.State)
	}
}

func TestNoPersonalDataInAuditOrLogs(t *testing.T) {
	f := newFixture(t)
	clerk, mgr := f.login("C1"), f.login("M1")
	online := f.code(agent.CatFridge)
	d := f.prepare(clerk, saleSpec{code: online, product: fridge, price: agent.Yuan(3000)})
	if err := d.SetConsumerPhone("13912345678"); err != nil {
		t.Fatal(err)
	}
	d.Confirm(f.ctx)
	d.SetPaymentRef(f.ctx, "P-1")
	sale, _, err := d.Commit(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	mgr.Refund(f.ctx, sale.OrderNo, "test")
	f.platform.SetDown(true)
	offline := f.code(agent.CatTV)
	f.sell(clerk, saleSpec{code: offline, product: tv, price: agent.Yuan(3000)})
	opaque := f.opaqueCode(agent.CatTV)
	d2, _ := clerk.NewSale(f.ctx)
	d2.SetConsumerCode(f.ctx, opaque) // refused offline

	entries, err := f.store.AuditEntries(f.ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, e := range entries {
		all.WriteString(e.Action + " " + e.Subject + " " + e.Detail + "\n")
	}
	all.WriteString(f.logs.String())
	for _, secret := range []string{online, offline, opaque, "13912345678", "12345678"} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("audit or log contains personal data %q", secret)
		}
	}
	if !strings.Contains(f.logs.String(), "sale committed") {
		t.Fatal("the terminal's log was not captured")
	}
}
