package client

import (
	"fmt"
	"time"

	"tradein/agent"
)

// RateLimitedError is returned when the platform answered 429. RetryAfter
// is the platform's Retry-After (at least one second). errors.Is(err,
// &agent.Error{Code: agent.CodeRateLimited}) and errors.As to *agent.Error
// both match it, so code that only knows agent errors still sees the code.
// The client never retries a rate-limited call itself: the caller (the
// outbox) schedules the next attempt no earlier than RetryAfter.
type RateLimitedError struct {
	RetryAfter time.Duration
	Op         string // e.g. "POST /v1/vouchers/try"
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("%s: %s: retry after %s", e.Op, agent.CodeRateLimited, e.RetryAfter)
}

// Unwrap exposes the agent error with CodeRateLimited.
func (e *RateLimitedError) Unwrap() error {
	return &agent.Error{Code: agent.CodeRateLimited, Detail: e.Op}
}

// platformDown wraps cause as an error matching agent.ErrPlatformDown.
func platformDown(op string, cause error) error {
	return &agent.Error{Code: agent.CodePlatformDown, Detail: op, Err: cause}
}
