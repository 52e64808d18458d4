package wiring

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/devices/devsim/devsimtest"
	"tradein/sync/api"
)

// The phone the sales in these tests sell (SN required, filed ¥4,499).
const phoneBarcode = "6934177393365"

// TestAppSaleEndToEnd builds every service against platform-sim on
// loopback and devsim's pseudo-terminals, enrolls, syncs, scans through
// the virtual scanner, sells through the Terminal API, and checks that the
// receipt reached the virtual printer and the sale reached the platform.
func TestAppSaleEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startPlatform(t)
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, p.url, d)

	a, err := New(ctx, Options{DataDir: dir, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-wiring-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	info, ok := a.Enrolled()
	if !ok || info.TerminalNo == "" || info.CountyCode != sim.DemoCounty {
		t.Fatalf("enrolled = %+v, %v", info, ok)
	}
	var out bytes.Buffer
	if err := Provision(ctx, a, &out, Setup{SeedDemoStaff: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "product library version") {
		t.Fatalf("provision output: %s", out.String())
	}
	a.Start(ctx)
	term := a.Terminal()

	// A scan on the virtual scanner arrives at the Terminal, classified.
	if err := d.Scanner.Send(phoneBarcode); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-term.Scans():
		if ev.Kind != agent.ScanProduct || ev.Value != phoneBarcode {
			t.Fatalf("scan = %+v", ev)
		}
	case <-ctx.Done():
		t.Fatal("no scan arrived from the virtual scanner")
	}
	waitFor(t, "the platform to be seen online", 10*time.Second, func() bool { return term.Status(ctx).Online })

	code, err := p.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "110000", ValidFor: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
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
	if _, err := w.SetSN(ctx, "SNWIRING0001"); err != nil {
		t.Fatal(err)
	}
	q, err := w.Quote(ctx, agent.Yuan(3999))
	if err != nil {
		t.Fatal(err)
	}
	if q.SubsidyFen != agent.Yuan(500) { // 15 % of ¥3,999 is above the ¥500 cap
		t.Fatalf("subsidy = %s, want ¥500.00", q.SubsidyFen)
	}
	if s, err := w.Confirm(ctx); err != nil || s.State != agent.SaleFrozen {
		t.Fatalf("confirm: state %s, err %v (want an online freeze)", s.State, err)
	}
	if _, err := w.SetPaymentRef(ctx, "POS-0001"); err != nil {
		t.Fatal(err)
	}
	sale, jobID, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if jobID == "" {
		t.Fatal("no print job for the receipt")
	}

	// The receipt reaches the virtual printer.
	printed, err := d.Printer.WaitPrinted(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(printed[0].Lines, "\n")
	if !strings.Contains(text, sale.OrderNo) || !strings.Contains(text, "500.00") {
		t.Fatalf("receipt does not show the order and the subsidy:\n%s", text)
	}
	if strings.Contains(text, code.Code) {
		t.Fatal("the receipt shows the consumer's code")
	}

	// The outbox drains on its own (the commit kicked the drainer) and the
	// platform counts the sale.
	waitFor(t, "the outbox to drain", 20*time.Second, func() bool {
		pend, err := a.Store().Pending(ctx)
		return err == nil && pend.Items == 0
	})
	sum, err := a.client.DaySummary(ctx, sale.CreatedAt.In(agent.ChinaTime).Format(api.DateLayout))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sales != 1 || sum.SubsidyFen != agent.Yuan(500) || sum.FinalPriceFen != agent.Yuan(3999) {
		t.Fatalf("platform day summary = %+v", sum)
	}

	// The log tells the story without personal data.
	lines, err := a.Support().LogTail(ctx, 200)
	if err != nil || len(lines) == 0 {
		t.Fatalf("log tail: %d lines, %v", len(lines), err)
	}
	all := strings.Join(lines, "\n")
	if strings.Contains(all, code.Code) || strings.Contains(all, code.CRef) {
		t.Fatal("the log holds the consumer's code or reference")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart keeps the identity and finds nothing to recover.
	b, err := New(ctx, Options{DataDir: dir, Fingerprint: "fp-wiring-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got, ok := b.Enrolled(); !ok || got != info {
		t.Fatalf("after restart enrolled = %+v, %v; want %+v", got, ok, info)
	}
	got, err := b.Store().Sale(ctx, sale.OrderNo)
	if err != nil || got.State != agent.SaleCommitted {
		t.Fatalf("after restart sale %s: %s, %v", sale.OrderNo, got.State, err)
	}
}

// TestSupport exercises agent.Support against the virtual devices and the
// platform: port list, settings validation and apply, test print,
// connectivity, enrollment, backup.
func TestSupport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startPlatform(t)
	d := devsimtest.Start(t, "")
	dir := t.TempDir()
	writeDeviceConfig(t, dir, p.url, d)
	a, err := New(ctx, Options{DataDir: dir, EnrollCode: sim.DemoEnrollmentCode, Fingerprint: "fp-support-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Start(ctx)
	s := a.Support()

	ports, err := s.ListPorts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range ports {
		names[p.Name] = true
	}
	if !names[d.Scanner.Path()] || !names[d.Printer.Path()] {
		t.Fatalf("ports %v lack the configured devsim ports", ports)
	}

	// An invalid setting is refused and nothing changes.
	before, _ := s.DeviceConfig(ctx)
	bad := before
	bad.Printer.Columns = 40
	if err := s.SaveDeviceConfig(ctx, bad); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("save columns 40: %v, want INVALID_REQUEST", err)
	}
	if now, _ := s.DeviceConfig(ctx); now != before {
		t.Fatalf("config changed after a refused save: %+v", now)
	}

	// A valid change is saved to the file and applied: the test ticket
	// prints on 58 mm paper.
	narrow := before
	narrow.Printer.Columns = 32
	if err := s.SaveDeviceConfig(ctx, narrow); err != nil {
		t.Fatal(err)
	}
	onDisk, err := LoadConfig(a.Layout().Config)
	if err != nil || onDisk.Devices.Printer.Columns != 32 {
		t.Fatalf("saved config: %+v, %v", onDisk.Devices.Printer, err)
	}
	if _, err := s.TestPrint(ctx); err != nil {
		t.Fatal(err)
	}
	printed, err := d.Printer.WaitPrinted(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(printed[0].Lines, "\n")
	if !strings.Contains(text, "以旧换新") || !strings.Contains(text, agent.Version) {
		t.Fatalf("diagnostics ticket:\n%s", text)
	}
	for _, l := range printed[0].Lines {
		// devsim centres lines for its own 80 mm view; the text itself
		// must fit 32 columns.
		if w := displayWidth(strings.TrimSpace(l)); w > 32 {
			t.Fatalf("line %q is %d columns wide on 58 mm paper", l, w)
		}
	}

	conn, err := s.CheckPlatform(ctx)
	if err != nil || !conn.Reachable || conn.ClockSkew > time.Minute || conn.ClockSkew < -time.Minute {
		t.Fatalf("check platform: %+v, %v", conn, err)
	}
	info, ok, err := s.Enrollment(ctx)
	if err != nil || !ok || info.StoreName != sim.DemoStoreName {
		t.Fatalf("enrollment: %+v %v %v", info, ok, err)
	}
	if _, err := s.Enroll(ctx, "NO-SUCH-CODE"); err == nil {
		t.Fatal("a wrong enrollment code was accepted")
	}

	var calls int
	path, err := s.Backup(ctx, func(done, total int64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 || calls < 2 {
		t.Fatalf("backup %s: %v (progress calls %d)", path, err, calls)
	}
	var last int64
	if err := s.RefreshLibrary(ctx, func(done, total int64) { last = done }); err != nil {
		t.Fatal(err)
	}
	_ = last // an up-to-date library reports no pages; the call must still succeed
}

// displayWidth counts columns as a receipt printer does: CJK runes take two.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 {
			w += 2
		} else {
			w++
		}
	}
	return w
}
