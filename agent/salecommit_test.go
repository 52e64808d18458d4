package agent_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"tradein/agent"
)

// refusingStore is the fixture's store whose SaveSale fails, while fail is
// set, for every save that carries outbox items: what a commit sees when
// its store transaction fails (disk full, I/O error). The real store rolls
// such a transaction back whole (agent/store TestSaveSaleIsOneTransaction);
// here nothing reaches it.
type refusingStore struct {
	agent.Store
	fail atomic.Bool
}

func (s *refusingStore) SaveSale(ctx context.Context, sale agent.Sale, a agent.AuditEntry, out ...agent.OutboxItem) error {
	if len(out) > 0 && s.fail.Load() {
		return errors.New("disk I/O error")
	}
	return s.Store.SaveSale(ctx, sale, a, out...)
}

func (s *refusingStore) CommitSale(ctx context.Context, sale agent.Sale, a agent.AuditEntry, item agent.OutboxItem, job *agent.PrintJob) error {
	if s.fail.Load() {
		return errors.New("disk I/O error")
	}
	return s.Store.CommitSale(ctx, sale, a, item, job)
}

// TestCommitFailureWritesNothingAndCanBeRetried: when the commit's store
// transaction fails, the wizard keeps the PAID sale, nothing of the commit
// is stored (no COMMITTED state, no outbox row, no audit entry, no
// receipt), and calling Commit again commits it once.
func TestCommitFailureWritesNothingAndCanBeRetried(t *testing.T) {
	f := newFixture(t)
	rs := &refusingStore{Store: f.store}
	term, err := agent.NewTerminal(agent.Deps{Store: rs, Outbox: f.store, Library: f.store,
		Platform: f.platform, Printer: f.printer, Clock: f.clock,
		Info:   agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", CountyCode: storeCounty},
		Logger: slog.New(slog.NewTextHandler(&f.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	clerk, err := term.Login(f.ctx, "C1", "1234")
	if err != nil {
		t.Fatal(err)
	}
	// An opaque code: online, the platform resolves it (no key needed).
	d := f.prepare(clerk, saleSpec{code: f.opaqueCode(agent.CatFridge), product: fridge, price: agent.Yuan(3000)})
	if _, err := d.Confirm(f.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetPaymentRef(f.ctx, "P-1"); err != nil {
		t.Fatal(err)
	}
	orderNo := d.Sale().OrderNo

	rs.fail.Store(true)
	_, jobID, err := d.Commit(f.ctx)
	wantCode(t, err, agent.CodeInternal)
	if jobID != "" || d.PrintError() != nil {
		t.Fatalf("a failed commit queued a receipt (%q) or reported a print error", jobID)
	}
	if got := d.Sale().State; got != agent.SalePaid {
		t.Fatalf("wizard after the failed commit: %s, want PAID", got)
	}
	if stored, err := f.store.Sale(f.ctx, orderNo); err != nil || stored.State != agent.SalePaid {
		t.Fatalf("stored sale after the failed commit: %s, %v", stored.State, err)
	}
	if n := len(f.outbox()); n != 0 {
		t.Fatalf("%d outbox rows after the failed commit", n)
	}
	if acts := strings.Join(f.auditActions(), ","); strings.Contains(acts, "sale.commit") {
		t.Fatalf("audit log has a commit: %s", acts)
	}
	if len(f.printer.receipts) != 0 {
		t.Fatal("a receipt was printed for a sale that is not committed")
	}

	rs.fail.Store(false)
	sale, _, err := d.Commit(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sale.State != agent.SaleCommitted {
		t.Fatalf("after the retry: %s", sale.State)
	}
	items := f.outbox()
	if len(items) != 1 || items[0].Kind != agent.OutboxSaleCommit || items[0].OrderNo != orderNo {
		t.Fatalf("outbox after the retry: %+v", items)
	}
	if n := strings.Count(strings.Join(f.auditActions(), ","), "sale.commit"); n != 1 {
		t.Fatalf("%d commit audit entries", n)
	}
	if len(f.printer.receipts) != 1 {
		t.Fatalf("%d receipts", len(f.printer.receipts))
	}
	// Committed: a third Commit is an illegal move, not a second sale.
	_, _, err = d.Commit(f.ctx)
	wantCode(t, err, agent.CodeIllegalState)
}
