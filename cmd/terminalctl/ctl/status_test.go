package ctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatus(t *testing.T) {
	dir := newDataDir(t)
	r := run(t, dir, "", "status")
	if r.code != ExitOK {
		t.Fatalf("status: %s", r)
	}
	mustContain(t, r, "Data dir:", dir, "terminal ", "Schema version:", "3 item(s) waiting",
		"Offline sales:", "2, subsidy ¥1,000.00", "Oldest pending:", "Last sync:", "ago; newest \"sync.delivered\"",
		"Library version:", "Rules version:", "App running:")
	t.Log(r.stdout)
}

// TestStatusFreshInstall runs status on the data directory a package
// creates (empty): it says there is no database yet and does not tell
// support to restore a field.key that was never made.
func TestStatusFreshInstall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "status")
	mustContain(t, r, "no database", "not set up yet")
	for _, bad := range []string{"field.key", "field key"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("status on a fresh install mentions %q:\n%s", bad, r)
		}
	}
}
