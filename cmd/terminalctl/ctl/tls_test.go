package ctl

import (
	"crypto/tls"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/tradein-terminal/wiring"
)

// TestDoctorTLS serves the package's platform-sim over HTTPS with a
// private CA: doctor passes with that CA pinned and fails with another.
func TestDoctorTLS(t *testing.T) {
	dir := newDataDir(t) // starts platform-sim
	files, err := sim.EnsureTLS(filepath.Join(t.TempDir(), "tls"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(simHandler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()

	l := wiring.NewLayout(dir)
	cfg, err := wiring.LoadConfig(l.Config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PlatformURL = srv.URL
	cfg.PlatformCAFile = files.CAFile
	if err := wiring.SaveConfig(l.Config, cfg); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "doctor")
	if r.code != ExitOK {
		t.Fatalf("doctor over HTTPS with the pinned CA: %s", r)
	}
	mustContain(t, r, "✓ 加密 TLS: https with pinned CA", files.CAFile, "✓ 平台 Platform reachable: "+srv.URL,
		"✓ 签名 Signed requests")

	other, err := sim.EnsureTLS(filepath.Join(t.TempDir(), "other"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PlatformCAFile = other.CAFile
	if err := wiring.SaveConfig(l.Config, cfg); err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor with the wrong CA pinned: %s", r)
	}
	mustContain(t, r, "✗ 平台 Platform reachable: "+srv.URL, "certificate signed by unknown authority",
		"not signed by the pinned CA")
}
