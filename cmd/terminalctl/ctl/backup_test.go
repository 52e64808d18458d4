package ctl

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/tradein-terminal/wiring"
)

// TestBackupRestoreRoundTrip backs up, changes the database (one more
// sale), restores the backup and checks that the database is the backed
// up one again and the changed one was kept.
func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := newDataDir(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	r := run(t, dir, "", "backup", "--out", out)
	if r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	mustContain(t, r, "Backup written: "+out, "Verified: integrity_check ok, audit chain of")
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	if r := run(t, dir, "", "backup", "--out", out); r.code != ExitProblem || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("backup over an existing file: %s", r)
	}

	// A sale made after the backup.
	c := &cli{env: Env{Clock: fixedClock{testNow}}, layout: wiring.NewLayout(dir), log: quiet}
	ctx := context.Background()
	s, err := c.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	late := testSale(99, testNow)
	if err := s.SaveSale(ctx, late, agent.AuditEntry{Actor: "1001", Action: "sale.commit"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	r = run(t, dir, "", "restore", out)
	if r.code != ExitOK {
		t.Fatalf("restore: %s", r)
	}
	mustContain(t, r, "Restored "+out, "The previous database is kept as "+filepath.Join(dir, "backups", "terminal-pre-restore-"),
		"audit chain of", "3 item(s) wait for the platform")

	s, err = c.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Sale(ctx, late.OrderNo); err == nil {
		t.Fatal("the sale made after the backup is still there: the restore did not happen")
	}
	if _, err := s.Sale(ctx, testSale(1, testNow).OrderNo); err != nil {
		t.Fatalf("a sale of the backup is missing: %v", err)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "backups", "terminal-pre-restore-*.db"))
	if len(kept) != 1 {
		t.Fatalf("pre-restore copies: %v", kept)
	}
}

// TestRestoreRefusedWhileAppRuns holds terminal.lock with the real app.
func TestRestoreRefusedWhileAppRuns(t *testing.T) {
	dir := newDataDir(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	if r := run(t, dir, "", "backup", "--out", out); r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	ctx := context.Background()
	a, err := wiring.New(ctx, wiring.Options{DataDir: dir, PortLister: noPorts})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(wiring.NewLayout(dir).DB)
	r := run(t, dir, "", "restore", out)
	if r.code != ExitProblem {
		t.Fatalf("restore while the app runs: %s", r)
	}
	mustContain(t, r, "RESTORE REFUSED", "the terminal app is running", "Close the app", "--force")
	after, _ := os.ReadFile(wiring.NewLayout(dir).DB)
	if string(before) != string(after) {
		t.Fatal("the refused restore changed the database")
	}
	if pre, _ := filepath.Glob(filepath.Join(dir, "backups", "*pre-restore*")); len(pre) != 0 {
		t.Fatalf("the refused restore wrote %v", pre)
	}
	// status sees the app.
	mustContain(t, run(t, dir, "", "status"), "yes (terminal.lock held)")

	// --force restores anyway, with the warning.
	r = run(t, dir, "", "restore", out, "--force")
	if r.code != ExitOK {
		t.Fatalf("restore --force while the app runs: %s", r)
	}
	mustContain(t, r, "WARNING: --force: the app is running; restart it right after the restore", "Restored")
	a.Close()
	if r := run(t, dir, "", "doctor"); !strings.Contains(r.stdout, "✓ 审计链 Audit chain") {
		t.Fatalf("after a forced restore and the app's close: %s", r)
	}

	// With the app closed the lock is free and the restore goes through;
	// while terminalctl restores, the app cannot start.
	if r := runAt(t, testNow.Add(time.Minute), dir, "", "restore", out); r.code != ExitOK {
		t.Fatalf("restore after the app closed: %s", r)
	}
}

// TestRestoreRefusesBrokenBackup: a backup whose audit chain was edited is
// refused and the database is left alone.
func TestRestoreRefusesBrokenBackup(t *testing.T) {
	dir := newDataDir(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	if r := run(t, dir, "", "backup", "--out", out); r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	db, err := sql.Open("sqlite", out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'someone' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := run(t, dir, "", "restore", out)
	if r.code != ExitProblem {
		t.Fatalf("restore of an edited backup: %s", r)
	}
	mustContain(t, r, "restore refused, nothing was changed", "audit chain broken at seq 2")
	if r := run(t, dir, "", "status"); !strings.Contains(r.stdout, "3 item(s) waiting") {
		t.Fatalf("database changed by a refused restore: %s", r)
	}
}

func TestUsage(t *testing.T) {
	dir := newDataDir(t)
	for _, args := range [][]string{{}, {"frobnicate"}, {"restore"}, {"queue"}, {"queue", "list", "--limit", "x"}, {"staff", "reset-pin"}} {
		if r := run(t, dir, "", args...); r.code != ExitUsage || !strings.Contains(r.stderr, "usage: terminalctl") {
			t.Errorf("%v: %s", args, r)
		}
	}
	var r result
	r.code = Run(context.Background(), []string{"--version"}, Env{Stdout: &strings.Builder{}})
	if r.code != ExitOK {
		t.Fatalf("--version exit %d", r.code)
	}
}
