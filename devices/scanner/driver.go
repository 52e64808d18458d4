package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/devices/devstatus"
	"tradein/devices/serialport"
)

// DefaultRetry is the reconnect policy for a vanished port. The port is
// polled at most a second apart, so a scanner plugged back in is scanning
// again within about a second (the requirement is 2 s).
var DefaultRetry = backoff.Policy{Base: 100 * time.Millisecond, Max: time.Second, Jitter: 0.2}

// Config configures a serial scanner driver. Only Port.Path is required.
type Config struct {
	Name   string            // device name in DeviceStatus; default "scanner"
	Port   serialport.Config // path, baud, data bits, parity, stop bits
	Framer FramerConfig      // suffix, idle timeout, AIM prefix, max length
	Retry  backoff.Policy    // reconnect delays; zero: DefaultRetry
	Clock  agent.Clock       // timestamps of events and statuses; nil: system clock (idle framing always uses the wall clock)
	Log    *slog.Logger      // nil: slog.Default()
}

// Driver reads a serial scanner and delivers each code as an
// agent.ScanEvent classified by agent.Classify. It reports its state
// UnifiedPOS-style (closed → idle ⇄ error) with counters through the
// status callback. The callbacks run on the driver's goroutine, one at a
// time; they must not block for long (agent.Terminal.HandleScan and
// ReportDevice don't); a status equal to the last one is not reported
// again. Driver is safe for concurrent use.
type Driver struct {
	cfg    Config
	open   serialport.Opener
	onScan func(agent.ScanEvent)
	status *devstatus.Tracker
}

// Counter names in DeviceStatus.Counters.
const (
	CounterScans        = "scans"
	CounterGarbageBytes = "garbage_bytes"
	CounterOverflows    = "overflows"
	CounterStale        = "stale_frames"
	CounterOpens        = "opens"
	CounterOpenFailures = "open_failures"
	CounterDisconnects  = "disconnects"
)

// New returns a driver for cfg. open opens the port (serialport.Open in
// production; nil means that); onScan and onStatus may be nil.
func New(cfg Config, open serialport.Opener, onScan func(agent.ScanEvent), onStatus func(agent.DeviceStatus)) *Driver {
	if cfg.Name == "" {
		cfg.Name = "scanner"
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
	if onScan == nil {
		onScan = func(agent.ScanEvent) {}
	}
	return &Driver{cfg: cfg, open: open, onScan: onScan,
		status: devstatus.New(cfg.Name, cfg.Port.Path, cfg.Clock, onStatus)}
}

// Status returns the latest status with a copy of the counters.
func (d *Driver) Status() agent.DeviceStatus { return d.status.Status() }

// Run opens the port and delivers scans until ctx ends. When the port
// cannot be opened or disappears, Run reports ERROR/DISCONNECTED and tries
// again following the retry policy; a successful open resets the policy.
// It returns ctx's error.
func (d *Driver) Run(ctx context.Context) error {
	defer d.status.Set(agent.DeviceClosed, "", "")
	b := backoff.New(d.cfg.Retry, d.cfg.Clock)
	source := "serial:" + d.cfg.Port.Path
	for ctx.Err() == nil {
		port, err := d.open(d.cfg.Port)
		if err != nil {
			d.status.Add(CounterOpenFailures, 1)
			if b.Failures() == 0 {
				d.cfg.Log.Warn("scanner: cannot open port", "port", d.cfg.Port.Path, "err", err)
			}
			d.status.Set(agent.DeviceError, "DISCONNECTED", err.Error())
			if b.Wait(ctx, err) != nil {
				break
			}
			continue
		}
		b.Reset()
		d.status.Add(CounterOpens, 1)
		d.cfg.Log.Info("scanner: port open", "port", d.cfg.Port.Path)
		d.status.Set(agent.DeviceIdle, "", "")
		err = d.serve(ctx, port, source)
		port.Close()
		if ctx.Err() != nil {
			break
		}
		d.status.Add(CounterDisconnects, 1)
		d.cfg.Log.Warn("scanner: port lost", "port", d.cfg.Port.Path, "err", err)
		d.status.Set(agent.DeviceError, "DISCONNECTED", err.Error())
		if b.Wait(ctx, err) != nil {
			break
		}
	}
	return ctx.Err()
}

// Serve delivers scans read from r until r fails or ctx ends; it is the
// driver's loop over any stream (a pipe in tests, a port in Run). source
// names the device in each event. Closing r (or cancelling ctx, which
// abandons the reading goroutine until r returns) ends it.
func (d *Driver) Serve(ctx context.Context, r io.Reader, source string) error {
	return d.serve(ctx, r, source)
}

type chunk struct {
	b   []byte
	err error
}

func (d *Driver) serve(ctx context.Context, r io.Reader, source string) error {
	chunks := make(chan chunk, 16)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			buf := make([]byte, 256)
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case chunks <- chunk{b: buf[:n]}:
				case <-done:
					return
				}
			}
			if err != nil {
				select {
				case chunks <- chunk{err: err}:
				case <-done:
				}
				return
			}
		}
	}()

	f := NewFramer(d.cfg.Framer)
	prev := f.Counters()
	emit := func(fr Frame) {
		kind, value := agent.Classify(fr.Data)
		d.onScan(agent.ScanEvent{Kind: kind, Value: value, Source: source, Symbology: fr.Symbology, At: d.cfg.Clock.Now()})
	}
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c := <-chunks:
			if c.err != nil {
				if errors.Is(c.err, io.EOF) {
					return fmt.Errorf("scanner: port closed: %w", c.err)
				}
				return fmt.Errorf("scanner: read: %w", c.err)
			}
			f.Feed(time.Now(), c.b, emit)
		case now := <-idle.C:
			f.Tick(now, emit)
		}
		prev = d.count(f.Counters(), prev)
		if at, ok := f.Deadline(); ok {
			idle.Reset(time.Until(at))
		}
	}
}

// count adds the framer's counters since prev to the driver's.
func (d *Driver) count(c, prev FramerCounters) FramerCounters {
	d.status.Add(CounterScans, c.Frames-prev.Frames)
	d.status.Add(CounterGarbageBytes, c.GarbageBytes-prev.GarbageBytes)
	d.status.Add(CounterOverflows, c.Overflows-prev.Overflows)
	d.status.Add(CounterStale, c.Stale-prev.Stale)
	return c
}
