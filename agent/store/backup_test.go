package store

import (
	"context"
	"os"
	"testing"
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
