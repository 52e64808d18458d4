package ui

import (
	"context"
	"time"
)

// background runs agent calls that may wait (a PIN check costs an argon2id
// hash; the status gathering reads the store) off the UI goroutine. Tests
// replace it with a synchronous call.
var background = func(f func()) { go f() }

// now is the wall clock of the status bar's ages and countdowns; tests
// replace it with the terminal's fixed clock.
var now = time.Now

// callTimeout bounds one agent call made by the main window. Its calls are
// local (the store, the spooler's queue); 30 s only trips on a wedged disk.
const callTimeout = 30 * time.Second

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}
