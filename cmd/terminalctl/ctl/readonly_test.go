package ctl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"tradein/cmd/tradein-terminal/wiring"
)

// folderState lists every file under dir with size, mode and modification
// time: what doctor must leave exactly as it found it.
func folderState(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		lines = append(lines, fmt.Sprintf("%s %d %v %d", rel, fi.Size(), fi.Mode(), fi.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestDoctorEmptyDatabaseFailsAndWritesNothing: a terminal.db truncated
// to 0 bytes is a failure naming the newest backup to restore, and doctor
// leaves the 0-byte file as it is (before, it migrated the empty file and
// reported ✓).
func TestDoctorEmptyDatabaseFailsAndWritesNothing(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	if r := run(t, dir, "", "backup"); r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	bak := l.NewestBackup()
	if bak == "" {
		t.Fatal("no backup written")
	}
	if err := os.Truncate(l.DB, 0); err != nil {
		t.Fatal(err)
	}
	os.Remove(l.DB + "-wal")
	os.Remove(l.DB + "-shm")
	before := folderState(t, dir)
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor with an empty database: %s", r)
	}
	mustContain(t, r, "✗ 数据库 Database: EMPTY", "terminalctl restore "+bak)
	if after := folderState(t, dir); after != before {
		t.Errorf("doctor changed the data directory:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestDoctorMissingDatabaseOfEnrolledTerminal: an enrolled installation
// without terminal.db is not "a wrong --data-dir": doctor says the
// database is gone and names the backup to restore, creating nothing.
func TestDoctorMissingDatabaseOfEnrolledTerminal(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	if r := run(t, dir, "", "backup"); r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	for _, p := range []string{l.DB, l.DB + "-wal", l.DB + "-shm"} {
		os.Remove(p)
	}
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor without a database: %s", r)
	}
	mustContain(t, r, "✗ 数据库 Database: MISSING", "terminalctl restore "+l.NewestBackup())
	if _, err := os.Stat(l.DB); err == nil {
		t.Fatal("doctor created a database")
	}
}

// TestDoctorHealthyWritesNothing: on a closed, healthy installation doctor
// reads the database without changing a byte of the data directory (no
// -wal or -shm, no migration, no lock file).
func TestDoctorHealthyWritesNothing(t *testing.T) {
	dir := newDataDir(t)
	before := folderState(t, dir)
	r := run(t, dir, "", "doctor")
	mustContain(t, r, "✓ 数据库 Database", "✓ 审计链 Audit chain")
	if after := folderState(t, dir); after != before {
		t.Errorf("doctor changed the data directory:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// runDisk runs terminalctl with the data directory's disk reported by
// state.
func runDisk(t *testing.T, dir string, state func(string) (uint64, bool, error), args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, append([]string{"--data-dir", dir}, args...), Env{Stdout: &out, Stderr: &errb,
		Clock: fixedClock{testNow}, PortLister: noPorts, DiskState: state})
	return result{code, out.String(), errb.String()}
}

// TestDoctorNamesDiskTrouble: a read-only data directory and a full disk
// are named as such by doctor (before: "DAMAGED … contact support"), and
// the database itself still reads as healthy, because it is.
func TestDoctorNamesDiskTrouble(t *testing.T) {
	dir := newDataDir(t)
	r := runDisk(t, dir, func(string) (uint64, bool, error) { return 5 << 30, true, nil }, "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor on a read-only data directory: %s", r)
	}
	mustContain(t, r, "✗ 磁盘 Disk space: READ-ONLY", "remount", "✓ 数据库 Database", "✓ 审计链 Audit chain")
	if strings.Contains(r.stdout, "DAMAGED") {
		t.Errorf("a read-only directory reported as damaged: %s", r)
	}

	r = runDisk(t, dir, func(string) (uint64, bool, error) { return 3 << 20, false, nil }, "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor on a full disk: %s", r)
	}
	mustContain(t, r, "✗ 磁盘 Disk space: DISK FULL", "free at least")

	// A backup of a read-only data directory goes to another disk.
	r = runDisk(t, dir, func(string) (uint64, bool, error) { return 5 << 30, true, nil }, "backup")
	if r.code != ExitProblem {
		t.Fatalf("backup into a read-only data directory: %s", r)
	}
	mustContain(t, r, "read-only", "--out")
	out := filepath.Join(t.TempDir(), "copy.db")
	if r := runDisk(t, dir, func(string) (uint64, bool, error) { return 5 << 30, true, nil }, "backup", "--out", out); r.code != ExitOK {
		t.Fatalf("backup --out from a read-only data directory: %s", r)
	}
}

// TestReadOnlyCommandsOnAReadOnlyDatabase: queue list, status and backup
// only read, so they work when the database file cannot be written (a
// read-only file stands in for a read-only mount: they open it read-only
// and create no -wal or -shm beside it).
func TestReadOnlyCommandsOnAReadOnlyDatabase(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	before := folderState(t, dir)
	if r := run(t, dir, "", "queue", "list"); r.code != ExitOK || !strings.Contains(r.stdout, "待同步") {
		t.Fatalf("queue list: %s", r)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if r := run(t, dir, "", "backup", "--out", out); r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	if after := folderState(t, dir); after != before {
		t.Errorf("reading commands changed the data directory:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := os.Stat(l.DB + "-wal"); err == nil {
		t.Error("a -wal file was created")
	}
}
