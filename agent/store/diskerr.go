package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"

	"tradein/agent"
)

// SQLite's primary result codes for a write the disk refused.
const (
	sqliteReadOnly = 8  // SQLITE_READONLY
	sqliteIOErr    = 10 // SQLITE_IOERR (extended codes carry the detail)
	sqliteFull     = 13 // SQLITE_FULL
)

// minFreeMB is the least free space asked for on a full disk, beyond the
// database's own size: room for the WAL to grow and for a few days of
// sales.
const minFreeMB = 64

// diskCause returns err re-stated by its real cause when the disk refused
// the write: a *agent.DiskFullError (naming how much to free) for a full
// disk, an agent.CodeReadOnly error for a read-only data directory or file
// system. Any other error is returned as it is. Without this the clerk
// saw "INTERNAL: save sale …" and field support "DAMAGED".
func (s *Store) diskCause(err error) error { return diskCauseAt(s.path, err) }

// diskCauseAt is diskCause for the database file at path.
func diskCauseAt(path string, err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	code := 0
	if errors.As(err, &se) {
		code = se.Code() & 0xff
	}
	dir := filepath.Dir(path)
	switch {
	case code == sqliteFull || errors.Is(err, syscall.ENOSPC):
		return &agent.DiskFullError{Dir: dir, NeedMB: needMB(path), Err: err}
	case code == sqliteReadOnly || errors.Is(err, syscall.EROFS):
		return agent.ReadOnlyError(dir, err)
	case code == sqliteIOErr && !writable(dir):
		return agent.ReadOnlyError(dir, err)
	}
	return err
}

// needMB is how much space to free: the database's size (a backup copy
// needs as much) plus minFreeMB.
func needMB(path string) int64 {
	var size int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			size += fi.Size()
		}
	}
	return (size+(1<<20)-1)>>20 + minFreeMB
}

// writable reports whether a file can be created in dir.
func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".writable-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}
