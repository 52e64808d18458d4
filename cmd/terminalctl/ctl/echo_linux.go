//go:build linux

package ctl

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// echoOff turns the terminal's echo off when r is a terminal and returns
// the function that turns it back on; nil when r is not a terminal (a
// pipe, as in tests and scripts).
func echoOff(r io.Reader) func() {
	f, ok := r.(*os.File)
	if !ok {
		return nil
	}
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return nil
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
