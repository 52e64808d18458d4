package status

import (
	"context"
	"time"
)

// Probe intervals. Offline, the terminal probes often so that queued sales
// start flowing soon after the network returns; online, real calls keep the
// state fresh and the probe is only a heartbeat.
const (
	DefaultProbeOnline  = 30 * time.Second
	DefaultProbeOffline = 5 * time.Second
)

// ObserveProbe records the outcome of a health probe (GET /v1/health). The
// probe is unsigned, so it proves the platform is reachable but not that it
// accepts this terminal: a success does not clear an UNAUTHORIZED state —
// only a real, signed call can.
func (t *Tracker) ObserveProbe(err error) {
	if err == nil && t.State().AuthProblem() {
		t.update(func(s *State) { s.LastContact = t.clock.Now() })
		return
	}
	t.Observe(err)
}

// Probe calls health every online interval while online and every offline
// interval while offline, recording each outcome, until ctx ends. Zero
// intervals mean the defaults.
func (t *Tracker) Probe(ctx context.Context, health func(context.Context) error, online, offline time.Duration) error {
	if online <= 0 {
		online = DefaultProbeOnline
	}
	if offline <= 0 {
		offline = DefaultProbeOffline
	}
	for {
		err := health(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t.ObserveProbe(err)
		wait := offline
		if t.State().Online {
			wait = online
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// OnlineFunc adapts the tracker to agent.Deps.Online.
func (t *Tracker) OnlineFunc() func() bool {
	return func() bool { return t.State().Online }
}
