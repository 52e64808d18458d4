package wiring

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/devices/devsim"
	"tradein/devices/devsim/devsimtest"
)

// TestRestartFinishesAPaidSale stops the app between payment and commit
// (as a crash or power cut would) and checks that the next start commits
// the sale, prints its receipt and delivers it to the platform: New calls
// Terminal.Recover.
func TestRestartFinishesAPaidSale(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startPlatform(t)
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, p.url, d)
	a, err := New(ctx, Options{DataDir: dir, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-restart"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(ctx, a, io.Discard, Setup{SeedDemoStaff: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
	a.Start(ctx)
	waitFor(t, "online", 10*time.Second, func() bool { return a.Terminal().Status(ctx).Online })
	code, err := p.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "110000", ValidFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.Terminal().Login(ctx, "1001", "1234")
	if err != nil {
		t.Fatal(err)
	}
	w, err := sess.NewSale(ctx)
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() error { _, err := w.SetConsumerCode(ctx, code.Code); return err },
		func() error { _, _, err := w.ScanProduct(ctx, phoneBarcode); return err },
		func() error { _, err := w.SetSN(ctx, "SNRESTART001"); return err },
		func() error { _, err := w.Quote(ctx, agent.Yuan(2999)); return err },
		func() error { _, err := w.Confirm(ctx); return err },
		func() error { _, err := w.SetPaymentRef(ctx, "POS-R1"); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	order := w.Sale().OrderNo
	if err := a.Close(); err != nil { // the clerk never pressed commit
		t.Fatal(err)
	}

	b, err := New(ctx, Options{DataDir: dir, Fingerprint: "fp-restart"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.Store().Sale(ctx, order)
	if err != nil || got.State != agent.SaleCommitted {
		t.Fatalf("after restart: %s %v, want COMMITTED", got.State, err)
	}
	b.Start(ctx)
	if _, err := d.Printer.WaitPrinted(ctx, 1); err != nil {
		t.Fatalf("receipt of the recovered sale: %v", err)
	}
	waitFor(t, "the outbox to drain", 20*time.Second, func() bool {
		pend, err := b.Store().Pending(ctx)
		return err == nil && pend.Items == 0
	})
}

// TestDeviceSettingsSwitchScanner moves the scanner to another port from
// the support screen: scans arrive from the new port, not the old one.
func TestDeviceSettingsSwitchScanner(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := startPlatform(t)
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, p.url, d)
	a, err := New(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Start(ctx)
	second, err := devsim.NewScanner(devsim.ScannerConfig{Link: filepath.Join(t.TempDir(), "scanner2")})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	cfg, _ := a.Support().DeviceConfig(ctx)
	cfg.Scanner.Port = second.Path()
	if err := a.Support().SaveDeviceConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new scanner port to open", 10*time.Second, func() bool {
		for _, ds := range a.Terminal().Status(ctx).Devices {
			if ds.Name == "scanner" && ds.Port == second.Path() && ds.State == agent.DeviceIdle {
				return true
			}
		}
		return false
	})
	if err := d.Scanner.Send("6901018526015"); err != nil { // the old port: nobody listens
		t.Fatal(err)
	}
	if err := second.Send(phoneBarcode); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-a.Terminal().Scans():
		if ev.Value != phoneBarcode {
			t.Fatalf("scan from %q: %q, want the new scanner's %q", ev.Source, ev.Value, phoneBarcode)
		}
	case <-ctx.Done():
		t.Fatal("no scan from the new scanner")
	}
}
