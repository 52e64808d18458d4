package printer

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Software flow control bytes. A printer set to XON/XOFF sends XOFF when
// its receive buffer is nearly full and XON when it has room again. Neither
// can be a DLE EOT reply (every reply has bit 1 set and bit 0 clear).
const (
	XON  byte = 0x11
	XOFF byte = 0x13
)

// DefaultMaxHold is how long a printer may hold XOFF before a job fails:
// printing a long receipt takes seconds, a printer silent for a minute has
// a problem the operator must see.
const DefaultMaxHold = time.Minute

// flow tracks XON/XOFF. Safe for concurrent use: the reader goroutine
// observes, Print waits.
type flow struct {
	mu     sync.Mutex
	held   bool
	resume chan struct{} // closed at XON while held
}

// observe records b and reports whether it was a flow-control byte.
func (f *flow) observe(b byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch b {
	case XOFF:
		if !f.held {
			f.held = true
			f.resume = make(chan struct{})
		}
		return true
	case XON:
		if f.held {
			f.held = false
			close(f.resume)
		}
		return true
	}
	return false
}

// Held reports whether the printer asked us to stop sending.
func (f *flow) Held() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held
}

// wait returns ctx's error when ctx is done; otherwise at once when not held, else when XON comes, ctx ends or
// maxHold passes.
func (f *flow) wait(ctx context.Context, maxHold time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	held, resume := f.held, f.resume
	f.mu.Unlock()
	if !held {
		return nil
	}
	t := time.NewTimer(maxHold)
	defer t.Stop()
	select {
	case <-resume:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("printer: held XOFF (buffer full) for over %v", maxHold)
	}
}
