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
		"postinst", "prerm", "postrm",
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
		"/usr/bin/tradein-terminal":                                   "-rwxr-xr-x",
		"/usr/share/applications/tradein-terminal.desktop":            "-rw-r--r--",
		"/usr/share/doc/tradein-terminal/copyright":                   "-rw-r--r--",
		"/usr/share/doc/tradein-terminal/changelog.Debian.gz":         "-rw-r--r--",
		"/usr/share/doc/tradein-terminal/third-party-licenses.txt.gz": "-rw-r--r--",
		"/usr/share/man/man1/tradein-terminal.1.gz":                   "-rw-r--r--",
		"/usr/share/icons/hicolor/32x32/apps/tradein-terminal.png":    "-rw-r--r--",
		"/usr/share/icons/hicolor/48x48/apps/tradein-terminal.png":    "-rw-r--r--",
		"/usr/share/icons/hicolor/64x64/apps/tradein-terminal.png":    "-rw-r--r--",
		"/usr/share/icons/hicolor/128x128/apps/tradein-terminal.png":  "-rw-r--r--",
		"/usr/share/icons/hicolor/256x256/apps/tradein-terminal.png":  "-rw-r--r--",
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
// into a temporary root with its own package database (dpkgRoot):
// install creates the data directory, reinstall, upgrade to v2 and
// remove keep a shop's data. The database here is not one the program can
// read, so a plain purge refuses to delete it (nobody can tell what it
// still owes the platform) and TRADEIN_FORCE_REMOVAL=1 purges it.
func TestDpkgInstallUpgradeRemovePurge(t *testing.T) {
	v1, v2 := buildDeb(t, "1.0.0"), buildDeb(t, "2.0.0")
	d := newDpkgRoot(t)
	data := filepath.Join(d.root, "var/lib/tradein-terminal")
	db := filepath.Join(data, "terminal.db")

	d.must("-i", v1)
	if st, err := os.Stat(data); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data directory after install: %v, %v", st, err)
	}
	if err := os.WriteFile(db, []byte("queued sales"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.must("-i", v1) // reinstall
	d.must("-i", v2) // upgrade
	if got := run(t, nil, filepath.Join(d.root, "usr/bin/tradein-terminal"), "--version"); strings.TrimSpace(got) != "tradein-terminal 2.0.0" {
		t.Errorf("after the upgrade --version = %q", got)
	}
	d.must("-r", "tradein-terminal")
	if _, err := os.Stat(filepath.Join(d.root, "usr/bin/tradein-terminal")); !os.IsNotExist(err) {
		t.Errorf("the program is still there after remove: %v", err)
	}
	if got := readFile(t, db); got != "queued sales" {
		t.Fatalf("database after reinstall, upgrade and remove = %q", got)
	}
	if out, err := d.dpkg(nil, "-P", "tradein-terminal"); err == nil || !strings.Contains(out, "purge refused") {
		t.Fatalf("purge of an unreadable database: %v\n%s", err, out)
	}
	if got := readFile(t, db); got != "queued sales" {
		t.Fatalf("database after the refused purge = %q", got)
	}
	d.mustEnv([]string{"TRADEIN_FORCE_REMOVAL=1"}, "-P", "tradein-terminal")
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data directory after the forced purge: %v", err)
	}
}

// manText returns the text of a man page in the unpacked package root,
// with the roff escapes a reader does not see removed (\- is -, font
// changes vanish).
func manText(t *testing.T, root, page string) string {
	t.Helper()
	s := run(t, nil, "gzip", "-dc", filepath.Join(root, "usr/share/man/man1", page+".1.gz"))
	for _, r := range []struct{ from, to string }{{`\-`, "-"}, {`\fB`, ""}, {`\fI`, ""}, {`\fR`, ""}, {`\fP`, ""}, {`\e`, `\`}, {`\(en`, "–"}} {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	return s
}

// manEntry returns the .TP paragraph of a man page that starts with head.
func manEntry(text, head string) string {
	for _, p := range strings.Split(text, ".TP\n") {
		first, _, _ := strings.Cut(p, "\n")
		if strings.Contains(first, head) {
			return p
		}
	}
	return ""
}

// manSection returns the body of the .SH section named name.
func manSection(text, name string) string {
	_, after, ok := strings.Cut(text, ".SH "+name+"\n")
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(after, "\n.SH ")
	return body
}

// TestManPages checks the man pages against the programs they ship with:
// every flag `tradein-terminal -h` lists and every command and flag of
// `terminalctl help` is documented; --first-staff is how a real install
// gets its manager and --seed-demo-staff (published PINs) is marked as
// demo-only and kept out of the synopsis; restore is documented as
// refused while the app runs unless --force (the page used to call it
// safe while the app runs).
func TestManPages(t *testing.T) {
	deb := buildDeb(t, "1.0.0")
	root := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, root)

	app := manText(t, root, "tradein-terminal")
	help, _ := exec.Command(filepath.Join(root, "usr/bin/tradein-terminal"), "-h").CombinedOutput()
	flags := 0
	for _, line := range strings.Split(string(help), "\n") {
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		name := strings.Fields(line)[0]
		flags++
		if !strings.Contains(app, "-"+name+" ") && !strings.Contains(app, "-"+name+"\n") && !strings.Contains(app, "-"+name+`"`) {
			t.Errorf("tradein-terminal(1) does not document -%s", name)
		}
	}
	if flags < 10 {
		t.Fatalf("tradein-terminal -h listed %d flags:\n%s", flags, help)
	}
	if strings.Contains(manSection(app, "SYNOPSIS"), "seed-demo-staff") {
		t.Errorf("the synopsis of tradein-terminal(1) offers --seed-demo-staff:\n%s", manSection(app, "SYNOPSIS"))
	}
	if !strings.Contains(manSection(app, "SYNOPSIS"), "--first-staff") {
		t.Errorf("the synopsis of tradein-terminal(1) lacks --first-staff")
	}
	demo := manEntry(app, "--seed-demo-staff")
	for _, want := range []string{"Demo", "never a real shop", "--first-staff"} {
		if !strings.Contains(demo, want) {
			t.Errorf("the --seed-demo-staff entry lacks %q:\n%s", want, demo)
		}
	}
	if !strings.Contains(manEntry(app, "--first-staff"), "standard input") {
		t.Errorf("the --first-staff entry does not say where the PIN comes from")
	}
	if !strings.Contains(app, "TRADEIN_FORCE_REMOVAL") {
		t.Errorf("tradein-terminal(1) does not document TRADEIN_FORCE_REMOVAL")
	}

	if !dirExists(filepath.Join(repoRoot(t), "cmd", "terminalctl")) {
		return
	}
	ctl := manText(t, root, "terminalctl")
	usage := run(t, nil, filepath.Join(root, "usr/bin/terminalctl"), "help")
	_, cmds, _ := strings.Cut(usage, "commands:\n")
	cmds, _, _ = strings.Cut(cmds, "\n\n")
	n := 0
	for _, line := range strings.Split(cmds, "\n") {
		// "  restore FILE [--force]          put a verified backup …"
		spec, _, _ := strings.Cut(strings.TrimSpace(line), "   ")
		words := strings.Fields(spec)
		if len(words) == 0 {
			continue
		}
		n++
		cmd := words[0]
		if len(words) > 1 && strings.ToLower(words[1]) == words[1] && !strings.HasPrefix(words[1], "[") {
			cmd += " " + words[1] // "queue list", "staff reset-pin"
		}
		if !strings.Contains(ctl, cmd) {
			t.Errorf("terminalctl(1) does not document %q", cmd)
		}
		for _, w := range words {
			if f := strings.Trim(w, "[]"); strings.HasPrefix(f, "--") && !strings.Contains(manEntry(ctl, words[0]), f) {
				t.Errorf("terminalctl(1)'s entry for %s does not document %s", words[0], f)
			}
		}
	}
	if n < 8 {
		t.Fatalf("terminalctl help listed %d commands:\n%s", n, usage)
	}
	restore := manEntry(ctl, "restore")
	for _, want := range []string{"refuses while", "--force"} {
		if !strings.Contains(restore, want) {
			t.Errorf("the restore entry of terminalctl(1) lacks %q:\n%s", want, restore)
		}
	}
	if strings.Contains(restore, "safe while the app runs") {
		t.Errorf("terminalctl(1) calls restore safe while the app runs:\n%s", restore)
	}
}
