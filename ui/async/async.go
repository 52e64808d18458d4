// Package async is the screens' threading model. Widgets are touched on
// the UI goroutine only; an agent call that can wait (a PIN check costs an
// argon2id hash, a sale step may wait for the platform) runs through
// Runner.Go, off the UI goroutine, and hands its result back through
// Runner.Do. The app runs Fyne; tests run asynctest.Loop, whose Do queues
// the work for the test goroutine, which plays the UI goroutine: the same
// model, with deterministic waits and no data races between a test and
// the screens' background work.
package async

import "fyne.io/fyne/v2"

// Runner runs work off the UI goroutine and brings results back to it.
// Implementations are safe for concurrent use.
type Runner interface {
	// Go runs f off the UI goroutine. f must touch widgets only through Do.
	Go(f func())
	// Do runs f on the UI goroutine, after the functions handed to Do
	// before it. It may return before f ran.
	Do(f func())
}

// Fyne is the app's Runner: a goroutine per call, and fyne.Do back onto
// Fyne's UI goroutine.
type Fyne struct{}

// Go runs f in a new goroutine.
func (Fyne) Go(f func()) { go f() }

// Do hands f to fyne.Do.
func (Fyne) Do(f func()) { fyne.Do(f) }

// Or returns r, or Fyne when r is nil: the default of the screens' options.
func Or(r Runner) Runner {
	if r == nil {
		return Fyne{}
	}
	return r
}
