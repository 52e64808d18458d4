package agent

import "fmt"

// Codes of a data directory that cannot take a write. The clerk and field
// support see the real cause instead of an internal error.
const (
	CodeDiskFull Code = "DISK_FULL"      // no space left on the data directory's disk
	CodeReadOnly Code = "DATA_READ_ONLY" // the data directory (or its file system) is read-only
)

// DiskFullError is a write refused because the disk holding Dir is full.
// NeedMB is how much to free so that work can go on: room for the
// database to grow and for a backup copy. It matches CodeDiskFull
// (CodeOf, errors.As(*Error)).
type DiskFullError struct {
	Dir    string
	NeedMB int64
	Err    error // the store's or the OS's error
}

func (e *DiskFullError) Error() string {
	msg := fmt.Sprintf("%s: the disk holding %s is full: free at least %d MB", CodeDiskFull, e.Dir, e.NeedMB)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap makes the error match CodeDiskFull and its cause.
func (e *DiskFullError) Unwrap() []error {
	return []error{&Error{Code: CodeDiskFull, Detail: fmt.Sprintf("free at least %d MB in %s", e.NeedMB, e.Dir)}, e.Err}
}

// ReadOnlyError returns the error of a write refused because the data
// directory dir, or the file system holding it, is read-only.
func ReadOnlyError(dir string, err error) error {
	return &Error{Code: CodeReadOnly, Detail: "the data directory " + dir +
		" is read-only (file permissions, or a file system mounted read-only): nothing can be saved", Err: err}
}
