// Package backoff is the terminal's one retry policy: exponential
// delays with jitter and a cap, reset on success, never shorter than a
// platform's Retry-After. The outbox drain, the library and rules refresh and
// device reconnects all use it.
//
// Time is passed in: Backoff sleeps through an injectable Sleep function and
// reads an injectable Clock, and Policy takes an injectable random source,
// so tests run without real sleeping and without randomness.
package backoff

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults for zero Policy fields.
const (
	DefaultBase = time.Second
	DefaultMax  = time.Hour // a zero Max still caps: an unbounded delay helps nobody
)

// Policy computes retry delays. The zero value is usable (DefaultBase,
// DefaultMax, no jitter). A Policy is a value: copy it freely; it is safe
// for concurrent use when Rand is.
type Policy struct {
	// Base is the delay before the first retry; each further attempt doubles
	// it until Max.
	Base, Max time.Duration
	// Jitter in [0, 1] is the fraction by which a delay is randomly
	// shortened: 0.2 spreads delays over (0.8d, d]. Jitter only ever
	// shortens, so no delay exceeds Max, and terminals that failed together
	// still spread out once they all reach the cap.
	Jitter float64
	// Rand returns a number in [0, 1); nil uses math/rand/v2.
	Rand func() float64
}

// Delay returns the delay before retry number attempt (1 for the first
// retry): min(Base × 2^(attempt-1), Max), shortened by up to Jitter. attempt
// values below 1 count as 1, so a caller's off-by-one never makes a hot loop.
func (p Policy) Delay(attempt int) time.Duration {
	base, limit := p.Base, p.Max
	if base <= 0 {
		base = DefaultBase
	}
	if limit <= 0 {
		limit = DefaultMax
	}
	if attempt < 1 {
		attempt = 1
	}
	d := limit
	if attempt <= 63 {
		if shifted := base << (attempt - 1); shifted>>(attempt-1) == base && shifted > 0 && shifted < limit {
			d = shifted
		}
	}
	if base > limit {
		d = limit
	}
	j := p.Jitter
	if j > 1 {
		j = 1
	}
	if j > 0 {
		r := rand.Float64
		if p.Rand != nil {
			r = p.Rand
		}
		f := r()
		if f < 0 || f >= 1 { // a broken source must not produce negative delays
			f = 0
		}
		d -= time.Duration(float64(d) * j * f)
	}
	return d
}

// Clock tells the time; agent.Clock satisfies it.
type Clock interface{ Now() time.Time }

// SleepFunc waits for d or until ctx is done, returning ctx.Err() then.
type SleepFunc func(ctx context.Context, d time.Duration) error

// Sleep is the real SleepFunc.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RetryAfterer is implemented by errors that carry the platform's
// Retry-After (HTTP 429). Wait never waits less than RetryAfter().
type RetryAfterer interface{ RetryAfter() time.Duration }

// Backoff tracks consecutive failures of one retried activity. It is safe
// for concurrent use; Wait does not hold the lock while sleeping.
type Backoff struct {
	policy Policy
	clock  Clock
	sleep  SleepFunc

	mu         sync.Mutex
	failures   int       // consecutive failures since the last success
	retryAfter time.Time // no retry before this instant (zero: none)
}

// New returns a Backoff following p. clock (nil: the system clock) is used
// for Retry-After deadlines; Wait sleeps with Sleep unless SetSleep replaces
// it.
func New(p Policy, clock Clock) *Backoff {
	if clock == nil {
		clock = systemClock{}
	}
	return &Backoff{policy: p, clock: clock, sleep: Sleep}
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// SetSleep replaces how Wait sleeps (tests pass a recorder or a fake
// clock's sleep). Call it before the Backoff is shared.
func (b *Backoff) SetSleep(f SleepFunc) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sleep = f
}

// Wait records the outcome of an attempt and waits before the next one.
// err == nil is a success: the failure count resets and Wait returns at once.
// Otherwise it sleeps for Next(err) and returns nil, or ctx.Err() when the
// context ends first.
func (b *Backoff) Wait(ctx context.Context, err error) error {
	if err == nil {
		b.Reset()
		return ctx.Err()
	}
	d := b.Next(err)
	b.mu.Lock()
	sleep := b.sleep
	b.mu.Unlock()
	return sleep(ctx, d)
}

// Next records a failure and returns the delay before the next attempt
// without sleeping, for callers that schedule retries themselves (the outbox
// stores NextAttemptAt). The delay is the policy's delay for the number of
// consecutive failures, lengthened to honour a Retry-After from err (see
// RetryAfterer) or from SetRetryAfter.
func (b *Backoff) Next(err error) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	d := b.policy.Delay(b.failures)
	now := b.clock.Now()
	var ra RetryAfterer
	if errors.As(err, &ra) {
		if until := now.Add(ra.RetryAfter()); until.After(b.retryAfter) {
			b.retryAfter = until
		}
	}
	if wait := b.retryAfter.Sub(now); wait > d {
		d = wait
	}
	return d
}

// SetRetryAfter makes the next attempt wait at least d from now (a 429's
// Retry-After seen by a caller whose errors do not implement RetryAfterer).
func (b *Backoff) SetRetryAfter(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until := b.clock.Now().Add(d); until.After(b.retryAfter) {
		b.retryAfter = until
	}
}

// Reset forgets failures and any Retry-After, as after a success.
func (b *Backoff) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
	b.retryAfter = time.Time{}
}

// Failures returns the number of consecutive failures since the last success.
func (b *Backoff) Failures() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures
}
