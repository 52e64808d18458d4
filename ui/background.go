package ui

import (
	"context"
	"time"
)

// callTimeout bounds one agent call made by the main window. Its calls are
// local (the store, the spooler's queue); 30 s only trips on a wedged disk.
const callTimeout = 30 * time.Second

func callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}
