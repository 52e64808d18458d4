package wiring

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/devices/devsim/devsimtest"
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

// writeDeviceConfig writes a settings file pointing at the devsim ports.
func writeDeviceConfig(t testing.TB, dataDir, platformURL string, d devsimtest.Devices) {
	t.Helper()
	c := DefaultConfig()
	c.PlatformURL = platformURL
	c.Devices.Scanner.Port = d.Scanner.Path()
	c.Devices.Printer.Port = d.Printer.Path()
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
