package agent_test

import (
	"context"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/agenttest"
)

// killedPrinter is a spooler in a process that is killed right after the
// commit's transaction: whatever the printer is asked to store or do after
// that point never happens (the call panics, as the process would stop).
type killedPrinter struct {
	*agenttest.StorePrinter
}

type killed struct{}

func (killedPrinter) PrintReceipt(context.Context, agent.Receipt) (string, error) { panic(killed{}) }
func (killedPrinter) Wake()                                                       { panic(killed{}) }

// TestKillAfterCommitKeepsTheReceipt: when the program dies right after a
// sale's commit returned from the store, the committed sale already has
// its receipt's print job, queued for the spooler at the next start.
// (Before, the job was stored in a second step after the commit, and such
// a kill left a paid sale with no receipt and no trace of one.)
func TestKillAfterCommitKeepsTheReceipt(t *testing.T) {
	f := newFixture(t)
	pr := killedPrinter{agenttest.NewStorePrinter(f.store, f.clock)}
	term, err := agent.NewTerminal(agent.Deps{Store: f.store, Outbox: f.store, Library: f.store,
		Platform: f.platform, Printer: pr, Clock: f.clock,
		Info:        agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", CountyCode: storeCounty},
		PlatformKey: f.codes.Pub, PhotosDir: f.photos})
	if err != nil {
		t.Fatal(err)
	}
	f.term = term
	s := f.login("C1")
	d := f.prepare(s, saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(5999)})
	if _, err := d.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetPaymentRef(f.ctx, "POS-KILL"); err != nil {
		t.Fatal(err)
	}
	order := d.Sale().OrderNo
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(killed); !ok {
					panic(r)
				}
			}
		}()
		d.Commit(f.ctx)
		t.Fatal("the printer was never used after the commit")
	}()
	sale, err := f.store.Sale(f.ctx, order)
	if err != nil || sale.State != agent.SaleCommitted {
		t.Fatalf("sale %s after the kill: %s %v, want COMMITTED", order, sale.State, err)
	}
	jobs, err := f.store.PrintJobsIn(f.ctx, agent.PrintQueued)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].OrderNo != order || jobs[0].Kind != string(agent.ReceiptSale) {
		t.Fatalf("queued print jobs after the kill: %+v, want the receipt of %s", jobs, order)
	}
}

// TestRecoverQueuesAMissingReceipt: a sale committed by a program that
// queued the receipt in a second step and died between the two has no
// print job; the next start queues its receipt once and tells the clerk.
// A sale from an earlier day is left to the manager's reprint.
func TestRecoverQueuesAMissingReceipt(t *testing.T) {
	f := newFixture(t)
	sp := agenttest.NewStorePrinter(f.store, f.clock)
	s := f.login("C1")
	f.printer.fail = true // the receipt step never happened
	sell := func(sp saleSpec) agent.Sale {
		t.Helper()
		d := f.prepare(s, sp)
		if _, err := d.Confirm(f.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SetPaymentRef(f.ctx, "POS-1"); err != nil {
			t.Fatal(err)
		}
		sale, _, err := d.Commit(f.ctx)
		if agent.CodeOf(err) != agent.CodePrintFailed {
			t.Fatalf("commit: %v, want the sale committed without its receipt", err)
		}
		return sale
	}
	old := sell(saleSpec{code: f.code(agent.CatFridge), product: fridge, price: agent.Yuan(5999)})
	f.clock.Advance(24 * time.Hour)
	bare := sell(saleSpec{code: f.code(agent.CatTV), product: tv, price: agent.Yuan(12000)})

	term, err := agent.NewTerminal(agent.Deps{Store: f.store, Outbox: f.store, Library: f.store,
		Platform: f.platform, Printer: sp, Clock: f.clock,
		Info: agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", CountyCode: storeCounty}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := term.Recover(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Receipts) != 1 || rep.Receipts[0] != bare.OrderNo {
		t.Fatalf("receipts recovered %v, want only today's %s (not %s)", rep.Receipts, bare.OrderNo, old.OrderNo)
	}
	jobs, err := f.store.PrintJobsIn(f.ctx)
	if err != nil || len(jobs) != 1 || jobs[0].OrderNo != bare.OrderNo {
		t.Fatalf("print jobs %+v %v", jobs, err)
	}
	if is := term.Interrupted(); len(is) != 1 || is[0].OrderNo != bare.OrderNo || is[0].State != agent.SaleCommitted {
		t.Fatalf("Interrupted() = %+v", is)
	}
	if rep, _ := term.Recover(f.ctx); len(rep.Receipts) != 0 {
		t.Fatalf("second start queued the receipt again: %v", rep.Receipts)
	}
}
