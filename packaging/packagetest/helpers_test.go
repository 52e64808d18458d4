package packagetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// repoRoot is the repository root, two folders above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// needLinux skips the test on anything but Linux: the packages are built
// and installed with Debian's tools.
func needLinux(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("packaging tests run on Linux only")
	}
}

// needTools skips the test when a tool is missing, except in CI where the
// Makefile installs them (TEST_DEPS): there a missing tool fails the test.
func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing in CI (add its package to TEST_DEPS)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// run runs a command with a deadline and returns its standard output; a
// failure ends the test with the command's standard error.
func run(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// debs caches the .deb built per version for the whole test binary: a
// build links two large binaries, so each version is built once.
var debs struct {
	sync.Mutex
	dir   string
	files map[string]string
}

// buildDeb runs package.sh for the .deb only and returns the package's path.
func buildDeb(t testing.TB, version string) string {
	t.Helper()
	needLinux(t)
	needTools(t, "dpkg-deb", "gzip")
	debs.Lock()
	defer debs.Unlock()
	if f, ok := debs.files[version]; ok {
		return f
	}
	if debs.files == nil {
		dir, err := os.MkdirTemp("", "tradein-packagetest-")
		if err != nil {
			t.Fatal(err)
		}
		debs.dir, debs.files = dir, map[string]string{}
	}
	dist := filepath.Join(debs.dir, version)
	run(t, []string{"PACKAGE_TARGETS=deb", "DIST=" + dist}, filepath.Join(repoRoot(t), "packaging", "scripts", "package.sh"), version)
	m, err := filepath.Glob(filepath.Join(dist, "tradein-terminal_*_amd64.deb"))
	if err != nil || len(m) != 1 {
		t.Fatalf("package.sh %s made %v (%v), want one .deb", version, m, err)
	}
	debs.files[version] = m[0]
	return m[0]
}

// TestMain removes the cached packages after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if debs.dir != "" {
		os.RemoveAll(debs.dir)
	}
	os.Exit(code)
}

// install unpacks deb into root the way dpkg does (dpkg -x) and runs its
// postinst with DPKG_ROOT=root, as `dpkg --root=root
// --force-script-chrootless` would. It needs no root rights and leaves the
// host's package database alone.
func install(t testing.TB, deb, root string) {
	t.Helper()
	run(t, nil, "dpkg-deb", "-x", deb, root)
	maintainerScript(t, deb, root, "postinst", "configure")
}

// maintainerScript runs one of deb's maintainer scripts with DPKG_ROOT=root.
func maintainerScript(t testing.TB, deb, root, script string, args ...string) {
	t.Helper()
	ctl := t.TempDir()
	run(t, nil, "dpkg-deb", "-e", deb, ctl)
	run(t, []string{"DPKG_ROOT=" + root}, filepath.Join(ctl, script), args...)
}

// command returns a command running in dir, for the callers that look at its
// error themselves.
func command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	return cmd
}
