package outbox

import (
	"errors"
	"time"

	"tradein/agent"
	"tradein/sync/client"
)

// isFinal reports whether err is the platform's final word on an item: a
// business refusal (VOUCHER_USED, SN_USED, VOUCHER_EXPIRED, INVALID_REQUEST,
// IDEMPOTENCY_CONFLICT, …) that no retry can change. Such an item leaves
// the queue and its sale goes to the manager's review list.
//
// Everything else is transient and the item stays at the head of the queue:
// an unreachable platform, a 5xx (INTERNAL), rate limiting, and
// UNAUTHORIZED — a refused signature is the terminal's problem (clock skew
// beyond 300 s, a wrong secret), not the sale's, and dropping sales because
// the clock is wrong would lose them. Errors that carry no platform code
// (a garbled response) are transient too: nothing proves the platform saw
// the request, and request_no idempotency makes a resend harmless.
func isFinal(err error) bool {
	var rl *client.RateLimitedError
	if errors.As(err, &rl) {
		return false
	}
	var e *agent.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case agent.CodePlatformDown, agent.CodeInternal, agent.CodeRateLimited, agent.CodeUnauthorized:
		return false
	}
	return true
}

// retryAfter returns how long the platform asked us to wait (429
// Retry-After), or 0.
func retryAfter(err error) time.Duration {
	var rl *client.RateLimitedError
	if errors.As(err, &rl) {
		return rl.RetryAfter
	}
	return 0
}
