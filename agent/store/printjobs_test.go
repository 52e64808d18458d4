package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"tradein/agent"
)

func TestPrintJobs(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	jobs := []agent.PrintJob{
		{ID: "J1", OrderNo: "O1", Kind: string(agent.ReceiptSale), Data: []byte{0x1b, 0x40, 'h', 'i'}},
		{ID: "J2", OrderNo: "O1", Kind: string(agent.ReceiptSale), Reprint: true, Data: []byte{0x1b, 0x40}},
		{ID: "J3", OrderNo: "", Kind: string(agent.ReceiptDaily), Data: nil},
	}
	for _, j := range jobs {
		if err := s.EnqueuePrintJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	if err := s.EnqueuePrintJob(ctx, jobs[0]); err == nil {
		t.Fatal("duplicate job ID accepted")
	}
	if err := s.EnqueuePrintJob(ctx, agent.PrintJob{}); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("job without ID: %v", err)
	}
	got, err := s.PrintJob(ctx, "J2")
	if err != nil || !got.Reprint || got.State != agent.PrintQueued || string(got.Data) != "\x1b\x40" ||
		!got.CreatedAt.Equal(newStepClock().Now().Add(time.Second)) || !got.PrintedAt.IsZero() {
		t.Fatalf("PrintJob = %+v, %v", got, err)
	}
	got.State = agent.PrintFailed
	got.Attempts = 2
	got.LastError = "PAPER_OUT"
	if err := s.UpdatePrintJob(ctx, got); err != nil {
		t.Fatal(err)
	}
	done, _ := s.PrintJob(ctx, "J1")
	done.State = agent.PrintDone
	done.PrintedAt = clk.Now()
	if err := s.UpdatePrintJob(ctx, done); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdatePrintJob(ctx, agent.PrintJob{ID: "nope", State: agent.PrintDone}); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("update of a missing job: %v", err)
	}
	if _, err := s.PrintJob(ctx, "nope"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("missing job: %v", err)
	}

	ids := func(js []agent.PrintJob, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, j := range js {
			out += j.ID
		}
		return out
	}
	if got := ids(s.PrintJobsIn(ctx, agent.PrintQueued, agent.PrintFailed)); got != "J2J3" {
		t.Fatalf("queued+failed = %s", got)
	}
	if got := ids(s.PrintJobsIn(ctx, agent.PrintFailed)); got != "J2" {
		t.Fatalf("failed = %s", got)
	}
	if got := ids(s.PrintJobsIn(ctx)); got != "J1J2J3" {
		t.Fatalf("all = %s", got)
	}
	j1, _ := s.PrintJob(ctx, "J1")
	if j1.State != agent.PrintDone || !j1.PrintedAt.Equal(done.PrintedAt) {
		t.Fatalf("J1 = %+v", j1)
	}
	j2, _ := s.PrintJob(ctx, "J2")
	if j2.Attempts != 2 || j2.LastError != "PAPER_OUT" {
		t.Fatalf("J2 = %+v", j2)
	}
}
