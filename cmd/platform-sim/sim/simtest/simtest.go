// Package simtest starts the reference platform (package sim) for tests of
// other packages: a real SQLite-backed server on 127.0.0.1 that lives until
// the test ends. Import it only from _test.go files.
package simtest

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
)

// Open opens a platform whose database lives in the test's temp dir
// (unless cfg.DBPath is set), with a silent logger unless cfg.Logger is
// set. It is closed when the test ends, after any server Serve started.
func Open(tb testing.TB, cfg sim.Config) *sim.Server {
	tb.Helper()
	if cfg.DBPath == "" {
		cfg.DBPath = filepath.Join(tb.TempDir(), "platform.db")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv, err := sim.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open platform-sim: %v", err)
	}
	tb.Cleanup(func() { srv.Close() })
	return srv
}

// Serve serves h on a fresh port of 127.0.0.1 until the test ends and
// returns the base URL ("http://127.0.0.1:PORT"). h is usually
// srv.Handler(), possibly wrapped to inject faults; the server's own
// connection-level complaints (after an injected reset) are discarded.
func Serve(tb testing.TB, h http.Handler) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go hs.Serve(l)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	})
	return "http://" + l.Addr().String()
}
