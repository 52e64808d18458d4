// Package ctl implements terminalctl, the field-support command line of
// the store terminal (README.md, "Field support: terminalctl"): status, doctor, backup, restore, support
// bundle, queue list/retry and staff PIN reset.
//
// It works on the app's data directory (wiring.Layout) with the app's own
// parts: the SQLite store (agent/store) opened exactly as the app opens it
// (same field key, same backup folder), the platform client (sync/client)
// and the serial port list (devices/serialport). Commands that only read
// are safe while the app runs (SQLite WAL: readers never block the app's
// writer); restore refuses while the app holds terminal.lock.
//
// Output is English with Chinese labels for the shop's staff. Exit codes
// are ExitOK, ExitProblem and ExitUsage.
package ctl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"tradein/agent"
	"tradein/agent/redact"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/devices/serialport"
)

// Exit codes of terminalctl.
const (
	ExitOK      = 0 // the command did what was asked; doctor found nothing wrong
	ExitProblem = 1 // doctor found a problem, or the command failed
	ExitUsage   = 2 // unknown command, bad flag or missing argument
)

// Env is the world terminalctl runs in. Tests replace every part.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Clock stamps backup names and lockout checks; default the system clock.
	Clock agent.Clock
	// PortLister lists serial ports; nil means the system's.
	PortLister serialport.Lister
	// DefaultDataDir is used without --data-dir; nil means
	// wiring.DefaultDataDir.
	DefaultDataDir func() (string, error)
	// DiskState reads a folder's free space and whether it is read-only;
	// nil means wiring.DiskState.
	DiskState func(dir string) (free uint64, readOnly bool, err error)
}

// errUsage marks a usage error (exit 2); its text is printed with the usage.
var errUsage = errors.New("usage")

// usageError returns an error that makes Run print the usage and exit 2.
func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// errProblem marks a finding that was already printed (exit 1 without
// another message), e.g. doctor's failed checks.
var errProblem = errors.New("problem found")

const usageText = `usage: terminalctl [--data-dir DIR] <command>

commands:
  status                          version, enrollment, queue, last sync   状态
  doctor                          check ports, platform, disk, database   诊断
  backup [--out FILE]             consistent copy of the database, verified  备份
  restore FILE [--force]          put a verified backup in place (app closed) 恢复
  support-bundle [--out FILE]     logs + redacted settings, no personal data  支持包
  queue list [--limit N]          pending platform deliveries             待同步队列
  queue retry                     make every pending delivery due now     立即重试
  staff reset-pin STAFF_ID        new PIN, with a manager's ID and PIN on stdin  重置PIN
  purge-check                     may the data go? no app running, queue empty  可否清除

  --version                       print the version

exit codes: 0 ok, 1 problem found or command failed, 2 usage
`

// cli is one run of terminalctl.
type cli struct {
	env    Env
	layout wiring.Layout
	log    *slog.Logger // the store's migration and backup events, to stderr
}

// Run runs terminalctl with args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	// Everything terminalctl prints (status, doctor, errors that quote the
	// platform's URL) passes through redact.Text: credentials in a
	// platform URL never reach the screen, a pasted report or the bundle.
	env.Stdout, env.Stderr = redactWriter{env.Stdout}, redactWriter{env.Stderr}
	if env.Clock == nil {
		env.Clock = agent.SystemClock{}
	}
	if env.DefaultDataDir == nil {
		env.DefaultDataDir = wiring.DefaultDataDir
	}
	if env.DiskState == nil {
		env.DiskState = wiring.DiskState
	}
	fs := flag.NewFlagSet("terminalctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data-dir", "", "data directory (default: the app's)")
	version := fs.Bool("version", false, "print the version")
	if err := fs.Parse(args); err != nil {
		return usage(env, err)
	}
	if *version {
		fmt.Fprintln(env.Stdout, "terminalctl", agent.Version)
		return ExitOK
	}
	if fs.NArg() == 0 {
		return usage(env, errors.New("no command"))
	}
	dir := *dataDir
	if dir == "" {
		d, err := env.DefaultDataDir()
		if err != nil {
			fmt.Fprintln(env.Stderr, "terminalctl:", err)
			return ExitProblem
		}
		dir = d
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	c := &cli{env: env, layout: wiring.NewLayout(dir),
		log: slog.New(redact.Handler(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}
	err := c.dispatch(ctx, fs.Arg(0), fs.Args()[1:])
	// Run as root, a backup, restore or status leaves files (a backup, the
	// restored database, the lock) that the shop's account must own.
	if gerr := wiring.GiveToDataDirOwner(c.layout.Dir); gerr != nil {
		fmt.Fprintln(env.Stderr, "terminalctl:", gerr)
		if err == nil {
			err = errProblem
		}
	}
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errUsage):
		return usage(env, err)
	case errors.Is(err, errProblem):
		return ExitProblem
	default:
		fmt.Fprintln(env.Stderr, "terminalctl:", err)
		return ExitProblem
	}
}

func usage(env Env, err error) int {
	fmt.Fprintln(env.Stderr, "terminalctl:", err)
	fmt.Fprint(env.Stderr, usageText)
	return ExitUsage
}

// dispatch runs one command.
func (c *cli) dispatch(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "status":
		return c.runStatus(ctx, args)
	case "doctor":
		return c.runDoctor(ctx, args)
	case "backup":
		return c.runBackup(ctx, args)
	case "restore":
		return c.runRestore(ctx, args)
	case "support-bundle":
		return c.runBundle(ctx, args)
	case "queue":
		return c.runQueue(ctx, args)
	case "staff":
		return c.runStaff(ctx, args)
	case "purge-check":
		return c.runPurgeCheck(ctx, args)
	case "help":
		fmt.Fprint(c.env.Stdout, usageText)
		return nil
	}
	return usageError("unknown command %q", cmd)
}

// parseArgs parses a command's flags, which may come before or after its
// positional arguments ("restore FILE --force"), and returns the
// positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, pos []string, n int) error {
	if len(pos) != n {
		return usageError("%s takes %d argument(s), got %d", cmd, n, len(pos))
	}
	return nil
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// newFlagSet returns a command's flag set; errors are returned, not printed.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}
