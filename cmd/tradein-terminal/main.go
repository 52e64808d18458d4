// Command tradein-terminal is the store terminal app: it builds every
// service (package wiring) and shows the window (package ui).
//
//	tradein-terminal [--data-dir DIR] [--config FILE] [--lang zh|en] [--platform-url URL]
//	tradein-terminal --enroll CODE --seed-demo-staff --sync --setup-only   (provisioning)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
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
		setupOnly = flag.Bool("setup-only", false, "do the setup steps (--enroll, --seed-demo-staff, --sync) and exit without a window")
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
	if err := run(o, setup{seedStaff: *seedStaff, sync: *syncFirst, only: *setupOnly}); err != nil {
		fmt.Fprintln(os.Stderr, "tradein-terminal:", err)
		os.Exit(1)
	}
}

// setup are the provisioning steps done before the window opens.
type setup struct{ seedStaff, sync, only bool }

func run(o wiring.Options, s setup) error {
	if o.DataDir == "" {
		d, err := wiring.DefaultDataDir()
		if err != nil {
			return err
		}
		o.DataDir = d
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	restart := make(chan struct{}, 1)
	o.Restart = func() {
		select {
		case restart <- struct{}{}:
		default:
		}
	}
	app, err := wiring.New(ctx, o)
	if err != nil {
		return err
	}
	defer app.Close()
	if err := wiring.Provision(ctx, app, os.Stdout, s.seedStaff, s.sync); err != nil {
		return err
	}
	if s.only {
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
