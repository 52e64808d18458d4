package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The package boundaries of docs/ARCHITECTURE.md, checked on the real build
// graph (`go list -deps`), so an indirect import is caught too:
//   - nothing under agent/ may depend on the UI toolkit, serial ports or the
//     HTTP client: the domain core runs headless and is tested without I/O;
//   - nothing under ui/ may depend on the store, the device drivers or the
//     platform client: the UI is a client of the agent's API only.

// forbiddenForAgent are import path prefixes no package under agent/ may
// depend on.
var forbiddenForAgent = []string{"fyne.io/", "go.bug.st/serial", "github.com/go-resty/"}

// forbiddenForUI are module-internal packages (and their subpackages) the UI
// may not depend on.
var forbiddenForUI = []string{"tradein/agent/store", "tradein/devices", "tradein/sync"}

type listedPackage struct {
	ImportPath string
	Deps       []string
	Imports    []string
	Error      *struct{ Err string }
}

// goList runs `go list -e -json pattern` from the module root and
// returns the packages, or nil when the pattern matches no Go files.
func goList(t *testing.T, pattern string) []listedPackage {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		goBin = p
	}
	cmd := exec.Command(goBin, "list", "-e", "-json", pattern)
	cmd.Dir = ".." // the module root: this test runs in agent/
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "matched no packages") {
			return nil
		}
		t.Fatalf("go list %s: %v\n%s", pattern, err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		if p.Error != nil && strings.Contains(p.Error.Err, "no Go files") {
			continue
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func hasPathPrefix(path, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(path, prefix)
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func TestAgentImportsNoUISerialOrHTTPClient(t *testing.T) {
	pkgs := goList(t, "./agent/...")
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages under agent/")
	}
	found := false
	for _, p := range pkgs {
		if p.ImportPath == "tradein/agent" {
			found = true
		}
		for _, dep := range p.Deps {
			for _, bad := range forbiddenForAgent {
				if hasPathPrefix(dep, bad) {
					t.Errorf("%s depends on %s (agent/ must not import UI, serial or HTTP client code)", p.ImportPath, dep)
				}
			}
		}
	}
	if !found {
		t.Error("tradein/agent missing from go list output")
	}
}

func TestUIImportsOnlyTheAgent(t *testing.T) {
	pkgs := goList(t, "./ui/...")
	if len(pkgs) == 0 {
		t.Skip("ui/ has no Go packages yet")
	}
	for _, p := range pkgs {
		for _, dep := range p.Deps {
			for _, bad := range forbiddenForUI {
				if hasPathPrefix(dep, bad) {
					t.Errorf("%s depends on %s (the UI reaches the store, devices and platform only through agent)", p.ImportPath, dep)
				}
			}
		}
	}
}

// TestImportCheckCatchesViolations makes sure the checks above can fail: the
// prefix matcher must flag the forbidden paths and spare their neighbours.
func TestImportCheckCatchesViolations(t *testing.T) {
	cases := []struct {
		path, prefix string
		want         bool
	}{
		{"fyne.io/fyne/v2/widget", "fyne.io/", true},
		{"go.bug.st/serial", "go.bug.st/serial", true},
		{"go.bug.st/serial/enumerator", "go.bug.st/serial", true},
		{"github.com/go-resty/resty/v2", "github.com/go-resty/", true},
		{"tradein/agent/store", "tradein/agent/store", true},
		{"tradein/sync/outbox", "tradein/sync", true},
		{"tradein/agent/storefront", "tradein/agent/store", false},
		{"tradein/synchronous", "tradein/sync", false},
		{"sync", "tradein/sync", false},
		{"tradein/agent", "tradein/agent/store", false},
	}
	for _, c := range cases {
		if got := hasPathPrefix(c.path, c.prefix); got != c.want {
			t.Errorf("hasPathPrefix(%q, %q) = %v, want %v", c.path, c.prefix, got, c.want)
		}
	}
}
