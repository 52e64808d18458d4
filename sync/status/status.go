// Package status tracks whether the central platform is reachable, from a
// periodic health probe and from the outcome of every real call the
// terminal makes (outbox deliveries, library refresh, the clerk's online
// calls). The app subscribes to it and forwards State.Online to the agent,
// which switches the sale workflow between online and offline mode.
//
// Queue depth, the age of the oldest pending sale and the countdown to the
// offline deadline are not kept here: they come from the store
// (agent.Store.Pending) so that they survive a restart and never disagree
// with the outbox.
package status

import (
	"errors"
	"sync"
	"time"

	"tradein/agent"
)

// State is what the status bar shows about the platform connection.
type State struct {
	// Online reports whether the platform answered the last call or probe
	// with something other than a transport failure, a 5xx or an
	// authentication failure. A terminal starts offline until the first
	// answer.
	Online bool
	// Since is when Online last changed (zero before the first observation).
	Since time.Time
	// LastContact is when the platform last answered a call successfully.
	LastContact time.Time
	// LastSync is when an outbox item was last confirmed by the platform.
	LastSync time.Time
	// Synced counts outbox items confirmed since the process started.
	Synced int64
	// LastErrorCode and LastError describe the most recent failure; both
	// are empty after a success. LastError is English text for logs and
	// support; the UI translates LastErrorCode.
	LastErrorCode agent.Code
	LastError     string
	LastErrorAt   time.Time
}

// AuthProblem reports whether the last failure was the platform refusing
// the terminal's signature: the clock is off by more than the platform's
// 300 s window, or the terminal's secret is wrong. Field support needs to
// see this one clearly because retrying never fixes it.
func (s State) AuthProblem() bool { return s.LastErrorCode == agent.CodeUnauthorized }

// Tracker holds the connection State. It is safe for concurrent use.
// Subscribers are called outside the lock, in the goroutine that caused the
// change, and must not block.
type Tracker struct {
	clock agent.Clock

	mu     sync.Mutex
	st     State
	subs   map[int]func(State)
	nextID int
}

// NewTracker returns a tracker that starts offline.
func NewTracker(clock agent.Clock) *Tracker {
	if clock == nil {
		clock = agent.SystemClock{}
	}
	return &Tracker{clock: clock, subs: map[int]func(State){}}
}

// State returns a copy of the current state.
func (t *Tracker) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st
}

// Subscribe registers fn to be called with the new state after every
// change, and once immediately with the current state. The returned func
// unregisters it.
func (t *Tracker) Subscribe(fn func(State)) (cancel func()) {
	t.mu.Lock()
	id := t.nextID
	t.nextID++
	t.subs[id] = fn
	st := t.st
	t.mu.Unlock()
	fn(st)
	return func() {
		t.mu.Lock()
		delete(t.subs, id)
		t.mu.Unlock()
	}
}

// Observe records the outcome of one platform call or probe. err == nil
// and business errors (VOUCHER_USED, SN_USED, …: the platform answered)
// count as online; transport failures, 5xx and UNAUTHORIZED count as
// offline. A 429 proves the platform is up, so it counts as online but
// keeps the error for display.
func (t *Tracker) Observe(err error) {
	now := t.clock.Now()
	online := Reachable(err)
	t.update(func(s *State) {
		if online {
			s.LastContact = now
		}
		if err == nil {
			s.LastErrorCode, s.LastError, s.LastErrorAt = "", "", time.Time{}
		} else if !isBusiness(err) {
			s.LastErrorCode, s.LastError, s.LastErrorAt = agent.CodeOf(err), err.Error(), now
		}
		if s.Online != online || s.Since.IsZero() {
			s.Online, s.Since = online, now
		}
	})
}

// Synced records that n outbox items were confirmed by the platform.
func (t *Tracker) Synced(n int) {
	if n <= 0 {
		return
	}
	now := t.clock.Now()
	t.update(func(s *State) {
		s.Synced += int64(n)
		s.LastSync, s.LastContact = now, now
		if !s.Online {
			s.Online, s.Since = true, now
		}
	})
}

// update applies fn under the lock and notifies subscribers when the state
// changed.
func (t *Tracker) update(fn func(*State)) {
	t.mu.Lock()
	before := t.st
	fn(&t.st)
	after := t.st
	var subs []func(State)
	if after != before {
		for _, f := range t.subs {
			subs = append(subs, f)
		}
	}
	t.mu.Unlock()
	for _, f := range subs {
		f(after)
	}
}

// Reachable reports whether err still proves that the platform is
// reachable and accepts this terminal: nil, business errors and rate
// limiting do; ErrPlatformDown, INTERNAL (5xx) and UNAUTHORIZED do not.
func Reachable(err error) bool {
	if err == nil {
		return true
	}
	switch agent.CodeOf(err) {
	case agent.CodePlatformDown, agent.CodeUnauthorized, agent.CodeInternal:
		return false
	}
	return true
}

// isBusiness reports whether err is a platform verdict about the request
// itself (as opposed to the connection): those do not change the
// connection's error display.
func isBusiness(err error) bool {
	var e *agent.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case agent.CodePlatformDown, agent.CodeUnauthorized, agent.CodeInternal, agent.CodeRateLimited:
		return false
	}
	return true
}
