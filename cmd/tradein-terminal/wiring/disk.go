package wiring

import (
	"os"

	"tradein/agent"
)

// minFreeMB is the free space below which the data directory's disk counts
// as full, beyond the database's own size (a backup copy needs as much):
// room for the WAL to grow and for a few days of sales.
const minFreeMB = 64

// DiskCheck reports whether the data directory dir, holding the database
// db, can take writes: nil, an *agent.DiskFullError naming how much to
// free, or an agent.CodeReadOnly error. It only reads (statfs, access):
// terminalctl doctor uses it too. state is DiskState in the program; tests
// pass their own.
func DiskCheck(dir, db string, state func(dir string) (free uint64, readOnly bool, err error)) error {
	free, readOnly, err := state(dir)
	if err != nil {
		return nil // unknown: the writes themselves report their cause
	}
	if readOnly {
		return agent.ReadOnlyError(dir, nil)
	}
	var size int64
	for _, p := range []string{db, db + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			size += fi.Size()
		}
	}
	needMB := (size+(1<<20)-1)>>20 + minFreeMB
	if freeMB := int64(free >> 20); freeMB < needMB {
		return &agent.DiskFullError{Dir: dir, NeedMB: needMB - freeMB}
	}
	return nil
}
