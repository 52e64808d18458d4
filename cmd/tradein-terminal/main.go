// Command tradein-terminal is the store terminal app: it builds every
// service (package wiring) and shows the window (package ui).
//
//	tradein-terminal [--data-dir DIR] [--config FILE] [--lang zh|en] [--platform-url URL]
//	tradein-terminal --enroll CODE --seed-demo-staff --sync --setup-only   (provisioning)
//	echo PIN | tradein-terminal --first-staff "3001,张经理,MANAGER" --setup-only
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"tradein/agent"
	"tradein/cmd/tradein-terminal/wiring"
)

func main() {
	var (
		o         wiring.Options
		version   = flag.Bool("version", false, "print the version and exit")
		seedStaff = flag.Bool("seed-demo-staff", false, "create the demo staff (1001 店员, 2001 回收员, 3001 店长, 9001 运维) when missing")
		syncFirst = flag.Bool("sync", false, "download rules and the product library and send queued sales before showing the window")
		setupOnly = flag.Bool("setup-only", false, "do the setup steps (--enroll, --first-staff, --seed-demo-staff, --sync) and exit without a window")
		first     = flag.String("first-staff", "", `create the first staff member of a fresh install, "ID,NAME,ROLE" (ROLE MANAGER or SUPPORT); the PIN is read from standard input`)
		logStderr = flag.Bool("log-stderr", false, "also write the log to standard error")
	)
	flag.StringVar(&o.DataDir, "data-dir", "", "data directory (default /var/lib/tradein-terminal when writable, else $XDG_DATA_HOME/tradein-terminal; Windows %ProgramData%\\TradeinTerminal)")
	flag.StringVar(&o.ConfigPath, "config", "", "settings file (default DATA-DIR/config.json)")
	flag.StringVar(&o.Lang, "lang", "", "UI language for this run: zh or en (default: the settings file's, zh)")
	flag.StringVar(&o.PlatformURL, "platform-url", "", "central platform base URL (saved in the settings file)")
	flag.StringVar(&o.EnrollCode, "enroll", "", "enroll the terminal with this one-time code when it is not enrolled yet")
	flag.Parse()
	if *version {
		fmt.Println("tradein-terminal", agent.Version)
		return
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "tradein-terminal: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if *logStderr {
		o.LogCopy = os.Stderr
	}
	s := wiring.Setup{SeedDemoStaff: *seedStaff, Sync: *syncFirst}
	if *first != "" {
		var err error
		if s.FirstStaff, s.FirstPIN, err = firstStaff(*first, os.Stdin); err != nil {
			fmt.Fprintln(os.Stderr, "tradein-terminal: --first-staff:", err)
			os.Exit(2)
		}
	}
	if err := run(o, s, *setupOnly); err != nil {
		fmt.Fprintln(os.Stderr, "tradein-terminal:", err)
		if !*setupOnly && errors.Is(err, errBeforeWindow) {
			showStartFailure(err, o.Lang) // the shop's user reads no stderr
		}
		os.Exit(1)
	}
}

// firstStaff parses "ID,NAME,ROLE" and reads the PIN as one line of in
// (so it never appears in the process list or the shell history).
func firstStaff(spec string, in io.Reader) (agent.Staff, string, error) {
	parts := strings.Split(spec, ",")
	if len(parts) != 3 {
		return agent.Staff{}, "", fmt.Errorf(`want "ID,NAME,ROLE", got %q`, spec)
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return agent.Staff{}, "", fmt.Errorf("read the PIN from standard input: %w", err)
	}
	st := agent.Staff{ID: strings.TrimSpace(parts[0]), Name: strings.TrimSpace(parts[1]),
		Role: agent.Role(strings.ToUpper(strings.TrimSpace(parts[2])))}
	return st, strings.TrimSpace(line), nil
}

func run(o wiring.Options, s wiring.Setup, setupOnly bool) error {
	if o.DataDir == "" {
		d, err := wiring.DefaultDataDir()
		if err != nil {
			return beforeWindow(err)
		}
		o.DataDir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The Windows installer asks running apps to quit before it replaces
	// the program (wiring.QuitEventName): handled like Ctrl-C.
	quit, stopWatch, watchErr := wiring.WatchQuitRequests()
	if watchErr == nil {
		defer stopWatch()
		go func() {
			select {
			case <-quit:
				stop()
			case <-ctx.Done():
			}
		}()
	}
	restart := make(chan struct{}, 1)
	o.Restart = func() {
		select {
		case restart <- struct{}{}:
		default:
		}
	}
	app, err := wiring.New(ctx, o)
	if err != nil {
		return beforeWindow(err)
	}
	defer app.Close()
	if watchErr != nil {
		app.Logger().Warn("the installer cannot ask this app to quit; it will refuse to upgrade while the app runs", "err", watchErr)
	}
	if err := wiring.Provision(ctx, app, os.Stdout, s); err != nil {
		return beforeWindow(err)
	}
	if setupOnly {
		return nil
	}
	app.Start(ctx)
	again := runWindow(ctx, app, restart)
	if err := app.Close(); err != nil {
		return err
	}
	if again {
		return reexec()
	}
	return nil
}

// errBeforeWindow marks a failure before the main window opened: main
// shows it in a window of its own (showStartFailure).
var errBeforeWindow = errors.New("the terminal could not start")

// beforeWindow marks err as a start-up failure, keeping it matchable.
func beforeWindow(err error) error {
	return &startFailure{err}
}

type startFailure struct{ err error }

func (e *startFailure) Error() string   { return e.err.Error() }
func (e *startFailure) Unwrap() []error { return []error{e.err, errBeforeWindow} }
