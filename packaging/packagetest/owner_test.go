package packagetest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"tradein/cmd/platform-sim/sim"
)

// shopUID is the shop's account in TestSetupAsRootThenShopUser: nobody,
// which every Debian system has.
const shopUID = 65534

// TestSetupAsRootThenShopUser follows the README on a shop PC: install
// the package, give the data directory to the shop's account (chown),
// then, as root, enroll, create the first manager and run terminalctl
// (status, backup). Every file in the data directory must then belong to
// the shop's account, and the app run by that account must start and sync:
// root used to leave terminal.lock (and the database, key and log) owned
// by root with mode 0600, so the shop's app could not even take its lock.
func TestSetupAsRootThenShopUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the README's set-up runs as root; this test must too")
	}
	deb := buildDeb(t, "1.0.0")
	// A folder the shop's account can walk into (t.TempDir is 0700).
	base, err := os.MkdirTemp("", "tradein-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	root := filepath.Join(base, "root")
	install(t, deb, root)
	for _, d := range []string{base, root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(root, "var/lib/tradein-terminal")
	app := filepath.Join(root, "usr/bin/tradein-terminal")
	ctl := filepath.Join(root, "usr/bin/terminalctl")
	p := startPlatform(t)

	if err := os.Chown(data, shopUID, shopUID); err != nil {
		t.Fatal(err)
	}
	run(t, nil, app, "--data-dir", data, "--platform-url", p.url, "--enroll", sim.DemoEnrollmentCode, "--sync", "--setup-only")
	first := exec.Command(app, "--data-dir", data, "--first-staff", "3001,张经理,MANAGER", "--setup-only")
	first.Stdin = strings.NewReader("4711\n")
	if out, err := first.CombinedOutput(); err != nil {
		t.Fatalf("--first-staff as root: %v\n%s", err, out)
	}
	haveCtl := dirExists(filepath.Join(repoRoot(t), "cmd", "terminalctl"))
	if haveCtl {
		run(t, nil, ctl, "--data-dir", data, "status")
		run(t, nil, ctl, "--data-dir", data, "backup")
	}

	n := 0
	filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, err := d.Info()
		if err != nil {
			t.Fatal(err)
		}
		n++
		if st := info.Sys().(*syscall.Stat_t); st.Uid != shopUID {
			t.Errorf("%s belongs to uid %d after the set-up as root, want the shop's %d", p, st.Uid, shopUID)
		}
		return nil
	})
	if n < 6 {
		t.Fatalf("the set-up made only %d entries in the data directory", n)
	}

	asShop := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: shopUID, Gid: shopUID}}
		cmd.Dir = base
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s as the shop's account: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if out := asShop(app, "--data-dir", data, "--sync", "--setup-only"); !strings.Contains(out, "synced:") {
		t.Errorf("the shop's app said:\n%s", out)
	}
	if haveCtl {
		asShop(ctl, "--data-dir", data, "status")
	}
}
