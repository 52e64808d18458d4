// Package devstatus keeps one device's UnifiedPOS-style state and counters
// (agent.DeviceStatus), for the scanner driver and the printer spooler
// alike.
package devstatus

import (
	"maps"
	"sync"

	"tradein/agent"
)

// Tracker holds a device's latest status and its counters and announces
// state changes. Safe for concurrent use.
type Tracker struct {
	clock  agent.Clock
	notify func(agent.DeviceStatus)

	mu       sync.Mutex // guards status and counters
	status   agent.DeviceStatus
	counters map[string]int64
}

// New returns a Tracker for the device name on port, CLOSED as of now.
// notify (nil: none) receives every change Set makes; it runs on the
// caller's goroutine without the Tracker's lock, and must not block long.
func New(name, port string, clock agent.Clock, notify func(agent.DeviceStatus)) *Tracker {
	if clock == nil {
		clock = agent.SystemClock{}
	}
	if notify == nil {
		notify = func(agent.DeviceStatus) {}
	}
	return &Tracker{clock: clock, notify: notify, counters: map[string]int64{},
		status: agent.DeviceStatus{Name: name, Port: port, State: agent.DeviceClosed, At: clock.Now()}}
}

// Status returns the latest status with a copy of the counters.
func (t *Tracker) Status() agent.DeviceStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.statusLocked()
}

func (t *Tracker) statusLocked() agent.DeviceStatus {
	s := t.status
	s.Counters = maps.Clone(t.counters)
	return s
}

// Set records a state and announces it. Setting the state, code and
// detail the device already has announces nothing, so a device retrying
// the same failure does not flood the status bar.
func (t *Tracker) Set(state agent.DeviceState, code, detail string) {
	t.mu.Lock()
	if t.status.State == state && t.status.Code == code && t.status.Detail == detail {
		t.mu.Unlock()
		return
	}
	t.status.State, t.status.Code, t.status.Detail, t.status.At = state, code, detail, t.clock.Now()
	s := t.statusLocked()
	t.mu.Unlock()
	t.notify(s)
}

// Add adds n to the counter name.
func (t *Tracker) Add(name string, n int64) {
	if n == 0 {
		return
	}
	t.mu.Lock()
	t.counters[name] += n
	t.mu.Unlock()
}
