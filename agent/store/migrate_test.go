package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"tradein/agent"
)

// embeddedVersion is the newest embedded schema version: the tests below
// add their own steps after it.
func embeddedVersion(t *testing.T) int {
	t.Helper()
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return migs[len(migs)-1].version
}

// withExtra returns the embedded migrations plus n test steps after them.
func withExtra(t *testing.T, n int) []migration {
	t.Helper()
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	base := len(migs)
	for i := 1; i <= n; i++ {
		v := base + i
		migs = append(migs, migration{version: v, name: fmt.Sprintf("%04d_test.sql", v),
			sql: fmt.Sprintf("ALTER TABLE sales ADD COLUMN test_col_%d INTEGER NOT NULL DEFAULT %d;", v, v)})
	}
	return migs
}

func TestMigrateFromEmptyAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "terminal.db")
	clk := newStepClock()
	opt := Options{Logger: quiet, Cipher: testCipher(t), Clock: clk}
	s, err := Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	migs, _ := embeddedMigrations()
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(migs) {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	for _, table := range []string{"products", "library_meta", "library_staging", "product_staging", "rules",
		"sales", "trade_ins", "pickups", "outbox", "print_jobs", "staff", "audit_log"} {
		if n := count(t, s, "sqlite_master", "type = 'table' AND name = ?", table); n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	if runtime.GOOS != "windows" {
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, %v; want 0600", filepath.Base(f), fi.Mode().Perm(), err)
			}
		}
	}
	// The pragmas of every connection: TestPragmasOnEveryConnection.
	sale := testSale(1, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Re-opening at the same version migrates nothing and backs nothing up.
	s, err = Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Sale(ctx, sale.OrderNo); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "backups")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("re-open made a backup directory: %v", err)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != 1 {
		t.Fatalf("VerifyAudit = %d, %v", n, err)
	}
}

func TestNewerDatabaseRefusedUntouched(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "future.db")
	// A database from a future program, in rollback-journal mode.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE future (x)", "INSERT INTO future VALUES (1)",
		"PRAGMA user_version = 99", fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	before, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)

	_, err = Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if !errors.Is(err, ErrSchemaTooNew) || agent.CodeOf(err) != CodeSchemaTooNew {
		t.Fatalf("Open of a newer database: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "99") || !strings.Contains(msg, "not modified") {
		t.Fatalf("message does not explain: %s", msg)
	}
	after, _ := os.ReadFile(path)
	if sha256.Sum256(before) != sha256.Sum256(after) {
		t.Fatal("the newer database was modified")
	}
	fi2, _ := os.Stat(path)
	if !fi2.ModTime().Equal(fi.ModTime()) {
		t.Fatal("the newer database's modification time changed")
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left next to the refused database: %v", suffix, err)
		}
	}
	if !bytes.Equal(before[18:20], []byte{1, 1}) { // header bytes 18-19: 1,1 = rollback journal (2,2 = WAL)
		t.Fatalf("file format bytes = %v", before[18:20])
	}
}

func TestForeignDatabaseRefusedUntouched(t *testing.T) {
	for name, setup := range map[string][]string{
		"another program's":        {"CREATE TABLE vouchers (id)", "PRAGMA application_id = 42"},
		"unmarked, with tables":    {"CREATE TABLE sales (order_no)", "INSERT INTO sales VALUES ('X')"},
		"ours at version 0, empty": nil,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "other.db")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec("PRAGMA user_version = 0"); err != nil {
				t.Fatal(err)
			}
			for _, q := range setup {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			before, _ := os.ReadFile(path)
			s, err := Open(context.Background(), path, Options{Logger: quiet, Cipher: testCipher(t)})
			if setup == nil { // an empty SQLite file is fine to initialise
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			if agent.CodeOf(err) != CodeForeignDatabase || !strings.Contains(err.Error(), "not modified") {
				t.Fatalf("Open of a foreign database: %v", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatal("the foreign database was modified")
			}
		})
	}
}

func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(path, bytes.Repeat([]byte("junk"), 1024), 0o600)
	if _, err := Open(context.Background(), path, Options{Logger: quiet, Cipher: testCipher(t)}); err == nil {
		t.Fatal("opened a file that is not a database")
	}
}

func TestUpgradeBacksUpAndPrunes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "terminal.db")
	backups := filepath.Join(dir, "bk")
	clk := newStepClock()
	opt := Options{Logger: quiet, Cipher: testCipher(t), Clock: clk, BackupDir: backups, KeepBackups: 2}
	base := embeddedVersion(t)

	s, err := Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	sale := testSale(1, clk.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Unrelated files in the backup directory are never pruned.
	os.MkdirAll(backups, 0o700)
	os.WriteFile(filepath.Join(backups, "other-v1-20200101T000000.000000000Z.db"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(backups, "notes.txt"), []byte("x"), 0o600)

	// Upgrade to base+1: one backup of base, which is a complete copy.
	clk.Advance(time.Hour)
	s, err = openWith(ctx, path, opt, withExtra(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SchemaVersion(ctx); v != base+1 {
		t.Fatalf("version after upgrade = %d", v)
	}
	if got, err := s.Sale(ctx, sale.OrderNo); err != nil || got.Consumer.Phone != secretPhone {
		t.Fatalf("sale after upgrade: %v", err)
	}
	s.Close()
	list, _ := filepath.Glob(filepath.Join(backups, "terminal-v*.db"))
	if len(list) != 1 || !strings.Contains(list[0], fmt.Sprintf("terminal-v%d-20260301T103000.000000000Z.db", base)) {
		t.Fatalf("backups = %v", list)
	}
	old, err := Open(ctx, list[0], Options{Logger: quiet, Cipher: testCipher(t), BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := old.Sale(ctx, sale.OrderNo); err != nil || got.Consumer.AuthCode != secretAuthCode {
		t.Fatalf("sale in the backup: %v", err)
	}
	if n, err := old.VerifyAudit(ctx); err != nil || n != 1 {
		t.Fatalf("backup audit: %d %v", n, err)
	}
	old.Close()

	// Three more upgrades: only the newest two backups stay.
	for k := 2; k <= 4; k++ {
		clk.Advance(time.Hour)
		s, err := openWith(ctx, path, opt, withExtra(t, k))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	list, _ = filepath.Glob(filepath.Join(backups, "terminal-v*.db"))
	if len(list) != 2 || !strings.Contains(list[0], fmt.Sprintf("terminal-v%d-", base+2)) ||
		!strings.Contains(list[1], fmt.Sprintf("terminal-v%d-", base+3)) {
		t.Fatalf("after pruning: %v", list)
	}
	for _, f := range []string{"other-v1-20200101T000000.000000000Z.db", "notes.txt"} {
		if _, err := os.Stat(filepath.Join(backups, f)); err != nil {
			t.Fatalf("pruning removed %s", f)
		}
	}
}

// TestFailedMigrationRollsBack: a step that fails leaves the database at
// the previous version with its data, and the backup in place.
func TestFailedMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "terminal.db")
	opt := Options{Logger: quiet, Cipher: testCipher(t), Clock: newStepClock()}
	s, err := Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	sale := testSale(1, time.Now())
	if err := s.SaveSale(ctx, sale, auditFor(sale)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	base := embeddedVersion(t)
	migs := withExtra(t, 1)
	migs[base].sql = "CREATE TABLE half_done (x); THIS IS NOT SQL;"
	if _, err := openWith(ctx, path, opt, migs); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%04d_test.sql", base+1)) {
		t.Fatalf("broken migration: %v", err)
	}
	s, err = Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(ctx); v != base {
		t.Fatalf("version = %d", v)
	}
	if n := count(t, s, "sqlite_master", "name = 'half_done'"); n != 0 {
		t.Fatal("half a migration was kept")
	}
	if _, err := s.Sale(ctx, sale.OrderNo); err != nil {
		t.Fatal(err)
	}
	if list, _ := filepath.Glob(filepath.Join(dir, "backups", fmt.Sprintf("terminal-v%d-*.db", base))); len(list) != 1 {
		t.Fatalf("backups = %v", list)
	}
}

func TestCheckMigrations(t *testing.T) {
	if _, err := checkMigrations([]migration{{version: 1}, {version: 3, name: "0003_x.sql"}}); err == nil {
		t.Fatal("gap accepted")
	}
	if _, err := checkMigrations(nil); err == nil {
		t.Fatal("empty list accepted")
	}
	migs, err := checkMigrations([]migration{{version: 2}, {version: 1}})
	if err != nil || migs[0].version != 1 {
		t.Fatalf("sorting: %v %v", migs, err)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	for i := 0; i < 50; i++ {
		sale := testSale(i, clk.Now())
		if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		for i := 50; i < 150; i++ {
			sale := testSale(i, clk.Now())
			if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	dst := filepath.Join(t.TempDir(), "live.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dst); err == nil {
		t.Fatal("backup over an existing file accepted")
	}
	b, err := Open(ctx, dst, Options{Logger: quiet, Cipher: testCipher(t), BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := b.VerifyAudit(ctx)
	if err != nil || n < 50 || n != count(t, b, "sales", "") || n != count(t, b, "outbox", "") {
		t.Fatalf("backup: %d audit entries, %v", n, err)
	}
}
