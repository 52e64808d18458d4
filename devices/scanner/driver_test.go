package scanner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"tradein/agent"
	"tradein/devices/devsim"
	"tradein/devices/serialport"
)

// rig is a driver reading a devsim scanner over a real pseudo-terminal.
type rig struct {
	sim    *devsim.ScannerSim
	drv    *Driver
	events chan agent.ScanEvent
	states chan agent.DeviceStatus
	read   atomic.Int64 // bytes the driver has read from the port
	stop   func()
}

// countingPort counts the bytes read through it.
type countingPort struct {
	io.ReadWriteCloser
	n *atomic.Int64
}

func (c countingPort) Read(b []byte) (int, error) {
	n, err := c.ReadWriteCloser.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func newRig(t *testing.T, fc FramerConfig, sc devsim.ScannerConfig) *rig {
	t.Helper()
	if sc.Link == "" {
		sc.Link = filepath.Join(t.TempDir(), "scanner")
	}
	sim, err := devsim.NewScanner(sc)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{sim: sim, events: make(chan agent.ScanEvent, 2000), states: make(chan agent.DeviceStatus, 100)}
	// The real opener, counting the bytes the driver has read.
	open := func(c serialport.Config) (io.ReadWriteCloser, error) {
		p, err := serialport.Open(c)
		if err != nil {
			return nil, err
		}
		return countingPort{p, &r.read}, nil
	}
	r.drv = New(Config{Port: serialport.Config{Path: sim.Path(), Baud: 9600}, Framer: fc, Log: slog.New(slog.DiscardHandler)},
		open, func(e agent.ScanEvent) { r.events <- e }, func(s agent.DeviceStatus) {
			select {
			case r.states <- s:
			default:
			}
		})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.drv.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done; sim.Close() }
	t.Cleanup(r.stop)
	r.waitState(t, agent.DeviceIdle)
	return r
}

func (r *rig) waitState(t *testing.T, want agent.DeviceState) agent.DeviceStatus {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-r.states:
			if s.State == want {
				return s
			}
		case <-timeout:
			t.Fatalf("no %s state within 10 s (now %+v)", want, r.drv.Status())
		}
	}
}

func (r *rig) next(t *testing.T) agent.ScanEvent {
	t.Helper()
	select {
	case e := <-r.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatalf("no scan within 10 s; status %+v", r.drv.Status())
	}
	return agent.ScanEvent{}
}

func TestDriverFramesSplitAcrossWrites(t *testing.T) {
	r := newRig(t, FramerConfig{Suffix: SuffixCRLF, AIM: true}, devsim.ScannerConfig{})
	sent := int64(0)
	for _, part := range []string{"]E069012", "3456", "7892\r", "\n]C0TI2026112", "1000000000001\r\n", "860000000000009\r\n"} {
		if err := r.sim.SendRaw([]byte(part)); err != nil {
			t.Fatal(err)
		}
		// The next piece goes out only once the driver has read this one,
		// so every piece arrives in reads of its own.
		sent += int64(len(part))
		for deadline := time.Now().Add(10 * time.Second); r.read.Load() < sent; {
			if time.Now().After(deadline) {
				t.Fatalf("driver read %d of %d bytes", r.read.Load(), sent)
			}
			time.Sleep(time.Millisecond) // polling a counter, not timing anything
		}
	}
	want := []agent.ScanEvent{
		{Kind: agent.ScanProduct, Value: "6901234567892", Symbology: "]E0"},
		{Kind: agent.ScanTicket, Value: "TI20261121000000000001", Symbology: "]C0"},
		{Kind: agent.ScanIMEI, Value: "860000000000009"},
	}
	for i, w := range want {
		e := r.next(t)
		if e.Kind != w.Kind || e.Value != w.Value || e.Symbology != w.Symbology || e.Source != "serial:"+r.sim.Path() || e.At.IsZero() {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
	}
}

// TestDriverThousandScans sends 1,000 codes back to back over the pty, as
// fast as it takes them, and checks each arrives exactly once, in order.
func TestDriverThousandScans(t *testing.T) {
	n := 1000
	r := newRig(t, FramerConfig{Suffix: SuffixCR}, devsim.ScannerConfig{})
	go func() {
		for i := 0; i < n; i++ {
			if err := r.sim.Send(fmt.Sprintf("SN%08d", i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < n; i++ {
		e := r.next(t)
		if want := fmt.Sprintf("SN%08d", i); e.Value != want || e.Kind != agent.ScanSN {
			t.Fatalf("scan %d = %+v, want %s", i, e, want)
		}
	}
	// No duplicate trails the run: the next event is a sentinel sent now.
	if err := r.sim.Send("END-00000000"); err != nil {
		t.Fatal(err)
	}
	if e := r.next(t); e.Value != "END-00000000" {
		t.Fatalf("extra scan %+v", e)
	}
	if c := r.drv.Status().Counters; c[CounterScans] != int64(n)+1 || c[CounterGarbageBytes] != 0 {
		t.Fatalf("counters %v", c)
	}
}

func TestDriverGarbageBytes(t *testing.T) {
	r := newRig(t, FramerConfig{Suffix: SuffixCR}, devsim.ScannerConfig{})
	junk := []byte{0x00, 0xff, 0x1b, 0x07, 0x80, 0x9f}
	r.sim.SendRaw(junk)
	r.sim.SendRaw([]byte("\r\r\x00690123\xfe4567892\r"))
	if e := r.next(t); e.Value != "6901234567892" || e.Kind != agent.ScanProduct {
		t.Fatalf("event %+v", e)
	}
	r.sim.SendRaw([]byte("ABC123456\r"))
	if e := r.next(t); e.Value != "ABC123456" {
		t.Fatalf("stream jammed after garbage: %+v", e)
	}
	if g := r.drv.Status().Counters[CounterGarbageBytes]; g != int64(len(junk)+2) {
		t.Fatalf("garbage %d, want %d", g, len(junk)+2)
	}
}

// TestDriverUnplugReplug pulls the scanner out (the pty and its symlink
// vanish) and plugs a new one in at the same path: the driver reports the
// loss, reopens on its own and scans again.
func TestDriverUnplugReplug(t *testing.T) {
	r := newRig(t, FramerConfig{Suffix: SuffixCR}, devsim.ScannerConfig{})
	r.sim.Send("6901234567892")
	r.next(t)
	for round := 0; round < 2; round++ {
		if err := r.sim.Unplug(); err != nil {
			t.Fatal(err)
		}
		if s := r.waitState(t, agent.DeviceError); s.Code != "DISCONNECTED" {
			t.Fatalf("status %+v", s)
		}
		replugged := time.Now()
		if err := r.sim.Replug(); err != nil {
			t.Fatal(err)
		}
		r.waitState(t, agent.DeviceIdle)
		// How long resuming took; the guarantee (≤ 2 s) comes from the retry
		// policy, checked exactly in TestReconnectPolicyBound.
		t.Logf("round %d: scanning again %v after replug", round, time.Since(replugged))
		r.sim.Send("ABC-12345678")
		if e := r.next(t); e.Value != "ABC-12345678" {
			t.Fatalf("after replug: %+v", e)
		}
	}
	c := r.drv.Status().Counters
	if c[CounterDisconnects] != 2 || c[CounterOpens] != 3 {
		t.Fatalf("counters %v", c)
	}
}

// TestReconnectPolicyBound: the driver polls a missing port at most 1 s
// apart, so a replugged scanner is open again within 1 s plus the open.
func TestReconnectPolicyBound(t *testing.T) {
	var longest time.Duration
	for attempt := 1; attempt <= 100; attempt++ {
		longest = max(longest, DefaultRetry.Delay(attempt))
	}
	if longest > time.Second {
		t.Fatalf("reconnect delay reaches %v", longest)
	}
	d := New(Config{}, nil, nil, nil)
	if d.cfg.Retry.Max != time.Second {
		t.Fatalf("default retry %+v", d.cfg.Retry)
	}
}

// TestDriverIdleFraming uses a scanner without suffix: codes end by silence.
func TestDriverIdleFraming(t *testing.T) {
	r := newRig(t, FramerConfig{Suffix: SuffixNone}, devsim.ScannerConfig{NoSuffix: true})
	for _, code := range []string{"6901234567892", "ABC-12345678"} {
		r.sim.Send(code)
		if e := r.next(t); e.Value != code {
			t.Fatalf("event %+v, want %s", e, code)
		}
	}
}

// BenchmarkFrameToEvent measures the time from the last byte of a frame
// being available to the reader until the event callback runs (serial
// transfer excluded: the bytes travel over an in-memory pipe).
func BenchmarkFrameToEvent(b *testing.B) {
	pr, pw := io.Pipe()
	got := make(chan time.Time, 1)
	d := New(Config{Framer: FramerConfig{Suffix: SuffixCR}}, nil, func(agent.ScanEvent) { got <- time.Now() }, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Serve(ctx, pr, "bench")
	frame := []byte("6901234567892\r")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		pw.Write(frame)
		lat = append(lat, (<-got).Sub(start))
	}
	b.StopTimer()
	pw.Close()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
}
