package wiring

import (
	"errors"
	"fmt"
	"os"
)

// errLocked is returned by lockFile when another process holds the lock.
var errLocked = errors.New("locked by another process")

// dataDirLock holds terminal.lock in the data directory for the App's
// lifetime. Two apps on one data directory would both drain the outbox and
// both print every queued receipt; the second start is refused instead.
// The OS releases the lock when the process dies, so a crash never leaves
// a stale lock behind.
type dataDirLock struct{ f *os.File }

// lockDataDir takes the lock or says who to look for.
func lockDataDir(path string) (*dataDirLock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("another tradein-terminal is already running with this data directory (%s); "+
				"close it first (a second copy would print receipts twice)", path)
		}
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	return &dataDirLock{f: f}, nil
}

// release drops the lock.
func (l *dataDirLock) release() {
	if l != nil && l.f != nil {
		unlockFile(l.f)
		l.f.Close()
		l.f = nil
	}
}
