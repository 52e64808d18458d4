package packagetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/tradein-terminal/wiring"
)

// dpkgRoot is a temporary root with its own package database, in which
// dpkg itself installs and removes packages (dpkg --root with
// --force-script-chrootless, so the maintainer scripts see DPKG_ROOT).
// The GL/X libraries the package depends on are not in the empty root:
// --force-depends.
type dpkgRoot struct {
	t    *testing.T
	root string
}

func newDpkgRoot(t *testing.T) *dpkgRoot {
	t.Helper()
	needTools(t, "dpkg", "flock")
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &dpkgRoot{t: t, root: root}
}

// dpkg runs dpkg in the root with extra environment and returns its
// combined output.
func (d *dpkgRoot) dpkg(env []string, args ...string) (string, error) {
	base := []string{"--root=" + d.root, "--force-script-chrootless", "--force-depends", "--force-not-root", "--log=/dev/null"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dpkg", append(base, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (d *dpkgRoot) must(args ...string) { d.t.Helper(); d.mustEnv(nil, args...) }

func (d *dpkgRoot) mustEnv(env []string, args ...string) {
	d.t.Helper()
	if out, err := d.dpkg(env, args...); err != nil {
		d.t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// status returns the package's dpkg status line ("install ok installed",
// "purge ok config-files", …), empty when dpkg does not know it.
func (d *dpkgRoot) status() string {
	out, _ := exec.Command("dpkg-query", "--admindir="+filepath.Join(d.root, "var/lib/dpkg"),
		"-W", "-f=${Status}", "tradein-terminal").Output()
	return strings.TrimSpace(string(out))
}

// TestPurgeGuard checks that the package manager cannot delete a shop's
// data under a running app or with sales the platform has not got:
// removal refuses while the app holds its lock (the package stays
// installed); a purge with a queued sale removes the programs but keeps
// the data and fails, again when retried; TRADEIN_FORCE_REMOVAL=1
// deletes it. A data directory whose queue is empty is purged as before.
func TestPurgeGuard(t *testing.T) {
	deb := buildDeb(t, "1.0.0")
	ctx := context.Background()

	// Nothing pending: purge deletes the data.
	d := newDpkgRoot(t)
	data := filepath.Join(d.root, "var/lib/tradein-terminal")
	d.must("-i", deb)
	a, err := wiring.New(ctx, wiring.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	d.must("-P", "tradein-terminal")
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data directory after purging an empty queue: %v", err)
	}

	// One sale waits for the platform.
	d = newDpkgRoot(t)
	data = filepath.Join(d.root, "var/lib/tradein-terminal")
	d.must("-i", deb)
	a, err = wiring.New(ctx, wiring.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := a.Store().Enqueue(ctx, agent.AuditEntry{At: now, Actor: "1001", Action: "test.queued", Subject: "O-1"},
		agent.OutboxItem{Kind: agent.OutboxSaleOffline, RequestNo: "R-1", OrderNo: "O-1", Payload: []byte(`{}`),
			CreatedAt: now, NextAttemptAt: now}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	// The app runs: removal refuses, nothing changes.
	lock, err := wiring.LockDataDir(wiring.NewLayout(data).Lock)
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.dpkg(nil, "-P", "tradein-terminal")
	lock.Release()
	if err == nil || !strings.Contains(out, "the app is running") {
		t.Fatalf("purge while the app runs: %v\n%s", err, out)
	}
	if st := d.status(); !strings.HasSuffix(st, " ok installed") {
		t.Errorf("after the refused removal the package is %q, want installed", st)
	}
	if _, err := os.Stat(filepath.Join(d.root, "usr/bin/tradein-terminal")); err != nil {
		t.Errorf("the refused removal removed the program: %v", err)
	}

	// App closed, sale still queued: the purge removes the programs and
	// refuses to delete the data, and keeps refusing.
	for i := range 2 {
		out, err = d.dpkg(nil, "-P", "tradein-terminal")
		if err == nil || !strings.Contains(out, "purge refused") || !strings.Contains(out, "1 item(s) have not reached the platform") ||
			!strings.Contains(out, "TRADEIN_FORCE_REMOVAL=1") {
			t.Fatalf("purge %d with a queued sale: %v\n%s", i+1, err, out)
		}
		if _, err := os.Stat(filepath.Join(data, "terminal.db")); err != nil {
			t.Fatalf("purge %d deleted the database: %v", i+1, err)
		}
	}
	if _, err := os.Stat(filepath.Join(d.root, "usr/bin/tradein-terminal")); !os.IsNotExist(err) {
		t.Errorf("the program is still there: %v", err)
	}

	d.mustEnv([]string{"TRADEIN_FORCE_REMOVAL=1"}, "-P", "tradein-terminal")
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data directory after the forced purge: %v", err)
	}
	if st := d.status(); st != "" && !strings.HasSuffix(st, " ok not-installed") {
		t.Errorf("after the forced purge the package is %q", st)
	}
}
