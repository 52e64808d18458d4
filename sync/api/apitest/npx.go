package apitest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The third-party tools the contract tests run from the npm registry
// through npx, pinned. `make test` installs node and npm (the Makefile's
// deps target); npx then fetches each tool into NPMEnv's cache on first
// use, and later runs start from the cache.
//
// Redocly CLI lints openapi.yaml (sync/api, TestSpecLint, which also picks
// the 1.x line on Node < 20.19). Stoplight Prism serves a mock built from
// openapi.yaml alone (sync/contract); 5.14.2 is the last release that runs
// on Node 18 and 20 (5.16 needs Node 24).
const (
	RedoclyCLI       = "@redocly/cli@2.77.0"
	RedoclyCLINode18 = "@redocly/cli@1.34.5"
	PrismCLI         = "@stoplight/prism-cli@5.14.2"
)

// NPMEnv is the environment for running the pinned tools: the process's
// own, plus one npm cache in the temp dir shared by every test run (a tool
// is downloaded once), no update notifier and no colours.
func NPMEnv() []string {
	return append(os.Environ(), "npm_config_cache="+filepath.Join(os.TempDir(), "tradein-npm-cache"),
		"npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false", "NO_COLOR=1")
}

// NPX returns the path of npx. Without one the test is skipped on a
// developer machine with a message that says what is missing, and fails in
// CI (CI=true), where node and npm are part of the toolchain.
func NPX(t testing.TB, what string) string {
	t.Helper()
	npx, err := exec.LookPath("npx")
	if err == nil {
		return npx
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s needs npx (node and npm, which `make deps` installs): %v", what, err)
	}
	t.Skipf("%s skipped: npx not found (install node and npm, e.g. `make deps`)", what)
	return ""
}
