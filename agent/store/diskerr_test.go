package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/agent"
)

// TestFullDiskIsNamed: a commit the disk cannot take (SQLite's
// SQLITE_FULL, here from a page limit on the write connection) comes back
// as DISK_FULL naming how much to free, not as an internal error; nothing
// of the commit is written.
func TestFullDiskIsNamed(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	var pages int
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		sale := testSale(i, time.Now())
		sale.OrderNo = fmt.Sprintf("FULL-%04d", i)
		sale.SN = strings.Repeat("S", 30) + fmt.Sprint(i)
		err = s.SaveSale(ctx, sale, auditFor(sale), commitItem(t, sale))
	}
	if agent.CodeOf(err) != agent.CodeDiskFull {
		t.Fatalf("save on a full disk: %v, want %s", err, agent.CodeDiskFull)
	}
	var full *agent.DiskFullError
	if !errors.As(err, &full) || full.NeedMB < minFreeMB || full.Dir != filepath.Dir(s.Path()) {
		t.Fatalf("disk-full error %#v: want the data directory and how much to free", full)
	}
	if !strings.Contains(err.Error(), "free at least") {
		t.Errorf("message %q does not say how much to free", err)
	}
}

// TestReadOnlyWriteIsNamed: a write SQLite refuses as read-only comes back
// as DATA_READ_ONLY naming the data directory.
func TestReadOnlyWriteIsNamed(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	path := s.Path()
	s.Close()
	ro, err := OpenReadOnly(ctx, path, Options{Cipher: testCipher(t), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = ro.Audit(ctx, agent.AuditEntry{At: time.Now(), Actor: "1001", Action: "test"})
	if agent.CodeOf(err) != agent.CodeReadOnly || !strings.Contains(err.Error(), filepath.Dir(path)) {
		t.Fatalf("write to a read-only database: %v, want %s naming the folder", err, agent.CodeReadOnly)
	}
}
