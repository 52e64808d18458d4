// Package asynctest is the tests' async.Runner: background work runs in
// real goroutines, as in the app, and what it hands back to the UI
// goroutine waits in a queue until the test goroutine, which plays the UI
// goroutine, runs it in Settle or Until. A test therefore touches widgets
// only while no screen code does, and waits for outcomes without sleeping.
package asynctest

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Loop is an async.Runner for tests. It is safe for concurrent use; Settle
// and Until must be called from the test goroutine.
type Loop struct {
	mu       sync.Mutex
	queue    []func() // handed to Do, not yet run
	inflight int      // Go calls not yet returned
	wake     chan struct{}
}

// New returns an empty Loop.
func New() *Loop { return &Loop{wake: make(chan struct{}, 1)} }

// Go runs f in a new goroutine, counted as in flight until it returns.
func (l *Loop) Go(f func()) {
	l.mu.Lock()
	l.inflight++
	l.mu.Unlock()
	go func() {
		defer func() {
			l.mu.Lock()
			l.inflight--
			l.mu.Unlock()
			l.signal()
		}()
		f()
	}()
}

// Do queues f for the test goroutine.
func (l *Loop) Do(f func()) {
	l.mu.Lock()
	l.queue = append(l.queue, f)
	l.mu.Unlock()
	l.signal()
}

func (l *Loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// next takes the oldest queued function, reporting also whether Go calls
// are in flight.
func (l *Loop) next() (f func(), busy bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 {
		f = l.queue[0]
		l.queue = l.queue[1:]
	}
	return f, l.inflight > 0
}

// ErrTimeout is returned when a wait gave up.
var ErrTimeout = errors.New("asynctest: timed out")

// Settle runs queued functions on the calling goroutine until none is
// queued and no Go call is in flight. It fails with ErrTimeout after
// limit (a safety net against a hung test, not a wait for a deadline).
// Goroutines a screen started without Go (a scan pump) are not waited for.
func (l *Loop) Settle(limit time.Duration) error {
	return l.run(func() bool { return false }, true, limit)
}

// Until runs queued functions on the calling goroutine until cond, checked
// on the calling goroutine before and after each, reports true. It fails
// with ErrTimeout after limit.
func (l *Loop) Until(cond func() bool, limit time.Duration) error {
	return l.run(cond, false, limit)
}

func (l *Loop) run(cond func() bool, untilIdle bool, limit time.Duration) error {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		if cond() {
			return nil
		}
		f, busy := l.next()
		if f != nil {
			f()
			continue
		}
		if untilIdle && !busy {
			return nil
		}
		select {
		case <-l.wake:
		case <-timer.C:
			return fmt.Errorf("%w after %v", ErrTimeout, limit)
		}
	}
}
