// Command terminalctl is the field-support tool of the store terminal:
// status, doctor, backup, restore, support bundle, queue inspection and
// retry, and staff PIN reset, run on the shop PC beside the app.
//
//	terminalctl [--data-dir DIR] status|doctor|backup|restore|support-bundle|queue|staff …
//	terminalctl --version
//
// Exit codes: 0 ok, 1 a problem was found (or the command failed), 2 usage.
// Everything is in package ctl; main only hands it the process's streams.
package main

import (
	"context"
	"os"
	"os/signal"

	"tradein/cmd/terminalctl/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := ctl.Run(ctx, os.Args[1:], ctl.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
