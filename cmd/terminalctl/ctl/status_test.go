package ctl

import (
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
