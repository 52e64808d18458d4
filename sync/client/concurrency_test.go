package client_test

import (
	"sync"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
	"tradein/sync/client"
)

const racers = 50

// TestConcurrentSameVoucher: 50 goroutines on 5 terminals try and commit
// the same consumer code (each with its own SN and order): exactly one
// redemption.
func TestConcurrentSameVoucher(t *testing.T) {
	e := startEnv(t, client.Config{})
	terms := []*client.Client{e.c}
	for i := 1; i < 5; i++ {
		terms = append(terms, e.enrollAnother("racer-"+string(rune('a'+i))))
	}
	d := e.code(agent.CatPhone)
	price := agent.Yuan(3000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	commits, other := 0, map[agent.Code]int{}
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := terms[i%len(terms)]
			sn := uniq("SN")
			f, err := e.try(c, d.Code, mate70, sn, price)
			if err == nil {
				_, err = c.CommitVoucher(ctx, commitReq(f, mate70, sn, price, e.clock.Now()))
			}
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				commits++
			} else {
				other[agent.CodeOf(err)]++
			}
		}()
	}
	wg.Wait()
	if commits != 1 {
		t.Fatalf("%d commits of one voucher, want exactly 1 (failures: %v)", commits, other)
	}
	for code := range other {
		if code != agent.CodeVoucherUsed && code != agent.CodeVoucherNotFound {
			t.Errorf("unexpected failure code %s (%v)", code, other)
		}
	}
	total := 0
	day := e.clock.Now().In(agent.ChinaTime).Format(api.DateLayout)
	for _, c := range terms {
		sum, err := c.DaySummary(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		total += sum.Sales
	}
	if total != 1 {
		t.Errorf("platform recorded %d sales, want 1", total)
	}
}

// TestConcurrentSameSN: 50 consumers buy the same serial number at once:
// exactly one sale locks it.
func TestConcurrentSameSN(t *testing.T) {
	e := startEnv(t, client.Config{})
	other := e.enrollAnother("sn-racer")
	codes := make([]string, racers)
	for i := range codes {
		codes[i] = e.code(agent.CatPhone).Code
	}
	sn := uniq("SN")
	price := agent.Yuan(3000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	commits, failures := 0, map[agent.Code]int{}
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := e.c
			if i%2 == 1 {
				c = other
			}
			f, err := e.try(c, codes[i], mate70, sn, price)
			if err == nil {
				_, err = c.CommitVoucher(ctx, commitReq(f, mate70, sn, price, e.clock.Now()))
			}
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				commits++
			} else {
				failures[agent.CodeOf(err)]++
			}
		}()
	}
	wg.Wait()
	if commits != 1 || failures[agent.CodeSNUsed] != racers-1 {
		t.Fatalf("commits = %d, failures = %v; want 1 commit and %d SN_USED", commits, failures, racers-1)
	}
	if st, _ := e.c.QuerySN(ctx, sn); st != agent.SNUsed {
		t.Errorf("SN = %s, want USED", st)
	}
}

// TestConcurrentReplay: 50 goroutines send the very same try, then the
// very same commit: one freeze, one sale, 50 identical answers.
func TestConcurrentReplay(t *testing.T) {
	e := startEnv(t, client.Config{})
	d := e.code(agent.CatPhone)
	sn := uniq("SN")
	price := agent.Yuan(3000)
	vt := agent.VoucherTry{RequestNo: uniq("TRY"), AuthCode: d.Code, Category: agent.CatPhone, CountyCode: e.enr.Store.CountyCode,
		Barcode: mate70.Barcode, SN: sn, AmountFen: price}
	frozen := make([]agent.VoucherFrozen, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() { defer wg.Done(); frozen[i], errs[i] = e.c.TryVoucher(ctx, vt) }()
	}
	wg.Wait()
	for i := range racers {
		if errs[i] != nil || frozen[i] != frozen[0] {
			t.Fatalf("try %d = %+v, %v; want %+v", i, frozen[i], errs[i], frozen[0])
		}
	}
	req := commitReq(frozen[0], mate70, sn, price, e.clock.Now())
	results := make([]api.CommitResponse, racers)
	for i := range racers {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = e.c.CommitVoucher(ctx, req) }()
	}
	wg.Wait()
	for i := range racers {
		if errs[i] != nil || results[i] != results[0] {
			t.Fatalf("commit %d = %+v, %v; want %+v", i, results[i], errs[i], results[0])
		}
	}
	sum, err := e.c.DaySummary(ctx, e.clock.Now().In(agent.ChinaTime).Format(api.DateLayout))
	if err != nil || sum.Sales != 1 || sum.SubsidyFen != frozen[0].DiscountFen {
		t.Errorf("summary = %+v, %v; want exactly one sale", sum, err)
	}
}
