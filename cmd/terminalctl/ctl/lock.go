package ctl

import (
	"errors"
	"fmt"
	"os"
)

// errLocked is returned by tryLock when another process (the app) holds
// terminal.lock.
var errLocked = errors.New("terminal.lock is held by another process")

// dirLock is terminal.lock taken by terminalctl. It is the same OS lock
// the app takes at start (wiring's lock.go: flock on Unix, LockFileEx on
// Windows), written here because wiring does not export it: while
// terminalctl holds it the app refuses to start, and while the app runs
// terminalctl cannot take it. The OS drops it if terminalctl dies.
type dirLock struct{ f *os.File }

// tryLock takes the lock at path without waiting.
func tryLock(path string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, errLocked
		}
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	return &dirLock{f: f}, nil
}

// release drops the lock.
func (l *dirLock) release() {
	if l != nil && l.f != nil {
		unlockFile(l.f)
		l.f.Close()
		l.f = nil
	}
}
