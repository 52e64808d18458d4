package wiring

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/devices/devsim"
	"tradein/devices/escpos"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// platform is a platform-sim served on 127.0.0.1 until the test ends.
type platform struct {
	srv *sim.Server
	url string
}

func startPlatform(t testing.TB) *platform {
	t.Helper()
	srv := simtest.Open(t, sim.Config{Logger: quiet})
	return &platform{srv: srv, url: simtest.Serve(t, srv.Handler())}
}

// devices are devsim's scanner and printer on pseudo-terminals.
type devices struct {
	scanner *devsim.ScannerSim
	printer *devsim.PrinterSim
}

func startDevices(t testing.TB) devices {
	t.Helper()
	dir := t.TempDir()
	sc, err := devsim.NewScanner(devsim.ScannerConfig{Link: filepath.Join(dir, "scanner")})
	if err != nil {
		t.Fatalf("devsim scanner: %v", err)
	}
	t.Cleanup(func() { sc.Close() })
	pr, err := devsim.NewPrinter(devsim.PrinterConfig{Link: filepath.Join(dir, "printer"), Width: escpos.Width80})
	if err != nil {
		t.Fatalf("devsim printer: %v", err)
	}
	t.Cleanup(func() { pr.Close() })
	return devices{scanner: sc, printer: pr}
}

// writeDeviceConfig writes a settings file pointing at the devsim ports.
func writeDeviceConfig(t testing.TB, dataDir, platformURL string, d devices) {
	t.Helper()
	c := DefaultConfig()
	c.PlatformURL = platformURL
	c.Devices.Scanner.Port = d.scanner.Path()
	c.Devices.Printer.Port = d.printer.Path()
	if err := SaveConfig(NewLayout(dataDir).Config, c); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the deadline passes. It waits on
// background work (the drainer), never asserts how long that takes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
