//go:build !windows

package main

import (
	"fmt"
	"os"
	"syscall"
)

// reexec replaces the process with a fresh start of the same program and
// arguments (after an enrollment from the support screen).
func reexec() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return syscall.Exec(exe, os.Args, os.Environ())
}
