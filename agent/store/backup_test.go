package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tradein/agent"
)

// TestIntegrityCheckDetectsCorruption overwrites part of the file (as a
// failing disk would) and checks that the damage is reported.
func TestIntegrityCheckDetectsCorruption(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	for i := 0; i < 300; i++ {
		sale := testSale(i, clk.Now())
		if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("healthy database: %v", err)
	}
	path := s.Path()
	s.Close()

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	const page = 4096
	pages := fi.Size() / page
	if pages < 10 {
		t.Fatalf("only %d pages", pages)
	}
	junk := make([]byte, page)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	// Damage pages in the second half (sales and index b-tree pages),
	// leaving page 1 (header and schema) intact so the file still opens.
	for p := pages / 2; p < pages; p += 3 {
		if _, err := f.WriteAt(junk, p*page); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	s2, err := Open(ctx, path, Options{Logger: quiet, Cipher: testCipher(t)})
	if err != nil {
		return // refusing to open a corrupt file is also a clear report
	}
	defer s2.Close()
	if err := s2.IntegrityCheck(ctx); err == nil {
		t.Fatal("integrity check passed on a damaged file")
	} else {
		t.Log(err)
	}
}

func TestRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "terminal.db")
	clk := newStepClock()
	opt := Options{Logger: quiet, Cipher: testCipher(t), Clock: clk}
	s, err := Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	save := func(from, to int) {
		for i := from; i < to; i++ {
			sale := testSale(i, clk.Now())
			if err := s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale)); err != nil {
				t.Fatal(err)
			}
		}
	}
	save(0, 10)
	good := filepath.Join(dir, "good.db")
	if err := s.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	save(10, 15)
	// A backup whose audit log was edited afterwards.
	bad := filepath.Join(dir, "bad.db")
	if err := s.Backup(ctx, bad); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, _ := sql.Open("sqlite", bad)
	if _, err := db.Exec(`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	before, _ := os.ReadFile(path)
	if err := Restore(ctx, bad, path, opt); !errors.Is(err, ErrAuditBroken) {
		t.Fatalf("restore of a tampered backup: %v", err)
	}
	if err := Restore(ctx, filepath.Join(dir, "missing.db"), path, opt); err == nil {
		t.Fatal("restore of a missing file succeeded")
	}
	if err := Restore(ctx, path, path, opt); agent.CodeOf(err) != agent.CodeInvalidRequest {
		t.Fatalf("restore onto itself: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a refused restore changed the database")
	}

	clk.Advance(time.Hour)
	goodBefore, _ := os.ReadFile(good)
	if err := Restore(ctx, good, path, opt); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(good); !bytes.Equal(goodBefore, after) {
		t.Fatal("restore changed its source")
	}
	s, err = Open(ctx, path, opt)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "sales", ""); n != 10 {
		t.Fatalf("restored sales = %d, want 10", n)
	}
	if n, err := s.VerifyAudit(ctx); err != nil || n != 10 {
		t.Fatalf("restored audit: %d, %v", n, err)
	}
	s.Close()
	kept, _ := filepath.Glob(filepath.Join(dir, "backups", "terminal-pre-restore-*.db"))
	if len(kept) != 1 {
		t.Fatalf("pre-restore copies: %v", kept)
	}
	k, err := Open(ctx, kept[0], Options{Logger: quiet, Cipher: testCipher(t), BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if n := count(t, k, "sales", ""); n != 15 {
		t.Fatalf("pre-restore copy has %d sales, want 15", n)
	}
}
