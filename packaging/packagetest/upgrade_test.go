package packagetest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
	"tradein/cmd/platform-sim/sim/simtest"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/devices/devsim/devsimtest"
)

// phoneBarcode is a phone in platform-sim's demo product library.
const phoneBarcode = "6934177393365"

// TestUpgradeKeepsQueuedSales installs v1 of the .deb into a temporary
// root, provisions the terminal with the v1 binary against platform-sim
// on 127.0.0.1, sells while the platform is unreachable (one sale then
// delivered by v1, two left in the outbox), upgrades to v2 the way dpkg
// does (old postrm upgrade, unpack, new postinst configure) and checks:
// the upgrade did not touch the data directory, --version says 2.0.0,
// every sale is still there, the two queued ones are still in the outbox
// and the v2 binary delivers them.
//
// v1 and v2 share the schema version here, so no migration runs; the
// backup taken when a newer program raises the schema version, and the
// refusal of a database newer than the program, are tested in agent/store
// (TestUpgradeBacksUpAndPrunes, TestNewerDatabaseRefusedUntouched).
func TestUpgradeKeepsQueuedSales(t *testing.T) {
	v1, v2 := buildDeb(t, "1.0.0"), buildDeb(t, "2.0.0")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	root := t.TempDir()
	install(t, v1, root)
	data := filepath.Join(root, "var/lib/tradein-terminal")
	bin := filepath.Join(root, "usr/bin/tradein-terminal")
	p := startPlatform(t)
	d := devsimtest.Start(t, "")
	writeConfig(t, data, p.url, d.Scanner.Path(), d.Printer.Path())

	out := run(t, nil, bin, "--data-dir", data, "--enroll", sim.DemoEnrollmentCode,
		"--seed-demo-staff", "--sync", "--setup-only")
	if !strings.Contains(out, "synced:") {
		t.Fatalf("v1 provisioning said:\n%s", out)
	}

	// Sale A is sold offline and delivered by v1.
	orders := sellOffline(ctx, t, p, data, "SNUPG-A", 1)
	if out := run(t, nil, bin, "--data-dir", data, "--sync", "--setup-only"); !strings.Contains(out, " 1 queued items delivered") {
		t.Fatalf("v1 sync said:\n%s", out)
	}
	// Sales B and C stay queued.
	queued := sellOffline(ctx, t, p, data, "SNUPG-B", 2)
	orders = append(orders, queued...)

	before := hashTree(t, data)
	maintainerScript(t, v1, root, "postrm", "upgrade", "2.0.0-1")
	run(t, nil, "dpkg-deb", "-x", v2, root)
	maintainerScript(t, v2, root, "postinst", "configure", "1.0.0-1")
	if after := hashTree(t, data); after != before {
		t.Fatal("installing v2 changed the data directory")
	}
	if got := run(t, nil, bin, "--version"); strings.TrimSpace(got) != "tradein-terminal 2.0.0" {
		t.Fatalf("after the upgrade --version = %q", got)
	}

	// v2 opens the same data: all sales there, two still queued.
	a, err := wiring.New(ctx, wiring.Options{DataDir: data})
	if err != nil {
		t.Fatalf("v2 opening v1's data: %v", err)
	}
	if pend, err := a.Store().Pending(ctx); err != nil || pend.Items != len(queued) {
		t.Fatalf("queue after the upgrade: %+v, %v; want %d items", pend, err, len(queued))
	}
	for _, no := range orders {
		if _, err := a.Store().Sale(ctx, no); err != nil {
			t.Errorf("sale %s after the upgrade: %v", no, err)
		}
	}
	a.Close()

	// The v2 binary delivers them.
	if out := run(t, nil, bin, "--data-dir", data, "--sync", "--setup-only"); !strings.Contains(out, " 2 queued items delivered") {
		t.Fatalf("v2 sync said:\n%s", out)
	}
	a, err = wiring.New(ctx, wiring.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if pend, err := a.Store().Pending(ctx); err != nil || pend.Items != 0 {
		t.Fatalf("queue after v2's sync: %+v, %v", pend, err)
	}
	for _, no := range orders {
		s, err := a.Store().Sale(ctx, no)
		if err != nil || s.State != agent.SaleCommitted {
			t.Errorf("sale %s after v2's sync: %s, %v", no, s.State, err)
		}
	}
}

// platform is platform-sim on 127.0.0.1 that the test can make
// unreachable: while down, every connection is closed unanswered, which
// the terminal sees as a network failure.
type platform struct {
	srv  *sim.Server
	url  string
	down atomic.Bool
}

func startPlatform(t testing.TB) *platform {
	t.Helper()
	srv := simtest.Open(t, sim.Config{})
	p := &platform{srv: srv}
	h := srv.Handler()
	// A platform that is "down" drops every connection, as an unplugged
	// network would.
	p.url = simtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		h.ServeHTTP(w, r)
	}))
	return p
}

// writeConfig writes the data directory's settings: the platform and the
// devsim ports.
func writeConfig(t testing.TB, data, platformURL, scanner, printer string) {
	t.Helper()
	c := wiring.DefaultConfig()
	c.PlatformURL = platformURL
	c.Devices.Scanner.Port = scanner
	c.Devices.Printer.Port = printer
	if err := wiring.SaveConfig(wiring.NewLayout(data).Config, c); err != nil {
		t.Fatal(err)
	}
}

// sellOffline makes the platform unreachable, opens the data directory
// with the terminal's code (the store API every version shares), sells n
// phones under the offline policy as clerk 1001, and closes it again with
// the platform back up. It returns the order numbers. The sales' outbox
// rows stay queued: the app is closed before its drainer can reach the
// platform.
func sellOffline(ctx context.Context, t *testing.T, p *platform, data, snPrefix string, n int) []string {
	t.Helper()
	p.down.Store(true)
	defer p.down.Store(false)
	a, err := wiring.New(ctx, wiring.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Start(ctx)
	waitFor(t, "the first health probe to fail", 30*time.Second, func() bool {
		return !a.Tracker().State().LastErrorAt.IsZero()
	})
	term := a.Terminal()
	sess, err := term.Login(ctx, "1001", "1234")
	if err != nil {
		t.Fatal(err)
	}
	var orders []string
	for i := range n {
		code, err := p.srv.IssueCode(ctx, sim.CodeRequest{Category: agent.CatPhone, Region: "110000", ValidFor: time.Hour})
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
		if _, err := w.SetSN(ctx, snPrefix+string(rune('0'+i))); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Quote(ctx, agent.Yuan(2999)); err != nil {
			t.Fatal(err)
		}
		if s, err := w.Confirm(ctx); err != nil || s.State != agent.SaleOfflineAccepted {
			t.Fatalf("confirm offline: %s, %v", s.State, err)
		}
		if _, err := w.SetPaymentRef(ctx, "POS-"+snPrefix); err != nil {
			t.Fatal(err)
		}
		sale, _, err := w.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, sale.OrderNo)
	}
	if pend, err := a.Store().Pending(ctx); err != nil || pend.Items < n {
		t.Fatalf("queue after %d offline sales: %+v, %v", n, pend, err)
	}
	return orders
}

// waitFor polls cond until it holds or the deadline passes; it waits on
// background work, it never asserts how long that takes.
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

// hashTree returns one SHA-256 over every file's path, mode and content
// under dir (the app's lock file included), to show a step left it alone.
func hashTree(t testing.TB, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		io.WriteString(h, rel+"\x00"+fi.Mode().String()+"\x00")
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.Copy(h, bufio.NewReader(f)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(h.Sum(nil))
}
