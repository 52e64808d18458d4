//go:build windows

package main

import (
	"fmt"
	"os"
	"os/exec"
)

// reexec starts the program again with the same arguments and lets this
// process exit (Windows has no exec).
func reexec() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return nil
}
