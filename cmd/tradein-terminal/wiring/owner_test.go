//go:build !windows

package wiring

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func uidOf(t *testing.T, p string) uint32 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Uid
}

// TestGiveToDataDirOwner: as root, in a data directory that belongs to
// another account, root's files and folders (and a lock taken by root)
// go to that account; a hard link or symbolic link to a file elsewhere is
// left alone, so a planted link cannot make root give that file away; a
// folder that is no data directory is not touched.
func TestGiveToDataDirOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const shop = 65534
	base := t.TempDir()
	dir := filepath.Join(base, "data")
	outside := filepath.Join(base, "outside-secret")
	for _, f := range []string{outside} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := NewLayout(dir).Create(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, shop, shop); err != nil {
		t.Fatal(err)
	}
	l, err := LockDataDir(NewLayout(dir).Lock)
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	if got := uidOf(t, NewLayout(dir).Lock); got != shop {
		t.Errorf("lock made by root belongs to %d, want %d", got, shop)
	}
	own := filepath.Join(dir, "logs", "terminal.log")
	if err := os.WriteFile(own, []byte("log"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(outside, filepath.Join(dir, "hardlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "symlink")); err != nil {
		t.Fatal(err)
	}

	if err := GiveToDataDirOwner(dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{own, filepath.Join(dir, "logs"), filepath.Join(dir, "photos")} {
		if got := uidOf(t, p); got != shop {
			t.Errorf("%s belongs to %d, want %d", p, got, shop)
		}
	}
	if got := uidOf(t, outside); got != 0 {
		t.Errorf("the file outside the data directory was given to %d through a link", got)
	}
	if got := uidOf(t, filepath.Join(dir, "symlink")); got != 0 {
		t.Errorf("the symbolic link itself was given to %d", got)
	}

	// A folder of another account that is no data directory (no
	// terminal.db, no terminal.lock: a mistyped --data-dir) is left alone.
	home := filepath.Join(base, "home")
	if err := os.MkdirAll(filepath.Join(home, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, shop, shop); err != nil {
		t.Fatal(err)
	}
	if err := GiveToDataDirOwner(home); err != nil {
		t.Fatal(err)
	}
	if got := uidOf(t, filepath.Join(home, "sub")); got != 0 {
		t.Errorf("a folder that is no data directory: sub given to %d", got)
	}

	// A data directory root owns is left as it is.
	rootDir := filepath.Join(base, "rootdata")
	if err := NewLayout(rootDir).Create(); err != nil {
		t.Fatal(err)
	}
	if err := GiveToDataDirOwner(rootDir); err != nil {
		t.Fatal(err)
	}
	if got := uidOf(t, filepath.Join(rootDir, "logs")); got != 0 {
		t.Errorf("root's own data directory: logs given to %d", got)
	}
}
