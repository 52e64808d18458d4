package packagetest

import (
	"os"
	"os/exec"

	"path/filepath"
	"strings"
	"testing"
)

// TestDebContents builds the .deb and checks its control fields, its file
// list with modes (dpkg-deb -c), and the unpacked files: binaries stamped
// with the version, desktop entry, icons, documentation.
func TestDebContents(t *testing.T) {
	deb := buildDeb(t, "1.0.0")

	info := run(t, nil, "dpkg-deb", "-I", deb)
	for _, want := range []string{
		"Package: tradein-terminal",
		"Version: 1.0.0-1",
		"Architecture: amd64",
		"Depends: libc6, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1",
		"postinst", "postrm",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("dpkg-deb -I lacks %q:\n%s", want, info)
		}
	}

	// path -> mode as dpkg-deb -c prints it.
	modes := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(run(t, nil, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", line)
		}
		modes[strings.TrimPrefix(f[5], ".")] = f[0]
		if f[1] != "root/root" {
			t.Errorf("%s owned by %s, want root/root", f[5], f[1])
		}
	}
	want := map[string]string{
		"/usr/bin/tradein-terminal":                                  "-rwxr-xr-x",
		"/usr/share/applications/tradein-terminal.desktop":           "-rw-r--r--",
		"/usr/share/doc/tradein-terminal/copyright":                  "-rw-r--r--",
		"/usr/share/doc/tradein-terminal/changelog.Debian.gz":        "-rw-r--r--",
		"/usr/share/man/man1/tradein-terminal.1.gz":                  "-rw-r--r--",
		"/usr/share/icons/hicolor/32x32/apps/tradein-terminal.png":   "-rw-r--r--",
		"/usr/share/icons/hicolor/48x48/apps/tradein-terminal.png":   "-rw-r--r--",
		"/usr/share/icons/hicolor/64x64/apps/tradein-terminal.png":   "-rw-r--r--",
		"/usr/share/icons/hicolor/128x128/apps/tradein-terminal.png": "-rw-r--r--",
		"/usr/share/icons/hicolor/256x256/apps/tradein-terminal.png": "-rw-r--r--",
	}
	withCtl := dirExists(filepath.Join(repoRoot(t), "cmd", "terminalctl"))
	if withCtl {
		want["/usr/bin/terminalctl"] = "-rwxr-xr-x"
		want["/usr/share/man/man1/terminalctl.1.gz"] = "-rw-r--r--"
	}
	for p, m := range want {
		if got, ok := modes[p]; !ok {
			t.Errorf("%s is not in the package", p)
		} else if got != m {
			t.Errorf("%s has mode %s, want %s", p, got, m)
		}
	}
	for p := range modes {
		for _, banned := range []string{"platform-sim", "devsim", "/var/lib/"} {
			if strings.Contains(p, banned) {
				t.Errorf("the package ships %s (%s must not be packaged)", p, banned)
			}
		}
	}

	root := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, root)
	if got := run(t, nil, filepath.Join(root, "usr/bin/tradein-terminal"), "--version"); strings.TrimSpace(got) != "tradein-terminal 1.0.0" {
		t.Errorf("tradein-terminal --version = %q, want the stamped 1.0.0", got)
	}
	if withCtl {
		if got := run(t, nil, filepath.Join(root, "usr/bin/terminalctl"), "--version"); !strings.Contains(got, "1.0.0") {
			t.Errorf("terminalctl --version = %q, want the stamped 1.0.0", got)
		}
	}
	desktop := readFile(t, filepath.Join(root, "usr/share/applications/tradein-terminal.desktop"))
	for _, want := range []string{"Exec=tradein-terminal\n", "Icon=tradein-terminal\n", "Type=Application\n", "Name[zh_CN]="} {
		if !strings.Contains(desktop, want) {
			t.Errorf("desktop entry lacks %q", want)
		}
	}
	if dfv, err := exec.LookPath("desktop-file-validate"); err == nil {
		run(t, nil, dfv, filepath.Join(root, "usr/share/applications/tradein-terminal.desktop"))
	}
	changelog := run(t, nil, "gzip", "-dc", filepath.Join(root, "usr/share/doc/tradein-terminal/changelog.Debian.gz"))
	if !strings.HasPrefix(changelog, "tradein-terminal (1.0.0-1) ") {
		t.Errorf("changelog.Debian starts %q, want the package version", strings.SplitN(changelog, "\n", 2)[0])
	}
}

// TestDebVersionFromGitDescribe checks that a version without a tag (what
// `git describe --always --dirty` gives on a fresh clone: this checkout's
// commit hash) still makes a valid Debian version, ordered by the commit's
// date (TestDebVersionsSortAsBuilt), and that the binaries carry the
// original string.
func TestDebVersionFromGitDescribe(t *testing.T) {
	if testing.Short() {
		t.Skip("one more package build; TestDebContents covers the build")
	}
	needTools(t, "git")
	root := repoRoot(t)
	hash := strings.TrimSpace(run(t, nil, "git", "-C", root, "rev-parse", "--short=7", "HEAD"))
	date := strings.TrimSpace(run(t, []string{"TZ=UTC"}, "git", "-C", root, "log", "-1", "--format=%cd", "--date=format-local:%Y%m%d%H%M%S", "HEAD"))
	deb := buildDeb(t, hash+"-dirty")
	if want := "_0.0.0~git" + date + "." + hash + ".dirty-1_"; !strings.Contains(filepath.Base(deb), want) {
		t.Errorf("package name %s, want version %s", filepath.Base(deb), strings.Trim(want, "_"))
	}
	x := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, x)
	if got := run(t, nil, filepath.Join(x, "usr/bin/tradein-terminal"), "--version"); strings.TrimSpace(got) != "tradein-terminal "+hash+"-dirty" {
		t.Errorf("--version = %q", got)
	}
}

// TestDebLintian runs lintian with the Makefile's verdict: no error and no
// warning (the one override is commented in packaging/deb).
func TestDebLintian(t *testing.T) {
	deb := buildDeb(t, "1.0.0")
	needTools(t, "lintian")
	out := run(t, nil, "lintian", "--fail-on", "error,warning", deb)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "E: ") || strings.HasPrefix(line, "W: ") {
			t.Errorf("lintian: %s", line)
		}
	}
}

// TestMaintainerScriptsKeepData checks the data directory's life cycle:
// postinst creates it 0700 on first install and leaves an existing one
// (files, mode) alone; remove and upgrade keep it; only purge deletes it.
func TestMaintainerScriptsKeepData(t *testing.T) {
	deb := buildDeb(t, "1.0.0")
	root := t.TempDir()
	data := filepath.Join(root, "var/lib/tradein-terminal")

	install(t, deb, root)
	st, err := os.Stat(data)
	if err != nil {
		t.Fatalf("postinst made no data directory: %v", err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", st.Mode().Perm())
	}

	// A shop's data directory: the owner changed its mode; it holds a database.
	if err := os.Chmod(data, 0o750); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(data, "terminal.db")
	if err := os.WriteFile(db, []byte("sales"), 0o600); err != nil {
		t.Fatal(err)
	}
	install(t, deb, root) // reinstall
	maintainerScript(t, deb, root, "postrm", "upgrade", "1.0.0-1")
	maintainerScript(t, deb, root, "postrm", "remove")
	if got := readFile(t, db); got != "sales" {
		t.Fatalf("database after reinstall/upgrade/remove = %q", got)
	}
	if st, _ := os.Stat(data); st.Mode().Perm() != 0o750 {
		t.Errorf("reinstall changed the data directory's mode to %v", st.Mode().Perm())
	}

	maintainerScript(t, deb, root, "postrm", "purge")
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data directory after purge: %v", err)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDpkgInstallUpgradeRemovePurge lets dpkg itself install the package
// into a temporary root with its own package database (dpkg --root with
// --force-script-chrootless, so the maintainer scripts see DPKG_ROOT):
// install creates the data directory, reinstall, upgrade to v2 and
// remove keep a shop's data, and purge deletes it. The GL/X libraries the
// package depends on are not in the empty root: --force-depends.
func TestDpkgInstallUpgradeRemovePurge(t *testing.T) {
	v1, v2 := buildDeb(t, "1.0.0"), buildDeb(t, "2.0.0")
	needTools(t, "dpkg")
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
	dpkg := func(args ...string) {
		t.Helper()
		base := []string{"--root=" + root, "--force-script-chrootless", "--force-depends", "--force-not-root", "--log=/dev/null"}
		run(t, nil, "dpkg", append(base, args...)...)
	}
	data := filepath.Join(root, "var/lib/tradein-terminal")
	db := filepath.Join(data, "terminal.db")

	dpkg("-i", v1)
	if st, err := os.Stat(data); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data directory after install: %v, %v", st, err)
	}
	if err := os.WriteFile(db, []byte("queued sales"), 0o600); err != nil {
		t.Fatal(err)
	}
	dpkg("-i", v1) // reinstall
	dpkg("-i", v2) // upgrade
	if got := run(t, nil, filepath.Join(root, "usr/bin/tradein-terminal"), "--version"); strings.TrimSpace(got) != "tradein-terminal 2.0.0" {
		t.Errorf("after the upgrade --version = %q", got)
	}
	dpkg("-r", "tradein-terminal")
	if _, err := os.Stat(filepath.Join(root, "usr/bin/tradein-terminal")); !os.IsNotExist(err) {
		t.Errorf("the program is still there after remove: %v", err)
	}
	if got := readFile(t, db); got != "queued sales" {
		t.Fatalf("database after reinstall, upgrade and remove = %q", got)
	}
	dpkg("-P", "tradein-terminal")
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data directory after purge: %v", err)
	}
}
