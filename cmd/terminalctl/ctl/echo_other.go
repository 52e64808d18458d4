//go:build !linux

package ctl

import "io"

// echoOff does nothing off Linux: the PIN is echoed there. Portable echo
// control needs golang.org/x/term, which the module does not depend on.
func echoOff(io.Reader) func() { return nil }

// isTerminal reports false off Linux: prompts then end their own lines.
func isTerminal(io.Reader) bool { return false }
