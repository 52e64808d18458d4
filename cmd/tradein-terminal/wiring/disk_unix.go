//go:build !windows

package wiring

import (
	"errors"

	"golang.org/x/sys/unix"
)

// DiskState returns the bytes available to this user on the file system
// holding dir, and whether dir cannot be written: a file system mounted
// read-only, or permissions that deny this user. It writes nothing.
func DiskState(dir string) (free uint64, readOnly bool, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	err = unix.Access(dir, unix.W_OK)
	readOnly = errors.Is(err, unix.EROFS) || errors.Is(err, unix.EACCES)
	return st.Bavail * uint64(st.Bsize), readOnly, nil
}
