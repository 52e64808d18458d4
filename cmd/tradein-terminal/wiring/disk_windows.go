//go:build windows

package wiring

import "golang.org/x/sys/windows"

// DiskState returns the bytes available to this user on the volume
// holding dir. Whether dir is writable is left to the writes themselves on
// Windows (ACLs are not read here): readOnly is always false.
func DiskState(dir string) (free uint64, readOnly bool, err error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, false, err
	}
	var avail, total, freeAll uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &freeAll); err != nil {
		return 0, false, err
	}
	return avail, false, nil
}
