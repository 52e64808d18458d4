package ctl

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/sync/outbox"
)

// TestPurgeCheck covers the answers the package manager acts on before it
// deletes a data directory: nothing there (yes), sales still queued (no),
// the app running (no), everything delivered and the app closed (yes).
func TestPurgeCheck(t *testing.T) {
	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := os.Mkdir(fresh, 0o700); err != nil {
		t.Fatal(err)
	}
	if r := run(t, fresh, "", "purge-check"); r.code != ExitOK {
		t.Errorf("fresh install: %s", r)
	}
	if _, err := os.Stat(filepath.Join(fresh, "terminal.lock")); !os.IsNotExist(err) {
		t.Errorf("purge-check made a lock file in an empty data directory: %v", err)
	}

	dir := newDataDir(t) // three items wait for the platform
	r := run(t, dir, "", "purge-check")
	if r.code != ExitProblem {
		t.Errorf("queued sales: %s", r)
	}
	mustContain(t, r, "keep "+dir, "3 item(s) have not reached the platform", "2 offline sale(s)", "queue list")

	deliverAll(t, dir)
	l, err := wiring.LockDataDir(wiring.NewLayout(dir).Lock)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, "", "purge-check")
	l.Release()
	if r.code != ExitProblem {
		t.Errorf("app running: %s", r)
	}
	mustContain(t, r, "the app is running")

	if r := run(t, dir, "", "purge-check"); r.code != ExitOK {
		t.Errorf("all delivered, app closed: %s", r)
	}
}

// TestPurgeCheckKeepsUnreadable: a database that cannot be opened (here:
// its field key is gone) is kept, never judged empty.
func TestPurgeCheckKeepsUnreadable(t *testing.T) {
	dir := newDataDir(t)
	if err := os.Remove(wiring.NewLayout(dir).FieldKey); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "purge-check")
	if r.code != ExitProblem {
		t.Fatalf("unreadable database: %s", r)
	}
	mustContain(t, r, "cannot be read")
}

// deliverAll marks every outbox item of dir delivered, as the drainer does.
func deliverAll(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	l := wiring.NewLayout(dir)
	key, err := agent.LoadOrCreateKey(l.FieldKey)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := agent.NewFieldCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, l.DB, store.Options{Cipher: ci, Logger: quiet, BackupDir: l.Backups, Clock: fixedClock{testNow}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.OutboxItems(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := s.CompleteOutbox(ctx, it.Seq, nil, agent.AuditEntry{At: testNow, Actor: "system",
			Action: outbox.ActionDelivered, Subject: it.OrderNo}); err != nil {
			t.Fatal(err)
		}
	}
}
