package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tradein/cmd/tradein-terminal/wiring"
	"tradein/ui"
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
	done := make(chan struct{})
	defer close(done)
	a.Lifecycle().SetOnStarted(func() {
		log.Info("first frame", "since_start_ms", time.Since(processStart).Milliseconds())
		go trimMemory(done)
	})
	startUI(a, app.Terminal(), app.Support(), app.Config().Lang, app.Layout().Dir)

	var again atomic.Bool
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

// showStartFailure shows why the app could not start, and the fix, in a
// window (ui.ShowStartFailure) and returns when the user closes it. The
// settings may be the very thing that failed, so the language is the
// command line's, else Chinese.
func showStartFailure(err error, lang string) {
	a := fyneapp.NewWithID(AppID)
	ui.ShowStartFailure(a, startFailureOf(err), ui.Options{Lang: lang})
	a.Run()
}

// startFailureOf splits err into what the window shows: a wiring
// StartError's problem and fix, or the error's text and no known fix.
func startFailureOf(err error) ui.StartFailure {
	var se *wiring.StartError
	if errors.As(err, &se) {
		return ui.StartFailure{Problem: se.Problem, Fix: se.Fix}
	}
	return ui.StartFailure{Problem: err.Error()}
}
