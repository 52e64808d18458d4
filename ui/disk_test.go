package ui

import (
	"errors"
	"testing"

	"tradein/agent"
	"tradein/ui/i18n"
)

// TestStatusBarShowsDiskTrouble: a full disk or a read-only data
// directory is shown in the status bar, before a sale fails on it, and a
// failing commit names the real cause to the clerk instead of an internal
// error.
func TestStatusBarShowsDiskTrouble(t *testing.T) {
	f := newFixture(t)
	var disk error
	term, err := agent.NewTerminal(agent.Deps{Store: f.store, Outbox: f.store, Library: f.store, Printer: f.printer,
		Platform: f.platform, Clock: f.clock, PlatformKey: f.codes.Pub, PhotosDir: t.TempDir(),
		Info: agent.StoreInfo{MerchantNo: "M100", TerminalNo: "T0001", StoreName: "朝阳门店", CountyCode: "110105"},
		Disk: func() error { return disk }})
	if err != nil {
		t.Fatal(err)
	}
	f.term = term
	f.open()
	full := i18n.T("status.disk_full", 120)
	readOnly := i18n.T("status.read_only")
	if f.shows(full) || f.shows(readOnly) {
		t.Fatal("disk trouble shown while the disk is fine")
	}
	disk = &agent.DiskFullError{Dir: "/var/lib/tradein-terminal", NeedMB: 120, Err: errors.New("database or disk is full")}
	f.refreshStatus()
	f.mustShow(full)
	if st := f.term.Status(f.ctx); len(st.Problems) == 0 {
		t.Error("Status.Problems does not list the full disk")
	}
	disk = agent.ReadOnlyError("/var/lib/tradein-terminal", nil)
	f.refreshStatus()
	f.mustShow(readOnly)
	disk = nil
	f.refreshStatus()
	if f.shows(full) || f.shows(readOnly) {
		t.Error("disk trouble still shown after it was fixed")
	}

	// The clerk's sentence for a save the full disk refused.
	if got := i18n.Error(&agent.DiskFullError{Dir: "/d", NeedMB: 75}); got != i18n.T("err.disk_full_mb", 75) {
		t.Errorf("sentence of a full disk: %q", got)
	}
	if got := i18n.Error(agent.ReadOnlyError("/d", nil)); got != i18n.T("err.DATA_READ_ONLY") {
		t.Errorf("sentence of a read-only directory: %q", got)
	}
}
