package packagetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// checkExeResources lists exe's resources with 7z and checks that it
// carries an icon, a manifest and version information with the given
// numeric and string versions.
func checkExeResources(t *testing.T, exe, name, numVersion, version string) {
	t.Helper()
	list := run(t, nil, "7z", "l", exe)
	for _, want := range []string{"/ICON/", "/GROUP_ICON/", "/MANIFEST/", "version.txt"} {
		if !strings.Contains(list, want) {
			t.Errorf("%s has no %s resource:\n%s", filepath.Base(exe), want, list)
		}
	}
	x := t.TempDir()
	run(t, nil, "7z", "x", "-o"+x, exe, ".rsrc/*")
	vs, _ := filepath.Glob(filepath.Join(x, ".rsrc", "*", "version.txt"))
	if len(vs) != 1 {
		t.Fatalf("%s: version.txt files %v", filepath.Base(exe), vs)
	}
	v := decodeText(readFile(t, vs[0]))
	for _, want := range []string{
		"FILEVERSION    " + strings.ReplaceAll(numVersion, ".", ","),
		"PRODUCTVERSION " + strings.ReplaceAll(numVersion, ".", ","),
		`"ProductVersion",    "` + version + `"`,
		`"FileVersion",       "` + version + `"`,
		`"OriginalFilename",  "` + name + `.exe"`,
		`"CompanyName",       "Tradein Terminal"`,
	} {
		if !strings.Contains(v, want) {
			t.Errorf("%s version information lacks %q:\n%s", filepath.Base(exe), want, v)
		}
	}
	ms, _ := filepath.Glob(filepath.Join(x, ".rsrc", "*", "MANIFEST", "*"))
	if len(ms) != 1 {
		t.Fatalf("%s: manifests %v", filepath.Base(exe), ms)
	}
	m := readFile(t, ms[0])
	for _, want := range []string{`level="asInvoker"`, "permonitorv2", "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"} {
		if !strings.Contains(m, want) {
			t.Errorf("%s manifest lacks %s:\n%s", filepath.Base(exe), want, m)
		}
	}
}

// decodeText returns s as UTF-8, decoding UTF-16LE (with or without a
// byte-order mark) when s looks like it.
func decodeText(s string) string {
	b := []byte(s)
	if len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || len(b) > 3 && b[1] == 0 && b[3] == 0) {
		if b[0] == 0xff && b[1] == 0xfe {
			b = b[2:]
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(u))
	}
	return s
}

// TestWindowsResources makes terminalctl's resources with
// packaging/windows/resources.sh (what package.sh does for both programs),
// builds it for Windows without cgo (seconds, unlike the app's mingw
// build) and checks the .exe carries its icon, a manifest and version
// information with the build's version; the programs used to carry none.
// The resource object is removed afterwards, as package.sh does.
func TestWindowsResources(t *testing.T) {
	needLinux(t)
	needTools(t, "7z")
	root := repoRoot(t)
	if !dirExists(filepath.Join(root, "cmd", "terminalctl")) {
		t.Skip("no terminalctl in this checkout")
	}
	syso := filepath.Join(root, "cmd", "terminalctl", "rsrc_windows_amd64.syso")
	t.Cleanup(func() { os.Remove(syso) })
	run(t, nil, filepath.Join(root, "packaging", "windows", "resources.sh"), "terminalctl", "1.2.3-4-gabcdef1", "1.2.3.0")
	exe := filepath.Join(t.TempDir(), "terminalctl.exe")
	build := command(root, "go", "build", "-ldflags", "-s -w", "-o", exe, "./cmd/terminalctl")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.Remove(syso)
	checkExeResources(t, exe, "terminalctl", "1.2.3.0", "1.2.3-4-gabcdef1")
}
