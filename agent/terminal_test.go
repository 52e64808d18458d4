package agent_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"tradein/agent"
)

func TestStatusReportsQueueDevicesAndVersions(t *testing.T) {
	f := newFixture(t)
	st := f.term.Status(f.ctx)
	if !st.Online || st.QueueDepth != 0 || !st.OldestPending.IsZero() || st.LibraryVersion != 7 ||
		st.RulesVersion != "BJ-2026-test@1, CN-2026@"+agent.DefaultRulesVersion || len(st.Problems) != 0 ||
		fmt.Sprint(st.Rules.InForce) != "[BJ-2026-test CN-2026]" || !st.Rules.NextAt.IsZero() {
		t.Fatalf("idle status %+v", st)
	}
	if r, err := f.term.Rules(f.ctx); err != nil || len(r) != 3 || r[1].Version != agent.DefaultRulesVersion {
		t.Fatalf("rules %+v %v", r, err)
	}
	f.term.ReportDevice(agent.DeviceStatus{Name: "scanner", Port: "/dev/ttyUSB0", State: agent.DeviceIdle})
	f.term.ReportDevice(agent.DeviceStatus{Name: "printer", Port: "/dev/ttyUSB1", State: agent.DeviceError, Code: "PAPER_OUT"})
	f.term.ReportDevice(agent.DeviceStatus{Name: "scanner", Port: "/dev/ttyUSB0", State: agent.DeviceBusy})
	f.printer.failed = []agent.PrintJob{{ID: "J9", State: agent.PrintFailed}}
	f.term.SetOnline(false)

	clerk := f.login("C1")
	sale, _ := f.sell(clerk, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	st = f.term.Status(f.ctx)
	if st.Online || st.QueueDepth != 1 || !st.OldestPending.Equal(sale.UpdatedAt) || st.OfflineSales != 1 ||
		st.PendingOfflineSubsidy != sale.SubsidyFen || st.FailedPrintJobs != 1 {
		t.Fatalf("status %+v (sale at %v)", st, sale.UpdatedAt)
	}
	if len(st.Devices) != 2 || st.Devices[0].Name != "printer" || st.Devices[0].Code != "PAPER_OUT" || st.Devices[1].State != agent.DeviceBusy {
		t.Fatalf("devices %+v", st.Devices)
	}

	// Printer problems are handled by whoever is logged in.
	jobs, err := clerk.FailedPrintJobs(f.ctx)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("failed jobs %v %v", jobs, err)
	}
	if err := clerk.SkipPrint(f.ctx, "J9"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, clerk.RetryPrint(f.ctx, "J9"), agent.CodeNotFound)
	if st := f.term.Status(f.ctx); st.FailedPrintJobs != 0 {
		t.Fatalf("failed jobs after skip: %d", st.FailedPrintJobs)
	}
}

func TestScansAreClassifiedAndNewestWins(t *testing.T) {
	f := newFixture(t)
	f.term.HandleScan(agent.ScanEvent{Value: " " + fridge.Barcode + "\r\n", Source: "wedge"})
	ev := <-f.term.Scans()
	if ev.Kind != agent.ScanProduct || ev.Value != fridge.Barcode || ev.At.IsZero() {
		t.Fatalf("scan %+v", ev)
	}
	// Flood the buffer without reading: the newest scan must survive.
	for i := 0; i < 100; i++ {
		f.term.HandleScan(agent.ScanEvent{Kind: agent.ScanSN, Value: "SN-" + string(rune('A'+i%26)) + "-0000"})
	}
	last := agent.ScanEvent{Kind: agent.ScanConsumer, Value: "TIQ1.last"}
	f.term.HandleScan(last)
	var got agent.ScanEvent
	for n := len(f.term.Scans()); n > 0; n-- {
		got = <-f.term.Scans()
	}
	if got.Value != last.Value {
		t.Fatalf("last scan in the buffer is %q, want the newest", got.Value)
	}
}

func TestOrderNumbersUniqueAndSortable(t *testing.T) {
	f := newFixture(t)
	clerk := f.login("C1")
	// The clock stands still: every draft is created in the same instant,
	// from several goroutines.
	const workers, each = 4, 50
	var mu sync.Mutex
	var orders []string
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				d, err := clerk.NewSale(f.ctx)
				if err != nil {
					t.Error(err)
					return
				}
				s := d.Sale()
				mu.Lock()
				orders = append(orders, s.OrderNo, s.RequestNo)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, o := range orders {
		if seen[o] {
			t.Fatalf("duplicate number %s", o)
		}
		seen[o] = true
	}
	// Numbers of one kind sort in creation order.
	d1, _ := clerk.NewSale(f.ctx)
	d2, _ := clerk.NewSale(f.ctx)
	a, b := d1.Sale().OrderNo, d2.Sale().OrderNo
	if !sort.StringsAreSorted([]string{a, b}) || a == b {
		t.Fatalf("%s then %s", a, b)
	}
}
