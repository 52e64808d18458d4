package printer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/devices/devstatus"
	"tradein/devices/escpos"
	"tradein/devices/receipt"
	"tradein/devices/serialport"
)

// SpoolerConfig configures the receipt spooler. Only Port.Path is required.
type SpoolerConfig struct {
	Name    string            // device name in DeviceStatus; default "printer"
	Port    serialport.Config // path, baud, data bits, parity, stop bits
	Receipt receipt.Options   // paper width 58/80 and QR mode native/raster
	Printer Config            // status timeout, chunking and pacing
	// Poll is how often a printer that is not ready (paper out, cover
	// open, offline) is asked again while a job waits; default 1 s.
	Poll time.Duration
	// Health is how often an idle printer's status is refreshed for the
	// status bar; default 10 s.
	Health time.Duration
	Retry  backoff.Policy // delays between attempts to reopen the port; zero: DefaultRetry
	Clock  agent.Clock    // nil: system clock
	Log    *slog.Logger   // nil: slog.Default()
}

// DefaultRetry paces reopening a printer port that is gone.
var DefaultRetry = backoff.Policy{Base: 250 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}

// Counter names in DeviceStatus.Counters.
const (
	CounterPrinted        = "jobs_printed"
	CounterFailed         = "jobs_failed"
	CounterBytes          = "bytes_written"
	CounterStatusTimeouts = "status_timeouts"
	CounterNotReadyWaits  = "not_ready_waits"
)

// sendingMark is the LastError of a QUEUED job whose bytes are being sent.
// If the program stops before the job is marked PRINTED, the mark survives
// in the store and the next start moves the job to FAILED for the operator
// to decide: it may have printed, so it is never resent on its own.
const sendingMark = "sending"

// interruptedDetail is the LastError of a job found half-sent at start-up.
const interruptedDetail = "interrupted while printing; check the paper before retrying"

// Spooler implements agent.ReceiptPrinter. PrintReceipt renders a receipt
// and stores it as a job; Run prints stored jobs one at a time, oldest
// first, exactly once:
//
//   - a printer reporting paper out, cover open or offline makes the job
//     wait (still QUEUED) and is asked again every Poll; once ready, the job
//     prints — a receipt is never sent to a printer that said it can't print;
//   - a printer that does not answer DLE EOT gets the job anyway (one that
//     answered before is asked maxSilentPolls more times first);
//   - a port that cannot be opened, or fails while writing, makes the job
//     FAILED; the operator retries or skips it (RetryJob, SkipJob);
//   - a job is marked before its bytes are sent, so a crash mid-job leaves
//     it FAILED, never silently printed twice.
//
// Spooler is safe for concurrent use.
type Spooler struct {
	cfg    SpoolerConfig
	jobs   agent.PrintJobs
	open   serialport.Opener
	status *devstatus.Tracker
	wake   chan struct{}

	jobMu   sync.Mutex // serialises job state changes between Run and the operator
	sending string     // ID of the job being sent; guarded by jobMu

	// Run's own state (only Run's goroutine touches these).
	port     io.ReadWriteCloser
	dev      *Printer
	reopen   *backoff.Backoff
	nextTry  time.Time
	answered bool // the printer on this port has answered DLE EOT
	silent   int  // consecutive unanswered status requests
}

// maxSilentPolls: a printer that has answered status requests before and
// now stays silent is asked this many more times (Poll apart) before a job
// is printed blind. A printer that never answers (no status support, or a
// cable without a receive line) gets its jobs at once.
const maxSilentPolls = 3

// NewSpooler returns a spooler storing jobs in jobs and printing through
// the port cfg.Port (opened with open; nil means serialport.Open).
// onStatus, which may be nil, receives every status change.
func NewSpooler(cfg SpoolerConfig, jobs agent.PrintJobs, open serialport.Opener, onStatus func(agent.DeviceStatus)) *Spooler {
	if cfg.Name == "" {
		cfg.Name = "printer"
	}
	if cfg.Receipt.Width == 0 {
		cfg.Receipt.Width = escpos.Width80
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Health <= 0 {
		cfg.Health = 10 * time.Second
	}
	if cfg.Retry.Base == 0 && cfg.Retry.Max == 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.Clock == nil {
		cfg.Clock = agent.SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if open == nil {
		open = serialport.Open
	}
	s := &Spooler{cfg: cfg, jobs: jobs, open: open, wake: make(chan struct{}, 1),
		status: devstatus.New(cfg.Name, cfg.Port.Path, cfg.Clock, onStatus)}
	s.reopen = backoff.New(cfg.Retry, cfg.Clock)
	return s
}

var _ agent.ReceiptPrinter = (*Spooler)(nil)

// PrintReceipt renders r and stores it as a QUEUED job; it returns once the
// job is durable. Printing happens in Run.
func (s *Spooler) PrintReceipt(ctx context.Context, r agent.Receipt) (string, error) {
	j, err := s.PrepareReceipt(ctx, r)
	if err != nil {
		return "", err
	}
	if err := s.jobs.EnqueuePrintJob(ctx, j); err != nil {
		return "", fmt.Errorf("printer: store job: %w", err)
	}
	s.kick()
	return j.ID, nil
}

// PrepareReceipt renders r into a QUEUED job with a new ID, without
// storing it: a sale's commit stores the job in its own transaction and
// then calls Wake.
func (s *Spooler) PrepareReceipt(ctx context.Context, r agent.Receipt) (agent.PrintJob, error) {
	data, err := receipt.Render(r, s.cfg.Receipt)
	if err != nil {
		return agent.PrintJob{}, fmt.Errorf("printer: render %s receipt: %w", r.Kind, err)
	}
	id, err := newJobID(s.cfg.Clock.Now())
	if err != nil {
		return agent.PrintJob{}, err
	}
	return agent.PrintJob{ID: id, OrderNo: receipt.OrderNo(r), Kind: string(r.Kind), Reprint: r.Reprint,
		Data: data, State: agent.PrintQueued, CreatedAt: s.cfg.Clock.Now()}, nil
}

// Wake makes Run look for jobs now: one was stored by someone else (a
// sale's commit, PrepareReceipt).
func (s *Spooler) Wake() { s.kick() }

// newJobID returns "PJ" + UTC timestamp + 8 random hex digits: unique
// without coordination, and sortable by creation time for support.
func newJobID(now time.Time) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("printer: job id: %w", err)
	}
	return "PJ" + now.UTC().Format("20060102150405") + hex.EncodeToString(b[:]), nil
}

// FailedJobs lists jobs waiting for the operator's decision.
func (s *Spooler) FailedJobs(ctx context.Context) ([]agent.PrintJob, error) {
	return s.jobs.PrintJobsIn(ctx, agent.PrintFailed)
}

// RetryJob puts a FAILED job back in the queue.
func (s *Spooler) RetryJob(ctx context.Context, id string) error {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	j, err := s.jobs.PrintJob(ctx, id)
	if err != nil {
		return err
	}
	if j.State != agent.PrintFailed {
		return agent.Errorf(agent.CodeIllegalState, "print job %s is %s, only a failed job can be retried", id, j.State)
	}
	j.State, j.LastError = agent.PrintQueued, ""
	if err := s.jobs.UpdatePrintJob(ctx, j); err != nil {
		return fmt.Errorf("printer: retry job: %w", err)
	}
	s.kick()
	return nil
}

// SkipJob gives up on a FAILED or still QUEUED job. A job whose bytes are
// being sent right now cannot be skipped.
func (s *Spooler) SkipJob(ctx context.Context, id string) error {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	if s.sending == id {
		return agent.Errorf(agent.CodeIllegalState, "print job %s is printing now", id)
	}
	j, err := s.jobs.PrintJob(ctx, id)
	if err != nil {
		return err
	}
	if j.State != agent.PrintFailed && j.State != agent.PrintQueued {
		return agent.Errorf(agent.CodeIllegalState, "print job %s is %s, only a failed or queued job can be skipped", id, j.State)
	}
	j.State = agent.PrintSkipped
	if err := s.jobs.UpdatePrintJob(ctx, j); err != nil {
		return fmt.Errorf("printer: skip job: %w", err)
	}
	return nil
}

func (s *Spooler) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Status returns the latest status with a copy of the counters.
func (s *Spooler) Status() agent.DeviceStatus { return s.status.Status() }

// Run prints queued jobs until ctx ends, then closes the port and returns
// ctx's error. Run one Spooler per printer.
func (s *Spooler) Run(ctx context.Context) error {
	defer func() {
		s.closePort()
		s.status.Set(agent.DeviceClosed, "", "")
	}()
	if err := s.recoverInterrupted(ctx); err != nil {
		s.cfg.Log.Error("printer: recover interrupted jobs", "err", err)
	}
	health := time.NewTicker(s.cfg.Health)
	defer health.Stop()
	for ctx.Err() == nil {
		wait := s.step(ctx)
		if wait == 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-health.C:
			s.refreshStatus(ctx)
		case <-t.C:
		}
		t.Stop()
	}
	return ctx.Err()
}

// idleWait is how long Run sleeps when there is nothing to do; a new job,
// a retry or the health ticker wake it earlier.
const idleWait = time.Hour

// recoverInterrupted fails jobs that were being sent when the program
// stopped (see sendingMark).
func (s *Spooler) recoverInterrupted(ctx context.Context) error {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	queued, err := s.jobs.PrintJobsIn(ctx, agent.PrintQueued)
	if err != nil {
		return err
	}
	for _, j := range queued {
		if j.LastError != sendingMark {
			continue
		}
		j.State, j.LastError = agent.PrintFailed, interruptedDetail
		if err := s.jobs.UpdatePrintJob(ctx, j); err != nil {
			return err
		}
		s.status.Add(CounterFailed, 1)
		s.cfg.Log.Warn("printer: job interrupted while printing; waiting for the operator", "job", j.ID, "order", j.OrderNo)
	}
	return nil
}

// step does one unit of work and returns how long to wait before the next
// (0: go on at once).
func (s *Spooler) step(ctx context.Context) time.Duration {
	queued, err := s.jobs.PrintJobsIn(ctx, agent.PrintQueued)
	if err != nil {
		s.cfg.Log.Error("printer: list jobs", "err", err)
		return s.cfg.Poll
	}
	if len(queued) == 0 {
		if s.port == nil {
			s.ensurePort(false)
		}
		if s.port == nil {
			return s.untilNextTry()
		}
		return idleWait
	}
	job := queued[0]
	if job.LastError == sendingMark {
		// Sent, but its outcome was never recorded (the store failed after
		// the write): it may have printed, so the operator decides.
		return s.fail(ctx, job, interruptedDetail)
	}
	if !s.ensurePort(true) {
		return s.fail(ctx, job, "printer not connected: "+s.Status().Detail)
	}
	st, err := s.dev.Status(ctx)
	switch {
	case errors.Is(err, ErrNoStatus):
		s.status.Add(CounterStatusTimeouts, 1)
		if s.answered && s.silent < maxSilentPolls {
			s.silent++
			return s.cfg.Poll
		}
		// Not every printer answers; print anyway.
		s.cfg.Log.Info("printer: no status reply; printing anyway", "job", job.ID)
	case err != nil:
		s.lost(err)
		return s.fail(ctx, job, err.Error())
	case !st.Ready():
		s.heard()
		s.status.Add(CounterNotReadyWaits, 1)
		s.status.Set(agent.DeviceError, st.Code(), st.Detail())
		return s.cfg.Poll
	default:
		s.heard()
	}
	return s.send(ctx, job, st)
}

// heard records a status reply.
func (s *Spooler) heard() { s.answered, s.silent = true, 0 }

// send prints one job exactly once: mark, write, mark done. It returns how
// long to wait before the next step: Poll when the store failed before
// anything was sent, else 0.
func (s *Spooler) send(ctx context.Context, job agent.PrintJob, st escpos.Status) time.Duration {
	s.jobMu.Lock()
	cur, err := s.jobs.PrintJob(ctx, job.ID)
	if err != nil || cur.State != agent.PrintQueued { // skipped meanwhile
		s.jobMu.Unlock()
		if err != nil {
			return s.cfg.Poll
		}
		return 0
	}
	cur.Attempts++
	cur.LastError = sendingMark
	if err := s.jobs.UpdatePrintJob(ctx, cur); err != nil {
		s.jobMu.Unlock()
		s.cfg.Log.Error("printer: mark job sending", "job", cur.ID, "err", err)
		return s.cfg.Poll
	}
	s.sending = cur.ID
	s.jobMu.Unlock()

	s.status.Set(agent.DeviceBusy, st.Code(), st.Detail())
	werr := s.dev.Print(ctx, cur.Data)

	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	s.sending = ""
	if werr != nil {
		cur.State, cur.LastError = agent.PrintFailed, werr.Error()
		s.status.Add(CounterFailed, 1)
		s.lost(werr)
	} else {
		cur.State, cur.LastError, cur.PrintedAt = agent.PrintDone, "", s.cfg.Clock.Now()
		s.status.Add(CounterPrinted, 1)
		s.status.Add(CounterBytes, int64(len(cur.Data)))
		s.status.Set(agent.DeviceIdle, st.Code(), st.Detail())
	}
	// A fresh context: the job's outcome must be recorded even when Run is
	// being stopped, or the sending mark would fail it at the next start.
	if err := s.jobs.UpdatePrintJob(context.WithoutCancel(ctx), cur); err != nil {
		s.cfg.Log.Error("printer: record job outcome", "job", cur.ID, "state", cur.State, "err", err)
	}
	s.cfg.Log.Info("printer: job done", "job", cur.ID, "kind", cur.Kind, "state", cur.State, "bytes", len(cur.Data))
	return 0
}

// fail moves a queued job to FAILED for the operator and returns how long
// to wait before the next step (Poll when the store refused, so a broken
// disk does not spin the loop).
func (s *Spooler) fail(ctx context.Context, job agent.PrintJob, why string) time.Duration {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	cur, err := s.jobs.PrintJob(ctx, job.ID)
	if err != nil {
		return s.cfg.Poll
	}
	if cur.State != agent.PrintQueued {
		return 0
	}
	cur.State, cur.LastError = agent.PrintFailed, why
	if err := s.jobs.UpdatePrintJob(ctx, cur); err != nil {
		s.cfg.Log.Error("printer: mark job failed", "job", cur.ID, "err", err)
		return s.cfg.Poll
	}
	s.status.Add(CounterFailed, 1)
	s.cfg.Log.Warn("printer: job failed; waiting for the operator", "job", cur.ID, "why", why)
	return 0
}

// ensurePort opens the port when it is closed, and reports whether a port
// is open. Without force, attempts follow the retry policy (idle
// reconnects for the status bar); a job to print always tries at once, so
// the operator's retry is a real attempt.
func (s *Spooler) ensurePort(force bool) bool {
	if s.port != nil {
		if err := s.dev.Gone(); err == nil {
			return true
		} else {
			s.lost(err)
		}
	}
	now := s.cfg.Clock.Now()
	if !force && now.Before(s.nextTry) {
		return false
	}
	p, err := s.open(s.cfg.Port)
	if err != nil {
		s.nextTry = now.Add(s.reopen.Next(err))
		s.status.Set(agent.DeviceError, "DISCONNECTED", err.Error())
		return false
	}
	s.reopen.Reset()
	s.nextTry = time.Time{}
	s.port, s.dev = p, New(p, s.cfg.Printer)
	s.answered, s.silent = false, 0
	s.cfg.Log.Info("printer: port open", "port", s.cfg.Port.Path)
	s.status.Set(agent.DeviceIdle, "", "")
	return true
}

func (s *Spooler) untilNextTry() time.Duration {
	return max(s.nextTry.Sub(s.cfg.Clock.Now()), time.Millisecond)
}

// lost closes a port that failed and reports the printer disconnected.
func (s *Spooler) lost(err error) {
	s.closePort()
	s.status.Set(agent.DeviceError, "DISCONNECTED", err.Error())
}

func (s *Spooler) closePort() {
	if s.port != nil {
		s.port.Close()
		s.port, s.dev = nil, nil
	}
}

// refreshStatus updates the status bar from an idle printer.
func (s *Spooler) refreshStatus(ctx context.Context) {
	if !s.ensurePort(false) {
		return
	}
	st, err := s.dev.Status(ctx)
	switch {
	case errors.Is(err, ErrNoStatus):
		s.status.Add(CounterStatusTimeouts, 1)
	case err != nil:
		s.lost(err)
	case st.Ready():
		s.heard()
		s.status.Set(agent.DeviceIdle, st.Code(), st.Detail())
	default:
		s.heard()
		s.status.Set(agent.DeviceError, st.Code(), st.Detail())
	}
}
