package agenttest

import (
	"sync"
	"time"

	"tradein/agent"
)

// Start is the fixtures' wall-clock time: a Tuesday morning in a store in
// China, well inside every default rule's validity.
var Start = time.Date(2026, 3, 10, 10, 0, 0, 0, agent.ChinaTime)

// Clock is a settable agent.Clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
