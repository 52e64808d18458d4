package wiring

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/devices/devsim/devsimtest"
)

// TestOfflineSaleSyncsWhenThePlatformReturns sells while the platform is
// down and checks the wiring around it: the connectivity tracker turns the
// Terminal offline, the sale is accepted under the offline policy, and
// when the platform is back the sale is delivered without anyone asking
// (the drainer's backoff retry or the health probe's Resume, whichever
// comes first) and the Terminal is online again.
func TestOfflineSaleSyncsWhenThePlatformReturns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	srv, err := sim.Open(ctx, sim.Config{DBPath: filepath.Join(t.TempDir(), "platform.db"), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	serve := func(l net.Listener) *http.Server {
		hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(l)
		return hs
	}
	hs := serve(l)
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, "http://"+addr, d)

	// Enroll and sync while the platform is up.
	a, err := New(ctx, Options{DataDir: dir, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-offline"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(ctx, a, io.Discard, Setup{SeedDemoStaff: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	code, err := srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "110000", ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	hs.Close() // the platform goes away

	b, err := New(ctx, Options{DataDir: dir, Fingerprint: "fp-offline"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Start(ctx)
	term := b.Terminal()
	waitFor(t, "the first probe to fail", 10*time.Second, func() bool { return !b.Tracker().State().LastErrorAt.IsZero() })
	if term.Status(ctx).Online {
		t.Fatal("online while the platform is down")
	}
	sess, err := term.Login(ctx, "1001", "1234")
	if err != nil {
		t.Fatal(err)
	}
	w, err := sess.NewSale(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetConsumerCode(ctx, code.Code); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.ScanProduct(ctx, phoneBarcode); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SetSN(ctx, "SNOFFLINE001"); err != nil { // a SN_UNCHECKED notice, not an error
		t.Fatal(err)
	}
	if _, err := w.Quote(ctx, agent.Yuan(2999)); err != nil {
		t.Fatal(err)
	}
	if s, err := w.Confirm(ctx); err != nil || s.State != agent.SaleOfflineAccepted {
		t.Fatalf("confirm offline: %s, %v", s.State, err)
	}
	if _, err := w.SetPaymentRef(ctx, "POS-OFF-1"); err != nil {
		t.Fatal(err)
	}
	sale, _, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := term.Status(ctx); st.QueueDepth != 1 || st.OfflineSales != 1 {
		t.Fatalf("status while offline: queue %d, offline sales %d", st.QueueDepth, st.OfflineSales)
	}

	// The platform returns on the same address.
	l2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hs2 := serve(l2)
	defer hs2.Close()
	waitFor(t, "the offline sale to reach the platform", 45*time.Second, func() bool {
		pend, err := b.Store().Pending(ctx)
		return err == nil && pend.Items == 0
	})
	if !term.Status(ctx).Online {
		t.Fatal("still offline after the platform answered")
	}
	got, err := b.Store().Sale(ctx, sale.OrderNo)
	if err != nil || got.State != agent.SaleCommitted {
		t.Fatalf("sale after sync: %s, %v", got.State, err)
	}
}
