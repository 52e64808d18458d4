package main

import (
	"context"
	"runtime/debug"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tradein/cmd/tradein-terminal/wiring"
)

// processStart is as close to the process start as Go code gets; the
// "first frame" log line measures from it (start-up benchmark).
var processStart = time.Now()

// AppID names the app to the OS (preferences, notifications).
const AppID = "cn.tradein.terminal"

// runWindow shows the main window and runs the Fyne event loop until the
// window is closed, ctx ends (Ctrl-C, SIGTERM) or a restart is asked for.
// It reports whether the program should restart.
func runWindow(ctx context.Context, app *wiring.App, restart <-chan struct{}) bool {
	a := fyneapp.NewWithID(AppID)
	log := app.Logger()
	a.Lifecycle().SetOnStarted(func() {
		log.Info("first frame", "since_start_ms", time.Since(processStart).Milliseconds())
		// Start-up leaves tens of MB of garbage (font files parsed for the
		// CJK fallback, the library sync, TLS and SQLite setup) that the
		// Go heap would otherwise keep mapped until it grows again. A
		// checkout PC runs the app all day: hand it back once, when the
		// window has settled.
		time.AfterFunc(2*time.Second, debug.FreeOSMemory)
	})
	startUI(a, app.Terminal(), app.Support(), app.Config().Lang, app.Layout().Dir)

	var again atomic.Bool
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
			log.Info("stop requested; closing the window")
		case <-restart:
			again.Store(true)
			log.Info("restarting with the new enrollment")
		}
		// Stop the driver's loop as Fyne does on SIGTERM. a.Quit would
		// close the window first, and Fyne 2.7.1 then crashes on a
		// pointer event that arrives between the close and the end of
		// the loop (a nil GLFW window in processMouseMoved).
		fyne.Do(a.Driver().Quit)
	}()
	a.Run()
	return again.Load()
}
