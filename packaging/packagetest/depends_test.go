package packagetest

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDebDependsMatchBinaries checks the .deb's Depends against what its
// binaries need, found independently of package.sh: every shared library
// an ELF binary names (DT_NEEDED) belongs to a package in Depends (dpkg -S
// on this machine), and libc6 is required at least at the newest glibc
// symbol version the binaries use (GLIBC_2.34 for the cgo build: a bare
// "libc6" let the package install where the app cannot start). The X
// libraries GLFW opens with dlopen are listed too.
func TestDebDependsMatchBinaries(t *testing.T) {
	deb := buildDeb(t, "1.0.0")
	needTools(t, "dpkg")
	depends := parseDepends(run(t, nil, "dpkg-deb", "-f", deb, "Depends"))
	root := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, root)

	bins, _ := filepath.Glob(filepath.Join(root, "usr/bin/*"))
	if len(bins) == 0 {
		t.Fatal("no binaries in the package")
	}
	var newestGlibc []int
	for _, bin := range bins {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		libs, err := f.ImportedLibraries()
		if err != nil {
			t.Fatal(err)
		}
		syms, _ := f.DynamicSymbols()
		f.Close()
		for _, lib := range libs {
			pkg := packageOf(t, lib)
			if _, ok := depends[pkg]; !ok {
				t.Errorf("%s needs %s from %s, which Depends lacks: %v", filepath.Base(bin), lib, pkg, depends)
			}
		}
		for _, s := range syms {
			if v, ok := strings.CutPrefix(s.Version, "GLIBC_"); ok {
				if n := versionNumbers(v); compareNumbers(n, newestGlibc) > 0 {
					newestGlibc = n
				}
			}
		}
	}
	if len(newestGlibc) == 0 {
		t.Fatal("no GLIBC_ symbol versions found: not a cgo build?")
	}
	libc, ok := depends["libc6"]
	min, found := strings.CutPrefix(libc, ">= ")
	if !ok || !found {
		t.Fatalf("Depends has libc6 %q, want a minimum version (the binaries use GLIBC_%s)", libc, joinNumbers(newestGlibc))
	}
	if compareNumbers(versionNumbers(min), newestGlibc) < 0 {
		t.Errorf("Depends: libc6 (>= %s), but the binaries use GLIBC_%s", min, joinNumbers(newestGlibc))
	}
	for _, dl := range []string{"libxcursor1", "libxrandr2", "libxinerama1", "libxi6", "libxxf86vm1"} {
		if _, ok := depends[dl]; !ok {
			t.Errorf("Depends lacks %s, which GLFW loads with dlopen", dl)
		}
	}
}

// parseDepends turns "a (>= 1), b, c (>= 2:3)" into {a: ">= 1", b: "", c: ">= 2:3"}.
func parseDepends(s string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`^([a-z0-9][a-z0-9.+-]*)(?:\s*\(([^)]*)\))?$`)
	for _, d := range strings.Split(strings.TrimSpace(s), ",") {
		m := re.FindStringSubmatch(strings.TrimSpace(d))
		if m != nil {
			out[m[1]] = m[2]
		}
	}
	return out
}

// packageOf returns the Debian package on this machine that holds the
// shared library lib (by its soname, in the multiarch folders).
func packageOf(t *testing.T, lib string) string {
	t.Helper()
	for _, dir := range []string{"/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib64/", "/usr/lib64/"} {
		out, err := exec.Command("dpkg", "-S", dir+lib).Output()
		if err == nil {
			pkg, _, _ := strings.Cut(strings.TrimSpace(string(out)), ":")
			return pkg
		}
	}
	t.Fatalf("no installed package holds %s", lib)
	return ""
}

// versionNumbers parses "2.34" (or "2.34-1", "2:1.2.99") into its numbers
// before any Debian revision, without the epoch.
func versionNumbers(v string) []int {
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	v, _, _ = strings.Cut(v, "-")
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			break
		}
		out = append(out, n)
	}
	return out
}

func compareNumbers(a, b []int) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := 0, 0
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func joinNumbers(n []int) string {
	s := make([]string, len(n))
	for i, x := range n {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ".")
}
