package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"tradein/agent"
)

// dirState lists every file under dir with its size and modification
// time, to show that something changed nothing.
func dirState(t *testing.T, dir string) string {
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
		lines = append(lines, fmt.Sprintf("%s %d %d", rel, fi.Size(), fi.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestOpenReadOnlyReadsAndBacksUpWithoutWriting: a closed database opened
// read-only answers reads (audit chain, integrity, queue) and makes a
// backup elsewhere, refuses writes, and leaves its folder exactly as it
// was: no -wal, no -shm, no migration.
func TestOpenReadOnlyReadsAndBacksUpWithoutWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "terminal.db")
	s, err := Open(ctx, path, Options{Cipher: testCipher(t), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Audit(ctx, agent.AuditEntry{At: time.Unix(int64(1000+i), 0), Actor: "1001", Action: "test", Subject: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	before := dirState(t, dir)

	ro, err := OpenReadOnly(ctx, path, Options{Cipher: testCipher(t), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := ro.VerifyAudit(ctx); err != nil || n != 3 {
		t.Errorf("VerifyAudit = %d, %v; want 3 entries", n, err)
	}
	if err := ro.IntegrityCheck(ctx); err != nil {
		t.Errorf("IntegrityCheck: %v", err)
	}
	if _, err := ro.Pending(ctx); err != nil {
		t.Errorf("Pending: %v", err)
	}
	if err := ro.Audit(ctx, agent.AuditEntry{At: time.Unix(2000, 0), Actor: "1001", Action: "test"}); err == nil {
		t.Error("a write through a read-only store succeeded")
	}
	bak := filepath.Join(t.TempDir(), "copy.db")
	if err := ro.Backup(ctx, bak); err != nil {
		t.Errorf("Backup from a read-only store: %v", err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if after := dirState(t, dir); after != before {
		t.Errorf("the data folder changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	cp, err := OpenReadOnly(ctx, bak, Options{Cipher: testCipher(t), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, err := cp.VerifyAudit(ctx); err != nil || n != 3 {
		t.Errorf("backup: VerifyAudit = %d, %v; want 3 entries", n, err)
	}
}

// TestOpenReadOnlyRefusesMissingAndEmpty: no file, a 0-byte file and a
// SQLite file without the schema are refused with their own codes, and
// nothing is created or migrated.
func TestOpenReadOnlyRefusesMissingAndEmpty(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opt := Options{AllowPlaintextForTests: true, Logger: quiet}

	missing := filepath.Join(dir, "missing.db")
	if _, err := OpenReadOnly(ctx, missing, opt); agent.CodeOf(err) != CodeNoDatabase {
		t.Errorf("missing file: err = %v, want %s", err, CodeNoDatabase)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("OpenReadOnly created %s", missing)
	}

	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	before := dirState(t, dir)
	if _, err := OpenReadOnly(ctx, empty, opt); agent.CodeOf(err) != CodeEmptyDatabase {
		t.Errorf("0-byte file: err = %v, want %s", err, CodeEmptyDatabase)
	}
	if after := dirState(t, dir); after != before {
		t.Errorf("the folder changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 40)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(ctx, garbage, opt); err == nil {
		t.Error("a file that is not a database opened")
	}
}
