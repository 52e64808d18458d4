// Package tradein holds no code: only the repository-wide tests that check
// how its packages fit together.
package tradein

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layer is one row of the layering table: the packages matching pkgs may
// import the module's packages matching mayImport, their tests also those
// matching testsMayImport, and nothing in their production build graph
// (direct or indirect) may match mustNotDependOn.
//
// Patterns are Go package patterns: "tradein/agent" is that package only,
// "tradein/devices/..." the package and everything below it. A package's
// most specific row applies; packages of one row import each other only
// when its mayImport says so. A package matching no row fails the test, so
// a new package is placed in the table on purpose.
type layer struct {
	pkgs            string
	mayImport       []string
	testsMayImport  []string
	mustNotDependOn []string
}

// Import path prefixes of third-party and standard packages the table
// fences off.
const (
	uiToolkit  = "fyne.io/..."
	serialPort = "go.bug.st/serial/..."
	httpClient = "github.com/go-resty/..."
	sqlDriver  = "modernc.org/sqlite/..."
	sqlPkg     = "database/sql/..."
	httpPkg    = "net/http/..."
)

// layers is who may import whom, from the bottom up. The domain core
// (agent) runs headless without I/O; the store, the device drivers and the
// platform client build on it; the UI is a client of the agent's API only
// and never reaches SQL, ports or HTTP; the commands wire everything, and a
// command never imports another command (see commandImportsCommand).
var layers = []layer{
	{pkgs: "tradein/agent",
		// ruleboundary_test follows a category the terminal never saw into
		// the spreadsheet export and the sale's rule set onto the wire.
		testsMayImport:  []string{"tradein/agent/agenttest", "tradein/agent/store", "tradein/agent/export", "tradein/sync/api"},
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient, sqlPkg, httpPkg}},
	{pkgs: "tradein/agent/backoff",
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient, sqlPkg, httpPkg}},
	{pkgs: "tradein/agent/redact",
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient, sqlPkg, httpPkg}},
	{pkgs: "tradein/agent/export",
		mayImport:       []string{"tradein/agent"},
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient, sqlPkg, httpPkg}},
	{pkgs: "tradein/agent/store",
		mayImport:       []string{"tradein/agent"},
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient, httpPkg}},
	// agenttest holds the test doubles of agent's ports, for other packages'
	// tests.
	{pkgs: "tradein/agent/agenttest",
		mayImport:       []string{"tradein/agent", "tradein/agent/store"},
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient}},

	{pkgs: "tradein/devices/...",
		mayImport:       []string{"tradein/agent", "tradein/agent/backoff", "tradein/devices/..."},
		testsMayImport:  []string{"tradein/agent/store"},
		mustNotDependOn: []string{uiToolkit, httpClient, sqlPkg}},

	{pkgs: "tradein/sync/api/...",
		mayImport:       []string{"tradein/agent", "tradein/sync/api/..."},
		mustNotDependOn: []string{uiToolkit, serialPort, sqlPkg}},
	// The anchor reads the audit head and keeps the platform's verdict
	// through the store itself (a small port in agent would free it of SQL).
	{pkgs: "tradein/sync/anchor",
		mayImport:       []string{"tradein/agent", "tradein/agent/store", "tradein/sync/api"},
		testsMayImport:  []string{"tradein/agent/agenttest", "tradein/cmd/platform-sim/sim/...", "tradein/sync/client"},
		mustNotDependOn: []string{uiToolkit, serialPort}},
	{pkgs: "tradein/sync/...",
		mayImport:       []string{"tradein/agent", "tradein/agent/backoff", "tradein/sync/..."},
		testsMayImport:  []string{"tradein/agent/agenttest", "tradein/agent/store", "tradein/cmd/platform-sim/sim/..."},
		mustNotDependOn: []string{uiToolkit, serialPort, sqlPkg}},

	{pkgs: "tradein/ui/...",
		mayImport:       []string{"tradein/agent", "tradein/agent/export", "tradein/ui/..."},
		testsMayImport:  []string{"tradein/agent/agenttest", "tradein/agent/store"},
		mustNotDependOn: []string{serialPort, httpClient, sqlPkg, sqlDriver}},

	{pkgs: "tradein/cmd/platform-sim/...",
		mayImport:       []string{"tradein/agent", "tradein/sync/api", "tradein/cmd/platform-sim/..."},
		testsMayImport:  []string{"tradein/sync/api/apitest"},
		mustNotDependOn: []string{uiToolkit, serialPort, httpClient}},
	{pkgs: "tradein/cmd/devsim/...",
		mayImport:       []string{"tradein/agent", "tradein/devices/devsim", "tradein/devices/escpos", "tradein/cmd/devsim/..."},
		testsMayImport:  []string{"tradein/devices/serialport"},
		mustNotDependOn: []string{uiToolkit, httpClient, sqlPkg}},
	{pkgs: "tradein/cmd/tradein-terminal/...",
		mayImport: []string{"tradein/agent/...", "tradein/devices/...", "tradein/sync/...", "tradein/ui/...",
			"tradein/cmd/tradein-terminal/..."}},
	{pkgs: "tradein/cmd/terminalctl/...",
		mayImport:       []string{"tradein/agent/...", "tradein/devices/...", "tradein/sync/...", "tradein/cmd/terminalctl/..."},
		mustNotDependOn: []string{uiToolkit}},
	{pkgs: "tradein/cmd/benchtable/...",
		mayImport: []string{"tradein/cmd/benchtable/..."}},

	// The packaging tests build and run what ships.
	{pkgs: "tradein/packaging/...",
		testsMayImport: []string{"tradein/agent/...", "tradein/devices/...", "tradein/sync/...", "tradein/cmd/..."}},
	// The design documents and the test that keeps references to them true.
	{pkgs: "tradein/docs"},
	// This package.
	{pkgs: "tradein"},
}

// knownViolation is an import the table forbids that the code still has,
// each with the reason it is tolerated for now. A listed import that is
// gone fails the test, so the list only shrinks.
type knownViolation struct {
	from, to string // package patterns
	testOnly bool   // tolerated in tests only
	why      string
}

var knownViolations = []knownViolation{

	{from: "tradein/cmd/terminalctl/ctl", to: "tradein/cmd/tradein-terminal/wiring",
		why: "the data directory (layout, config, enrollment, lock) lives in the GUI's wiring until it has a package of its own"},
	{from: "tradein/cmd/tradein-terminal/...", to: "tradein/cmd/platform-sim/sim/...", testOnly: true,
		why: "the reference platform, a test fixture of the terminal's tests, lives under its command"},
	{from: "tradein/cmd/terminalctl/...", to: "tradein/cmd/platform-sim/sim/...", testOnly: true,
		why: "the reference platform, a test fixture of terminalctl's tests, lives under its command"},
}

// modulePath is the module's path; imports outside it are checked only
// against mustNotDependOn.
const modulePath = "tradein"

// matchPattern reports whether path matches the Go package pattern pat
// ("a/b" exactly, or "a/b/..." for a/b and below).
func matchPattern(pat, path string) bool {
	if base, ok := strings.CutSuffix(pat, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pat
}

func matchAny(pats []string, path string) bool {
	return slices.ContainsFunc(pats, func(p string) bool { return matchPattern(p, path) })
}

func inModule(path string) bool { return matchPattern(modulePath+"/...", path) }

// command returns the command directory (e.g. "tradein/cmd/devsim") path
// belongs to, or "" when it belongs to none.
func command(path string) string {
	rest, ok := strings.CutPrefix(path, modulePath+"/cmd/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return modulePath + "/cmd/" + name
}

// layerOf returns the most specific row matching path: the exact pattern
// or the "/..." pattern with the longest base.
func layerOf(path string) (layer, bool) {
	best, bestLen := layer{}, -1
	for _, l := range layers {
		if !matchPattern(l.pkgs, path) {
			continue
		}
		n := len(strings.TrimSuffix(l.pkgs, "/..."))
		if !strings.HasSuffix(l.pkgs, "/...") {
			n++ // an exact row beats "same/..."
		}
		if n > bestLen {
			best, bestLen = l, n
		}
	}
	return best, bestLen >= 0
}

type listedPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
	Error        *struct{ Err string }
}

// edge is one import of the module's code.
type edge struct {
	from, to string
	test     bool
}

// layeringViolations checks pkgs against layers and knownViolations and
// returns one sentence per violation; it also reports known violations
// that no longer occur.
func layeringViolations(pkgs []listedPackage) []string {
	var out []string
	used := make([]bool, len(knownViolations))
	tolerated := func(e edge) bool {
		for i, k := range knownViolations {
			if matchPattern(k.from, e.from) && matchPattern(k.to, e.to) && (e.test || !k.testOnly) {
				used[i] = true
				return true
			}
		}
		return false
	}
	for _, p := range pkgs {
		l, ok := layerOf(p.ImportPath)
		if !ok {
			out = append(out, fmt.Sprintf("%s is in no row of the layering table", p.ImportPath))
			continue
		}
		var edges []edge
		for _, to := range p.Imports {
			edges = append(edges, edge{p.ImportPath, to, false})
		}
		for _, to := range slices.Concat(p.TestImports, p.XTestImports) {
			edges = append(edges, edge{p.ImportPath, to, true})
		}
		for _, e := range edges {
			if !inModule(e.to) || e.to == e.from {
				continue
			}
			kind := "imports"
			if e.test {
				kind = "has a test that imports"
			}
			from, to := command(e.from), command(e.to)
			switch {
			case from != "" && to != "" && from != to:
				if !tolerated(e) {
					out = append(out, fmt.Sprintf("%s %s %s: a command never imports another command", e.from, kind, e.to))
				}
			case matchAny(l.mayImport, e.to), e.test && matchAny(l.testsMayImport, e.to):
			default:
				if !tolerated(e) {
					out = append(out, fmt.Sprintf("%s %s %s: not allowed by its row %q of the layering table", e.from, kind, e.to, l.pkgs))
				}
			}
		}
		for _, dep := range p.Deps {
			if matchAny(l.mustNotDependOn, dep) {
				out = append(out, fmt.Sprintf("%s depends on %s, which its row %q of the layering table forbids", p.ImportPath, dep, l.pkgs))
			}
		}
	}
	for i, k := range knownViolations {
		if !used[i] {
			out = append(out, fmt.Sprintf("known violation %s -> %s no longer occurs: delete it from knownViolations", k.from, k.to))
		}
	}
	return out
}

// goList runs `go list -e -json ./...` in the module root (this test's
// directory) and returns the packages that have Go files.
func goList(t *testing.T) []listedPackage {
	t.Helper()
	goBin, err := exec.LookPath("go") // go test puts the running toolchain's go first on PATH
	if err != nil {
		t.Fatalf("no go command on PATH: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
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

// TestLayering checks every package's production and test imports against
// the layering table, on the real build graph (`go list`).
func TestLayering(t *testing.T) {
	pkgs := goList(t)
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.ImportPath] = true
	}
	for _, want := range []string{"tradein/agent", "tradein/ui", "tradein/cmd/tradein-terminal", "tradein/sync/client"} {
		if !seen[want] {
			t.Fatalf("go list did not list %s", want)
		}
	}
	for _, v := range layeringViolations(pkgs) {
		t.Error(v)
	}
}

// TestLayeringCatchesViolations feeds the checker a made-up module, so the
// table's check is known to fail on each kind of violation.
func TestLayeringCatchesViolations(t *testing.T) {
	pkgs := []listedPackage{
		{ImportPath: "tradein/agent", Deps: []string{"fmt", "fyne.io/fyne/v2"}},
		{ImportPath: "tradein/ui/sale", Imports: []string{"tradein/agent", "tradein/ui/i18n"},
			TestImports: []string{"tradein/agent/store"}, XTestImports: []string{"tradein/sync/client"}},
		{ImportPath: "tradein/ui", Imports: []string{"tradein/agent/store"}},
		{ImportPath: "tradein/cmd/devsim", Imports: []string{"tradein/cmd/platform-sim/sim"}},
		{ImportPath: "tradein/cmd/devsim/x", TestImports: []string{"tradein/cmd/tradein-terminal/wiring"}},
		{ImportPath: "tradein/cmd/terminalctl/ctl", Imports: []string{"tradein/cmd/tradein-terminal/wiring"},
			TestImports: []string{"tradein/cmd/platform-sim/sim"}},
		{ImportPath: "tradein/cmd/tradein-terminal", Imports: []string{"tradein/cmd/platform-sim/sim/simtest"}},
		{ImportPath: "tradein/newthing"},
		{ImportPath: "tradein/agent/storefront"},
	}
	got := layeringViolations(pkgs)
	want := []string{
		"tradein/agent depends on fyne.io/fyne/v2",
		"tradein/ui/sale has a test that imports tradein/sync/client: not allowed",
		"tradein/ui imports tradein/agent/store: not allowed",
		"tradein/cmd/devsim imports tradein/cmd/platform-sim/sim: a command never imports another command",
		"tradein/cmd/devsim/x has a test that imports tradein/cmd/tradein-terminal/wiring: a command never",
		// tolerated in tests only, so the production import is reported
		"tradein/cmd/tradein-terminal imports tradein/cmd/platform-sim/sim/simtest: a command never",
		"tradein/newthing is in no row",
		"tradein/agent/storefront is in no row",
		// the terminalctl test import is tolerated, the tradein-terminal one unused
		"known violation tradein/cmd/tradein-terminal/... -> tradein/cmd/platform-sim/sim/... no longer occurs",
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
			t.Errorf("no violation starting %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

func TestMatchPattern(t *testing.T) {
	cases := []struct {
		pat, path string
		want      bool
	}{
		{"fyne.io/...", "fyne.io/fyne/v2/widget", true},
		{"go.bug.st/serial/...", "go.bug.st/serial", true},
		{"go.bug.st/serial/...", "go.bug.st/serial/enumerator", true},
		{"tradein/agent/store", "tradein/agent/store", true},
		{"tradein/sync/...", "tradein/sync/outbox", true},
		{"tradein/agent/store", "tradein/agent/storefront", false},
		{"tradein/sync/...", "tradein/synchronous", false},
		{"tradein/sync/...", "sync", false},
		{"tradein/agent", "tradein/agent/store", false},
		{"database/sql/...", "database/sql/driver", true},
		{"net/http/...", "net/http", true},
		{"net/http/...", "net/netip", false},
	}
	for _, c := range cases {
		if got := matchPattern(c.pat, c.path); got != c.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", c.pat, c.path, got, c.want)
		}
	}
}
