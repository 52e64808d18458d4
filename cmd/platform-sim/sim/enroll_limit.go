package sim

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"tradein/agent"
)

// Enrollment is the one unsigned operation that hands out a secret, so it
// is where someone guessing codes would knock. enrollLimiter bounds it per
// caller address, with two windows:
//
//   - at most EnrollAttemptsPerMinute attempts of any outcome a minute,
//     generous for a shop enrolling its tills or a test suite enrolling
//     dozens of terminals from loopback;
//   - at most EnrollFailuresPer10Min refused attempts (unknown or used-up
//     code, a proof that does not match, a malformed request) in ten
//     minutes, after which the caller gets RATE_LIMITED until the oldest
//     failure leaves the window: ten guesses, not millions.
//
// Counts live in memory (a restart forgets them, as a real platform's
// edge limiter would). The clock is the server's, so tests need no sleep.
const (
	EnrollAttemptsPerMinute = 60
	EnrollFailuresPer10Min  = 10
)

// maxEnrollCallers bounds the addresses remembered; beyond it the
// entries with nothing in their windows are dropped first.
const maxEnrollCallers = 10000

type enrollLimiter struct {
	mu      sync.Mutex
	callers map[string]*enrollCaller
}

type enrollCaller struct {
	attempts []time.Time // within the last minute
	failures []time.Time // within the last ten minutes
}

func newEnrollLimiter() *enrollLimiter {
	return &enrollLimiter{callers: map[string]*enrollCaller{}}
}

// allow records an attempt by ip at now, or refuses it with a
// RATE_LIMITED error whose detail says when to come back.
func (l *enrollLimiter) allow(ip string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.caller(ip, now)
	c.attempts = within(c.attempts, now, time.Minute)
	c.failures = within(c.failures, now, 10*time.Minute)
	if len(c.failures) >= EnrollFailuresPer10Min {
		return rateLimited(c.failures[0].Add(10*time.Minute).Sub(now),
			"%d refused enrollment attempts in 10 minutes", EnrollFailuresPer10Min)
	}
	if len(c.attempts) >= EnrollAttemptsPerMinute {
		return rateLimited(c.attempts[0].Add(time.Minute).Sub(now),
			"%d enrollment attempts in a minute", EnrollAttemptsPerMinute)
	}
	c.attempts = append(c.attempts, now)
	return nil
}

// failed records a refused attempt by ip.
func (l *enrollLimiter) failed(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.caller(ip, now)
	c.failures = append(c.failures, now)
}

// caller returns ip's entry, making room when the table is full. l.mu is held.
func (l *enrollLimiter) caller(ip string, now time.Time) *enrollCaller {
	if c := l.callers[ip]; c != nil {
		return c
	}
	if len(l.callers) >= maxEnrollCallers {
		for k, c := range l.callers {
			if len(within(c.attempts, now, time.Minute)) == 0 && len(within(c.failures, now, 10*time.Minute)) == 0 {
				delete(l.callers, k)
			}
		}
	}
	c := &enrollCaller{}
	l.callers[ip] = c
	return c
}

// within drops the times older than window before now.
func within(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-window)) {
		i++
	}
	return ts[i:]
}

// retryAfterError is a RATE_LIMITED error that carries its Retry-After.
type retryAfterError struct {
	err   *agent.Error
	after time.Duration
}

func (e retryAfterError) Error() string { return e.err.Error() }
func (e retryAfterError) Unwrap() error { return e.err }

func rateLimited(after time.Duration, format string, args ...any) error {
	return retryAfterError{err: &agent.Error{Code: agent.CodeRateLimited,
		Detail: fmt.Sprintf(format, args...) + fmt.Sprintf("; try again in %d s", retrySeconds(after))}, after: after}
}

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// setRetryAfter sets the Retry-After header of a retryAfterError.
func setRetryAfter(w http.ResponseWriter, err error) {
	var ra retryAfterError
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(ra.after)))
	}
}

// callerIP is the address the request came from (no proxy headers are
// trusted: the reference platform is reached directly).
func callerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
