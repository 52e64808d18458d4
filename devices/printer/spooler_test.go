package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/devices/devsim"
	"tradein/devices/escpos"
	"tradein/devices/imagescan"
	"tradein/devices/receipt"
	"tradein/devices/serialport"
)

var quiet = slog.New(slog.DiscardHandler)

// spoolRig is a Spooler printing to a devsim printer over a real pty.
type spoolRig struct {
	sim    *devsim.PrinterSim
	sp     *Spooler
	jobs   agent.PrintJobs
	states chan agent.DeviceStatus
	stop   func()
}

func newSpoolRig(t *testing.T, jobs agent.PrintJobs, cfg SpoolerConfig) *spoolRig {
	return newSpoolRigRoll(t, jobs, cfg, 0)
}

func newSpoolRigRoll(t *testing.T, jobs agent.PrintJobs, cfg SpoolerConfig, roll int) *spoolRig {
	t.Helper()
	dir := t.TempDir()
	sim, err := devsim.NewPrinter(devsim.PrinterConfig{Link: filepath.Join(dir, "printer"), Width: escpos.Width58,
		OutDir: filepath.Join(dir, "out"), RollReceipts: roll})
	if err != nil {
		t.Fatal(err)
	}
	r := &spoolRig{sim: sim, jobs: jobs, states: make(chan agent.DeviceStatus, 1000)}
	cfg.Port = serialport.Config{Path: sim.Path(), Baud: 9600}
	cfg.Receipt = receipt.Options{Width: escpos.Width58}
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	if cfg.Printer.StatusTimeout == 0 {
		// Generous: on a loaded 2-core CI machine a reply can be late, and
		// a late reply means "print anyway" (see TestMutePrinterPrintsAnyway).
		cfg.Printer.StatusTimeout = 3 * time.Second
	}
	cfg.Log = quiet
	r.sp = NewSpooler(cfg, jobs, nil, func(s agent.DeviceStatus) {
		select {
		case r.states <- s:
		default:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.sp.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done; sim.Close() }
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *spoolRig) waitCode(t *testing.T, state agent.DeviceState, code string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-r.states:
			if s.State == state && s.Code == code {
				return
			}
		case <-timeout:
			t.Fatalf("no %s/%s within 10 s (now %+v)", state, code, r.sp.Status())
		}
	}
}

func (r *spoolRig) waitPrinted(t *testing.T, n int) []devsim.Printed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ps, err := r.sim.WaitPrinted(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func (r *spoolRig) waitJob(t *testing.T, id string, want agent.PrintJobState) agent.PrintJob {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		j, err := r.jobs.PrintJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s, want %s (%s)", id, j.State, want, j.LastError)
		}
		time.Sleep(5 * time.Millisecond) // polling the store, not timing anything
	}
}

func saleReceipt(order string) agent.Receipt {
	return agent.Receipt{
		Kind:  agent.ReceiptSale,
		Store: agent.StoreInfo{StoreName: "测试门店", MerchantNo: "M1", TerminalNo: "T1"},
		Sale: &agent.Sale{OrderNo: order, CreatedAt: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC),
			Product:       agent.Product{Barcode: "6901234567892", Name: "小米手机 15", Category: agent.CatPhone},
			FinalPriceFen: 3999_00, SubsidyFen: 500_00, PayFen: 3499_00, Consumer: agent.Consumer{Masked: "李*"}},
		VerifyURL: "https://verify.example.cn/r/" + order,
		PrintedAt: time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC),
	}
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// TestReceiptRoundTripThroughSpooler: a sale receipt goes through the
// spooler and the pty to devsim, which decodes the expected Chinese lines
// and a QR code that reads back (gozxing) to the verification URL.
func TestReceiptRoundTripThroughSpooler(t *testing.T) {
	r := newSpoolRig(t, newMemJobs(), SpoolerConfig{})
	id, err := r.sp.PrintReceipt(context.Background(), saleReceipt("ORD1"))
	if err != nil {
		t.Fatal(err)
	}
	p := r.waitPrinted(t, 1)[0]
	for _, want := range []string{"以旧换新补贴销售单", "订单号：ORD1", "商品：小米手机 15", "补贴消费者：李*", "[QR] https://verify.example.cn/r/ORD1"} {
		if !hasLine(p.Lines, want) {
			t.Errorf("no %q in\n%s", want, strings.Join(p.Lines, "\n"))
		}
	}
	j := r.waitJob(t, id, agent.PrintDone)
	if j.Attempts != 1 || j.PrintedAt.IsZero() || j.OrderNo != "ORD1" || j.Kind != "SALE" {
		t.Fatalf("job %+v", j)
	}
	if !strings.HasSuffix(string(p.Raw), string(j.Data)) {
		t.Fatal("printer did not receive the job's bytes")
	}
	// The PNG devsim saved holds the QR, readable by gozxing.
	img := devsim.Render(p.Receipt, devsim.RenderOptions{Width: escpos.Width58})
	if got, err := imagescan.Decode(img); err != nil || got.Text != "https://verify.example.cn/r/ORD1" || got.Format != "QR_CODE" {
		t.Fatalf("QR from PNG: %+v %v", got, err)
	}
	// A second, independent decoder reads the PNG file devsim saved
	// (zbar-tools is a test dependency installed by make deps).
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Log("zbarimg not installed; the PNG was checked with gozxing only")
		return
	}
	var png string
	for _, f := range p.Files {
		if strings.HasSuffix(f, ".png") {
			png = f
		}
	}
	out, err := exec.Command(zbar, "--raw", "-q", png).Output()
	if err != nil || strings.TrimSpace(string(out)) != "https://verify.example.cn/r/ORD1" {
		t.Fatalf("zbarimg %s: %q %v", png, out, err)
	}
}

// TestPaperOutJobWaitsThenPrintsOnce: with the paper out, a job waits
// (queued, nothing sent); when paper is back it prints exactly once.
func TestPaperOutJobWaitsThenPrintsOnce(t *testing.T) {
	r := newSpoolRig(t, newMemJobs(), SpoolerConfig{})
	ctx := context.Background()
	r.sim.SetStatus(escpos.Status{PaperOut: true})
	id, err := r.sp.PrintReceipt(ctx, saleReceipt("ORD-PAPER"))
	if err != nil {
		t.Fatal(err)
	}
	r.waitCode(t, agent.DeviceError, "PAPER_OUT")
	// Several polls pass while the paper is out…
	for deadline := time.Now().Add(10 * time.Second); r.sp.Status().Counters[CounterNotReadyWaits] < 3; {
		if time.Now().After(deadline) {
			t.Fatal("the spooler stopped asking the printer")
		}
		time.Sleep(5 * time.Millisecond) // polling a counter, not timing anything
	}
	if j, _ := r.jobs.PrintJob(ctx, id); j.State != agent.PrintQueued || j.Attempts != 0 {
		t.Fatalf("job while paper out: %+v", j)
	}
	if n := len(r.sim.Printed()) + r.sim.Discarded(); n != 0 {
		t.Fatalf("%d receipts reached a printer without paper", n)
	}
	r.sim.SetStatus(escpos.Status{})
	r.waitPrinted(t, 1)
	r.waitJob(t, id, agent.PrintDone)
	// Exactly once: the next job is the second receipt the printer prints.
	id2, _ := r.sp.PrintReceipt(ctx, saleReceipt("ORD-NEXT"))
	ps := r.waitPrinted(t, 2)
	r.waitJob(t, id2, agent.PrintDone)
	if len(ps) != 2 || !hasLine(ps[0].Lines, "订单号：ORD-PAPER") || !hasLine(ps[1].Lines, "订单号：ORD-NEXT") {
		t.Fatalf("printed %d receipts", len(ps))
	}
	if c := r.sp.Status().Counters; c[CounterPrinted] != 2 || r.sim.Discarded() != 0 {
		t.Fatalf("counters %v, discarded %d", c, r.sim.Discarded())
	}
}

// TestRollRunsOutMidQueue: five receipts are queued and the roll holds
// two. The printer runs out after the second; the rest wait; a new roll
// is loaded twice; every receipt prints exactly once, in order.
func TestRollRunsOutMidQueue(t *testing.T) {
	r := newSpoolRigRoll(t, newMemJobs(), SpoolerConfig{}, 2)
	ctx := context.Background()
	var ids []string
	for _, o := range []string{"R1", "R2", "R3", "R4", "R5"} {
		id, err := r.sp.PrintReceipt(ctx, saleReceipt(o))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	r.waitPrinted(t, 2)
	r.waitCode(t, agent.DeviceError, "PAPER_OUT")
	for _, id := range ids[2:] {
		if j, _ := r.jobs.PrintJob(ctx, id); j.State != agent.PrintQueued || j.Attempts != 0 {
			t.Fatalf("job %s while paper out: %s, %d attempts", j.OrderNo, j.State, j.Attempts)
		}
	}
	r.sim.SetStatus(escpos.Status{}) // new roll
	r.waitPrinted(t, 4)
	r.waitCode(t, agent.DeviceError, "PAPER_OUT")
	r.sim.SetStatus(escpos.Status{})
	r.waitPrinted(t, 5)
	for _, id := range ids {
		r.waitJob(t, id, agent.PrintDone)
	}
	// One more job proves nothing else was queued behind: it is the 6th.
	last, _ := r.sp.PrintReceipt(ctx, saleReceipt("R6"))
	ps := r.waitPrinted(t, 6)
	r.waitJob(t, last, agent.PrintDone)
	for i, o := range []string{"R1", "R2", "R3", "R4", "R5", "R6"} {
		if !hasLine(ps[i].Lines, "订单号："+o) {
			t.Fatalf("receipt %d is not %s", i+1, o)
		}
	}
	if r.sim.Discarded() != 0 || len(ps) != 6 {
		t.Fatalf("%d printed, %d discarded", len(ps), r.sim.Discarded())
	}
}

// TestCoverOpenAndNearEnd: cover open blocks like paper out; a nearly
// empty roll still prints and shows on the status bar.
func TestCoverOpenAndNearEnd(t *testing.T) {
	r := newSpoolRig(t, newMemJobs(), SpoolerConfig{})
	r.sim.SetStatus(escpos.Status{CoverOpen: true})
	id, _ := r.sp.PrintReceipt(context.Background(), saleReceipt("ORD-COVER"))
	r.waitCode(t, agent.DeviceError, "COVER_OPEN")
	r.sim.SetStatus(escpos.Status{PaperNearEnd: true})
	r.waitPrinted(t, 1)
	r.waitJob(t, id, agent.PrintDone)
	r.waitCode(t, agent.DeviceIdle, "PAPER_NEAR_END")
}

// TestMutePrinterPrintsAnyway: a printer that never answers DLE EOT still
// gets its receipts.
func TestMutePrinterPrintsAnyway(t *testing.T) {
	r := newSpoolRig(t, newMemJobs(), SpoolerConfig{Printer: Config{StatusTimeout: 50 * time.Millisecond}})
	r.sim.SetMute(true)
	id, _ := r.sp.PrintReceipt(context.Background(), saleReceipt("ORD-MUTE"))
	r.waitPrinted(t, 1)
	r.waitJob(t, id, agent.PrintDone)
	if r.sp.Status().Counters[CounterStatusTimeouts] == 0 {
		t.Fatal("status timeout not counted")
	}
}

// TestPrinterFallsSilent: a printer that answered before and then stops
// answering is asked maxSilentPolls more times before the job goes out blind.
func TestPrinterFallsSilent(t *testing.T) {
	// No health polls: they would add timeouts of their own.
	r := newSpoolRig(t, newMemJobs(), SpoolerConfig{Health: time.Hour, Printer: Config{StatusTimeout: 50 * time.Millisecond}})
	ctx := context.Background()
	timeouts := func() int64 { return r.sp.Status().Counters[CounterStatusTimeouts] }
	// The spooler must first hear a complete answer. On a loaded machine a
	// reply can miss the 50 ms timeout, and a job for a printer never heard
	// goes out blind; so print until one job went out without a timeout.
	for printed := 1; ; printed++ {
		before := timeouts()
		a, _ := r.sp.PrintReceipt(ctx, saleReceipt(fmt.Sprintf("ORD-LOUD-%d", printed)))
		r.waitPrinted(t, printed)
		r.waitJob(t, a, agent.PrintDone)
		if timeouts() == before {
			break
		}
		if printed == 20 {
			t.Fatal("the printer never answered DLE EOT within 50 ms in 20 jobs")
		}
	}
	printed := len(r.sim.Printed())
	r.sim.SetMute(true)
	before := timeouts()
	b, _ := r.sp.PrintReceipt(ctx, saleReceipt("ORD-SILENT"))
	r.waitPrinted(t, printed+1)
	r.waitJob(t, b, agent.PrintDone)
	if n := timeouts() - before; n != maxSilentPolls+1 {
		t.Fatalf("%d status timeouts, want %d", n, maxSilentPolls+1)
	}
}

// TestDisconnectedFailsThenRetryAndSkip: with the printer unplugged a job
// fails and waits for the operator; retry after replugging prints it once;
// skip gives up on another.
func TestDisconnectedFailsThenRetryAndSkip(t *testing.T) {
	r := newSpoolRig(t, newMemJobs(), SpoolerConfig{})
	ctx := context.Background()
	if err := r.sim.Unplug(); err != nil {
		t.Fatal(err)
	}
	a, _ := r.sp.PrintReceipt(ctx, saleReceipt("ORD-A"))
	r.waitJob(t, a, agent.PrintFailed)
	b, _ := r.sp.PrintReceipt(ctx, saleReceipt("ORD-B"))
	r.waitJob(t, b, agent.PrintFailed)
	failed, err := r.sp.FailedJobs(ctx)
	if err != nil || len(failed) != 2 || failed[0].ID != a {
		t.Fatalf("failed jobs %v %v", failed, err)
	}
	if err := r.sp.SkipJob(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := r.sim.Replug(); err != nil {
		t.Fatal(err)
	}
	if err := r.sp.RetryJob(ctx, a); err != nil {
		t.Fatal(err)
	}
	ps := r.waitPrinted(t, 1)
	r.waitJob(t, a, agent.PrintDone)
	if !hasLine(ps[0].Lines, "订单号：ORD-A") {
		t.Fatalf("printed %q", ps[0].Lines)
	}
	if j, _ := r.jobs.PrintJob(ctx, b); j.State != agent.PrintSkipped {
		t.Fatalf("skipped job %+v", j)
	}
	// Operator mistakes are refused with a stable code.
	if err := r.sp.RetryJob(ctx, a); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("retry of a printed job: %v", err)
	}
	if err := r.sp.SkipJob(ctx, a); agent.CodeOf(err) != agent.CodeIllegalState {
		t.Fatalf("skip of a printed job: %v", err)
	}
	if err := r.sp.RetryJob(ctx, "nope"); !errors.Is(err, agent.ErrNotFound) {
		t.Fatalf("retry of unknown job: %v", err)
	}
}

// TestInterruptedJobIsNotResent: a job found marked "sending" at start-up
// (the program died mid-job) goes to FAILED, not back to the printer.
func TestInterruptedJobIsNotResent(t *testing.T) {
	jobs := newMemJobs()
	ctx := context.Background()
	jobs.EnqueuePrintJob(ctx, agent.PrintJob{ID: "PJ1", Kind: "SALE", Data: []byte("x\x1dV\x42\x00"), State: agent.PrintQueued, Attempts: 1, LastError: sendingMark})
	jobs.EnqueuePrintJob(ctx, agent.PrintJob{ID: "PJ2", Kind: "SALE", Data: []byte("second\n\x1dV\x42\x00"), State: agent.PrintQueued})
	r := newSpoolRig(t, jobs, SpoolerConfig{})
	ps := r.waitPrinted(t, 1)
	r.waitJob(t, "PJ2", agent.PrintDone)
	j := r.waitJob(t, "PJ1", agent.PrintFailed)
	if j.LastError != interruptedDetail || ps[0].Lines[0] != "second" {
		t.Fatalf("job %+v, printed %q", j, ps[0].Lines)
	}
}

// TestOutcomeNotRecordedIsNotResent: the receipt went out but the store
// failed to record PRINTED; the job must not print again.
func TestOutcomeNotRecordedIsNotResent(t *testing.T) {
	jobs := newMemJobs()
	jobs.failState = agent.PrintDone
	r := newSpoolRig(t, jobs, SpoolerConfig{})
	ctx := context.Background()
	id, _ := r.sp.PrintReceipt(ctx, saleReceipt("ORD-DISK"))
	r.waitPrinted(t, 1)
	j := r.waitJob(t, id, agent.PrintFailed)
	if j.LastError != interruptedDetail {
		t.Fatalf("job %+v", j)
	}
	next, _ := r.sp.PrintReceipt(ctx, saleReceipt("ORD-AFTER"))
	ps := r.waitPrinted(t, 2)
	r.waitJob(t, next, agent.PrintDone)
	if !hasLine(ps[1].Lines, "订单号：ORD-AFTER") {
		t.Fatal("the unrecorded job was printed twice")
	}
}

// TestSpoolerWithSQLiteStore runs the spooler on agent/store's real table.
func TestSpoolerWithSQLiteStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.Options{AllowPlaintextForTests: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := newSpoolRig(t, st, SpoolerConfig{})
	ids := map[string]bool{}
	for _, o := range []string{"ORD-S1", "ORD-S2", "ORD-S3"} {
		id, err := r.sp.PrintReceipt(ctx, saleReceipt(o))
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	if len(ids) != 3 {
		t.Fatal("job ids not unique")
	}
	ps := r.waitPrinted(t, 3)
	for i, o := range []string{"ORD-S1", "ORD-S2", "ORD-S3"} {
		if !hasLine(ps[i].Lines, "订单号："+o) {
			t.Fatalf("receipt %d out of order: %q", i, ps[i].Lines[:6])
		}
	}
	for id := range ids {
		r.waitJob(t, id, agent.PrintDone)
	}
}

func TestPrintReceiptStoreFailure(t *testing.T) {
	jobs := newMemJobs()
	jobs.failWrites = true
	sp := NewSpooler(SpoolerConfig{Log: quiet}, jobs, func(serialport.Config) (io.ReadWriteCloser, error) {
		return nil, errors.New("unused")
	}, nil)
	if _, err := sp.PrintReceipt(context.Background(), saleReceipt("X")); err == nil {
		t.Fatal("PrintReceipt succeeded without storing the job")
	}
	if _, err := sp.PrintReceipt(context.Background(), agent.Receipt{Kind: agent.ReceiptSale}); err == nil {
		t.Fatal("a receipt without its sale was accepted")
	}
}
