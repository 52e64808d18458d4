package packagetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuthenticodeSigning signs a Windows build of terminalctl with
// packaging/windows/sign.sh and a self-signed certificate made with
// openssl, then checks the signature with `osslsigncode verify` against
// that certificate; a byte changed after signing must fail verification.
func TestAuthenticodeSigning(t *testing.T) {
	needLinux(t)
	needTools(t, "openssl", "osslsigncode")
	root := repoRoot(t)
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	run(t, nil, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
		"-subj", "/CN=Tradein Terminal test signing", "-keyout", key, "-out", cert)

	// terminalctl when it exists (the smaller program); else the app. No
	// cgo: signing does not care how the executable was built.
	pkg := "./cmd/terminalctl"
	if !dirExists(filepath.Join(root, "cmd", "terminalctl")) {
		pkg = "./cmd/tradein-terminal"
	}
	exe := filepath.Join(dir, "prog.exe")
	build := command(root, "go", "build", "-ldflags", "-s -w -X tradein/agent.Version=9.9.9", "-o", exe, pkg)
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("no cgo-free Windows build of %s (%v): %s", pkg, err, out)
	}

	env := []string{"SIGN_CERT=" + cert, "SIGN_KEY=" + key}
	run(t, env, filepath.Join(root, "packaging", "windows", "sign.sh"), exe)
	out := run(t, nil, "osslsigncode", "verify", "-CAfile", cert, "-in", exe)
	if !strings.Contains(out, "Signature verification: ok") {
		t.Fatalf("osslsigncode verify:\n%s", out)
	}

	// Tamper with the code: verification must fail.
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0xff
	if err := os.WriteFile(exe, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := command(dir, "osslsigncode", "verify", "-CAfile", cert, "-in", exe).CombinedOutput(); err == nil {
		t.Fatalf("a tampered executable verified:\n%s", out)
	}
}

// TestWindowsInstaller builds the installer with package.sh (signed with a
// self-signed certificate) and lists it with 7z: the app, terminalctl,
// the icon the shortcut uses, and the uninstaller; the installer and the
// executables inside it verify. The first mingw cgo build of the app takes
// minutes, so the test runs only when the build cache already holds the
// Windows build of Fyne's cgo driver (after `make package`, say), or when
// TRADEIN_WINDOWS_TEST=1 asks for it.
func TestWindowsInstaller(t *testing.T) {
	needLinux(t)
	root := repoRoot(t)
	if os.Getenv("TRADEIN_WINDOWS_TEST") != "1" && !windowsBuildCached(root) {
		t.Skip("the Windows cgo build is not in the build cache: set TRADEIN_WINDOWS_TEST=1 to build it here (minutes), or run make package first")
	}
	needTools(t, "x86_64-w64-mingw32-gcc", "makensis", "7z", "openssl", "osslsigncode")
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	run(t, nil, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
		"-subj", "/CN=Tradein Terminal test signing", "-keyout", key, "-out", cert)
	dist := filepath.Join(dir, "dist")
	run(t, []string{"PACKAGE_TARGETS=windows", "DIST=" + dist, "SIGN_CERT=" + cert, "SIGN_KEY=" + key},
		filepath.Join(root, "packaging", "scripts", "package.sh"), "1.2.3")
	setup := filepath.Join(dist, "tradein-terminal-1.2.3-windows-setup.exe")

	list := run(t, nil, "7z", "l", setup)
	want := []string{"tradein-terminal.exe", "tradein-terminal.ico", "uninstall.exe", "third-party-licenses.txt"}
	if dirExists(filepath.Join(root, "cmd", "terminalctl")) {
		want = append(want, "terminalctl.exe")
	}
	for _, f := range want {
		if !strings.Contains(list, " "+f+"\n") {
			t.Errorf("7z l lacks %s:\n%s", f, list)
		}
	}
	if out := run(t, nil, "osslsigncode", "verify", "-CAfile", cert, "-in", setup); !strings.Contains(out, "Signature verification: ok") {
		t.Errorf("installer signature:\n%s", out)
	}
	x := filepath.Join(dir, "x")
	run(t, nil, "7z", "x", "-o"+x, setup)
	if out := run(t, nil, "osslsigncode", "verify", "-CAfile", cert, "-in", filepath.Join(x, "tradein-terminal.exe")); !strings.Contains(out, "Signature verification: ok") {
		t.Errorf("app signature:\n%s", out)
	}
	// Icon, manifest and version information in both programs (the
	// signature covers them: resources are added before signing).
	checkExeResources(t, filepath.Join(x, "tradein-terminal.exe"), "tradein-terminal", "1.2.3.0", "1.2.3")
	if dirExists(filepath.Join(root, "cmd", "terminalctl")) {
		checkExeResources(t, filepath.Join(x, "terminalctl.exe"), "terminalctl", "1.2.3.0", "1.2.3")
	}
	checkLicenses(t, readFile(t, filepath.Join(x, "third-party-licenses.txt")), linkedModules(t, "windows"))
	for _, f := range []string{"tradein-terminal", "terminalctl"} {
		if _, err := os.Stat(filepath.Join(root, "cmd", f, "rsrc_windows_amd64.syso")); !os.IsNotExist(err) {
			t.Errorf("package.sh left cmd/%s/rsrc_windows_amd64.syso behind: %v", f, err)
		}
	}
}

// windowsBuildCached reports whether the build cache holds the mingw cgo
// builds of GLFW and Fyne's GLFW driver (the minutes of a cold Windows
// build): `go list` says a package is stale when its build is not cached.
func windowsBuildCached(root string) bool {
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		return false
	}
	cmd := command(root, "go", "list", "-f", "{{.Stale}}",
		"github.com/go-gl/glfw/v3.3/glfw", "fyne.io/fyne/v2/internal/driver/glfw")
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc")
	out, err := cmd.Output()
	return err == nil && strings.TrimSpace(string(out)) == "false\nfalse"
}
