package wiring

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// errLocked is returned by lockFile when another process holds the lock.
var errLocked = errors.New("locked by another process")

// ErrDataDirLocked matches (errors.Is) the error of LockDataDir when
// another process — the app, or terminalctl during a restore — holds the
// data directory's lock.
var ErrDataDirLocked = errors.New("data directory in use")

// DataDirLock holds terminal.lock in the data directory: the app holds it
// for its lifetime, terminalctl while it restores a backup. Two apps on one data directory would both drain the outbox and
// both print every queued receipt; the second start is refused instead.
// The OS releases the lock when the process dies, so a crash never leaves
// a stale lock behind.
type DataDirLock struct{ f *os.File }

// LockDataDir takes the lock at path without waiting, or says who to look for.
func LockDataDir(path string) (*DataDirLock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	// Made by root in the shop's data directory, the lock would keep the
	// shop's account from ever starting the app (owner.go).
	if err := giveFileToDirOwner(f, filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%w: another tradein-terminal is already running with this data directory (%s); "+
				"close it first (a second copy would print receipts twice)", ErrDataDirLocked, path)
		}
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	return &DataDirLock{f: f}, nil
}

// Release drops the lock. Safe on a nil lock and more than once.
func (l *DataDirLock) Release() {
	if l != nil && l.f != nil {
		unlockFile(l.f)
		l.f.Close()
		l.f = nil
	}
}
