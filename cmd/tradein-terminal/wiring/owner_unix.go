//go:build !windows

package wiring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// dirOwner returns the owner of dir when this process runs as root and dir
// belongs to another account; ok is false when there is nothing to do.
func dirOwner(dir string) (uid, gid int, ok bool) {
	if os.Geteuid() != 0 {
		return 0, 0, false
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil || st.Uid == 0 {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

func giveToDirOwner(dir string) error {
	uid, gid, ok := dirOwner(dir)
	if !ok {
		return nil
	}
	// Only a data directory (one the app or terminalctl has used): a
	// mistyped --data-dir naming, say, a home folder is left alone.
	l := NewLayout(dir)
	if _, err := os.Lstat(l.DB); err != nil {
		if _, err := os.Lstat(l.Lock); err != nil {
			return nil
		}
	}
	var errs []error
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if p == dir || !(d.Type().IsRegular() || d.IsDir()) {
			return nil
		}
		flags := syscall.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC | syscall.O_NONBLOCK
		if d.IsDir() {
			flags |= syscall.O_DIRECTORY
		}
		fd, err := syscall.Open(p, flags, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			return nil
		}
		defer syscall.Close(fd)
		if err := fchownIfRoots(fd, uid, gid); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
		}
		return nil
	})
	if len(errs) > 0 {
		return fmt.Errorf("give the data directory's files to its owner (uid %d): %w", uid, errors.Join(errs...))
	}
	return nil
}

// giveFileToDirOwner gives the open file f, just created in dir, to dir's
// owner under the same conditions as giveToDirOwner.
func giveFileToDirOwner(f *os.File, dir string) error {
	uid, gid, ok := dirOwner(dir)
	if !ok {
		return nil
	}
	return fchownIfRoots(int(f.Fd()), uid, gid)
}

// fchownIfRoots gives the open file fd to uid:gid when root owns it and it
// is a folder, or a regular file with one hard link.
func fchownIfRoots(fd, uid, gid int) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Uid != 0 {
		return nil
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFDIR:
	case syscall.S_IFREG:
		if st.Nlink != 1 {
			return nil
		}
	default:
		return nil
	}
	return syscall.Fchown(fd, uid, gid)
}
