package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/devices/devsim"
	"tradein/devices/devsim/devsimtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtPath != "" {
		os.RemoveAll(filepath.Dir(builtPath))
	}
	os.Exit(code)
}

// world is what the real app runs against: platform-sim on loopback and
// devsim's scanner and printer on pseudo-terminals (both in this test
// process, so the test can issue codes, scan and read receipts), plus a
// provisioned data directory.
type world struct {
	platform *sim.Server
	url      string
	scanner  *devsim.ScannerSim
	printer  *devsim.PrinterSim
	dataDir  string
	bin      string
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	srv := simtest.Open(tb, sim.Config{})
	url := simtest.Serve(tb, srv.Handler())
	d := devsimtest.Start(tb, filepath.Join(tb.TempDir(), "receipts"))
	w := &world{platform: srv, url: url, scanner: d.Scanner, printer: d.Printer,
		dataDir: tb.TempDir(), bin: appBinary(tb)}
	c := wiring.DefaultConfig()
	c.PlatformURL = w.url
	c.Devices.Scanner.Port = d.Scanner.Path()
	c.Devices.Printer.Port = d.Printer.Path()
	if err := wiring.SaveConfig(wiring.NewLayout(w.dataDir).Config, c); err != nil {
		tb.Fatal(err)
	}
	// Provision with the binary's own flags, as installers and the demo do.
	out, err := exec.Command(w.bin, "--data-dir", w.dataDir, "--enroll", sim.DemoEnrollmentCode,
		"--seed-demo-staff", "--sync", "--setup-only").CombinedOutput()
	if err != nil {
		tb.Fatalf("provision: %v\n%s", err, out)
	}
	return w
}

// app is one run of the real binary on a display.
type app struct {
	cmd    *exec.Cmd
	start  time.Time
	output syncBuffer
	done   chan error
}

// syncBuffer is the app's combined output: exec's copying goroutine
// writes it while the test reads it (an error message, a log line).
// Safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startApp starts the app on d against w.
func (w *world) startApp(tb testing.TB, d *display) *app {
	tb.Helper()
	a := &app{done: make(chan error, 1)}
	a.cmd = exec.Command(w.bin, "--data-dir", w.dataDir)
	a.cmd.Env = d.env()
	a.cmd.Stdout, a.cmd.Stderr = &a.output, &a.output
	a.start = time.Now()
	if err := a.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { a.done <- a.cmd.Wait() }()
	tb.Cleanup(func() { a.stop(tb) })
	return a
}

// stop asks the app to stop with SIGTERM, as the session manager or
// Ctrl-C would, and reports whether it exited cleanly within 10 s.
func (a *app) stop(tb testing.TB) error {
	if a.cmd.ProcessState != nil {
		return nil
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-a.done:
		return err
	case <-time.After(10 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
		tb.Errorf("the app did not stop within 10 s of SIGTERM; output:\n%s", a.output.String())
		return context.DeadlineExceeded
	}
}
