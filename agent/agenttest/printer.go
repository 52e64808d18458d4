package agenttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"tradein/agent"
	"tradein/agent/store"
)

// StorePrinter is an agent.ReceiptPrinter that keeps its jobs in the
// store's print-job table, the spooler's storage without a device, so
// retry and skip really change job states. It also records every receipt
// it was given. It is safe for concurrent use.
type StorePrinter struct {
	jobs   *store.Store
	clock  agent.Clock
	mu     sync.Mutex
	seq    int
	recs   []agent.Receipt
	broken bool
}

// NewStorePrinter returns a printer queueing into st's print-job table.
func NewStorePrinter(st *store.Store, clock agent.Clock) *StorePrinter {
	return &StorePrinter{jobs: st, clock: clock}
}

// SetBroken makes PrintReceipt fail, as a spooler whose disk is full.
func (p *StorePrinter) SetBroken(broken bool) {
	p.mu.Lock()
	p.broken = broken
	p.mu.Unlock()
}

// PrintReceipt records r and queues a job J0001, J0002, … for it.
func (p *StorePrinter) PrintReceipt(ctx context.Context, r agent.Receipt) (string, error) {
	j, err := p.PrepareReceipt(ctx, r)
	if err != nil {
		return "", err
	}
	return j.ID, p.jobs.EnqueuePrintJob(ctx, j)
}

// PrepareReceipt records r and returns its job J0001, J0002, … unstored
// (a sale's commit stores it).
func (p *StorePrinter) PrepareReceipt(ctx context.Context, r agent.Receipt) (agent.PrintJob, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.broken {
		return agent.PrintJob{}, errors.New("spooler: disk full")
	}
	p.seq++
	p.recs = append(p.recs, r)
	order := ""
	if r.Sale != nil {
		order = r.Sale.OrderNo
	}
	return agent.PrintJob{ID: fmt.Sprintf("J%04d", p.seq), OrderNo: order, Kind: string(r.Kind), Reprint: r.Reprint,
		Data: []byte(string(r.Kind)), State: agent.PrintQueued, CreatedAt: p.clock.Now()}, nil
}

// Wake implements agent.ReceiptPrinter; there is no device to wake.
func (p *StorePrinter) Wake() {}

// FailedJobs implements agent.ReceiptPrinter.
func (p *StorePrinter) FailedJobs(ctx context.Context) ([]agent.PrintJob, error) {
	return p.jobs.PrintJobsIn(ctx, agent.PrintFailed)
}

// RetryJob queues job id again.
func (p *StorePrinter) RetryJob(ctx context.Context, id string) error {
	return p.setState(ctx, id, agent.PrintQueued)
}

// SkipJob gives job id up.
func (p *StorePrinter) SkipJob(ctx context.Context, id string) error {
	return p.setState(ctx, id, agent.PrintSkipped)
}

func (p *StorePrinter) setState(ctx context.Context, id string, st agent.PrintJobState) error {
	j, err := p.jobs.PrintJob(ctx, id)
	if err != nil {
		return err
	}
	j.State, j.LastError = st, ""
	return p.jobs.UpdatePrintJob(ctx, j)
}

// Fail marks job id FAILED with the spooler-style reason why.
func (p *StorePrinter) Fail(t testing.TB, id, why string) {
	t.Helper()
	ctx := context.Background()
	j, err := p.jobs.PrintJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	j.State, j.LastError, j.Attempts = agent.PrintFailed, why, 1
	if err := p.jobs.UpdatePrintJob(ctx, j); err != nil {
		t.Fatal(err)
	}
}

// Receipts returns every receipt printed so far, oldest first.
func (p *StorePrinter) Receipts() []agent.Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]agent.Receipt(nil), p.recs...)
}

// Last returns the last receipt printed, or the zero Receipt.
func (p *StorePrinter) Last() agent.Receipt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.recs) == 0 {
		return agent.Receipt{}
	}
	return p.recs[len(p.recs)-1]
}
