package packagetest

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// linkedModules lists the modules (path and version) `go list -deps` says
// the shipped commands link for goos, without this module itself.
func linkedModules(t *testing.T, goos string) map[string]string {
	t.Helper()
	root := repoRoot(t)
	args := []string{"list", "-deps", "-json=Module", "./cmd/tradein-terminal"}
	if dirExists(filepath.Join(root, "cmd", "terminalctl")) {
		args = append(args, "./cmd/terminalctl")
	}
	cmd := command(root, "go", args...)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	mods := map[string]string{}
	dec := json.NewDecoder(out)
	for {
		var p struct {
			Module *struct {
				Path, Version string
				Main          bool
			}
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Module != nil && !p.Module.Main {
			mods[p.Module.Path] = p.Module.Version
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return mods
}

// checkLicenses checks a third-party licence file against the modules the
// build links: a section per module and version, with licence text in it,
// and Go's own licence.
func checkLicenses(t *testing.T, text string, mods map[string]string) {
	t.Helper()
	if len(mods) < 10 {
		t.Fatalf("go list found %d modules: %v", len(mods), mods)
	}
	// Each section is "====\nHEAD\n====\nBODY".
	sections := map[string]string{}
	parts := strings.Split(text, strings.Repeat("=", 72)+"\n")
	for i := 1; i+1 < len(parts); i += 2 {
		sections[strings.TrimSpace(parts[i])] += parts[i+1]
	}
	for path, version := range mods {
		body, ok := sections[path+" "+version]
		if !ok {
			t.Errorf("no licence section for %s %s", path, version)
			continue
		}
		if !strings.Contains(body, "--- ") || len(body) < 200 {
			t.Errorf("the section of %s holds no licence text:\n%s", path, body)
		}
	}
	goLicense := false
	for head, body := range sections {
		if strings.HasPrefix(head, "go1.") && strings.Contains(body, "Copyright 2009 The Go Authors") {
			goLicense = true
		}
	}
	if !goLicense {
		t.Error("Go's own licence (standard library, runtime) is missing")
	}
	// GLFW's bundled C code and Fyne's embedded fonts carry licences of
	// their own below their module's root.
	for _, want := range []string{"--- glfw/LICENSE.md", "--- theme/font/LICENSE"} {
		if !strings.Contains(text, want) {
			t.Errorf("the licences lack %s", want)
		}
	}
}

// TestThirdPartyLicensesDeb checks that the .deb ships the licence texts
// of every Go module its binaries link (they are statically linked, so the
// package is a binary distribution of each of them).
func TestThirdPartyLicensesDeb(t *testing.T) {
	deb := buildDeb(t, "1.0.0")
	root := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", deb, root)
	text := run(t, nil, "gzip", "-dc", filepath.Join(root, "usr/share/doc/tradein-terminal/third-party-licenses.txt.gz"))
	checkLicenses(t, text, linkedModules(t, "linux"))
	if c := readFile(t, filepath.Join(root, "usr/share/doc/tradein-terminal/copyright")); !strings.Contains(c, "third-party-licenses.txt.gz") {
		t.Error("the copyright file does not point at the third-party licences")
	}
}

// TestThirdPartyLicensesWindows runs the licence collection the Windows
// installer ships for a Windows build (whose modules differ from Linux's);
// TestWindowsInstaller and TestNSISScript check that the installer
// carries the file.
func TestThirdPartyLicensesWindows(t *testing.T) {
	needLinux(t)
	out := filepath.Join(t.TempDir(), "licenses.txt")
	cmd := command(repoRoot(t), filepath.Join(repoRoot(t), "packaging", "scripts", "licenses.sh"), out, "./cmd/tradein-terminal", "./cmd/terminalctl")
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("licenses.sh: %v\n%s", err, b)
	}
	checkLicenses(t, readFile(t, out), linkedModules(t, "windows"))
}

// TestLicensesRefuseModuleWithoutLicence: a module without a licence file
// stops the collection instead of shipping without its notice.
func TestLicensesRefuseModuleWithoutLicence(t *testing.T) {
	needLinux(t)
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/go.mod", "module example.com/app\n\ngo 1.22\n\nrequire example.com/nolicence v0.0.0\n\nreplace example.com/nolicence => ../nolicence\n")
	write("app/main.go", "package main\n\nimport \"example.com/nolicence\"\n\nfunc main() { nolicence.F() }\n")
	write("nolicence/go.mod", "module example.com/nolicence\n\ngo 1.22\n")
	write("nolicence/f.go", "package nolicence\n\nfunc F() {}\n")
	cmd := exec.Command(filepath.Join(repoRoot(t), "packaging", "scripts", "licenses.sh"), filepath.Join(dir, "out.txt"), ".")
	cmd.Dir = filepath.Join(dir, "app")
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no licence file found for: example.com/nolicence") {
		t.Fatalf("licenses.sh on a module without a licence: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.txt")); !os.IsNotExist(err) {
		t.Errorf("licenses.sh left an output file: %v", err)
	}
}
