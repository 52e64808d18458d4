package outbox

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"tradein/agent"
	"tradein/sync/client"
)

// The end-to-end behaviour of the drainer is tested in sync/e2e against
// platform-sim and the SQLite store; these are the pure decisions.

func TestIsFinal(t *testing.T) {
	cases := []struct {
		err   error
		final bool
	}{
		{agent.ErrVoucherUsed, true},
		{agent.Errorf(agent.CodeSNUsed, "locked by T2"), true},
		{agent.Errorf(agent.CodeVoucherExpired, "expired"), true},
		{agent.Errorf(agent.CodeInvalidRequest, "bad body"), true},
		{agent.Errorf(agent.CodeIdempotencyConflict, "same request_no, other body"), true},
		{fmt.Errorf("commit: %w", agent.Errorf(agent.CodeQuotaExhausted, "used")), true},
		{&agent.Error{Code: agent.CodePlatformDown, Err: errors.New("connection refused")}, false},
		{&agent.Error{Code: agent.CodePlatformDown, Err: agent.Errorf(agent.CodeInternal, "HTTP 500")}, false},
		{agent.Errorf(agent.CodeInternal, "boom"), false},
		{agent.Errorf(agent.CodeUnauthorized, "skew"), false},
		{&client.RateLimitedError{RetryAfter: 3 * time.Second, Op: "POST /v1/transactions/batch"}, false},
		{errors.New("response is not an envelope"), false},
	}
	for _, c := range cases {
		if got := isFinal(c.err); got != c.final {
			t.Errorf("isFinal(%v) = %v, want %v", c.err, got, c.final)
		}
	}
	if d := retryAfter(fmt.Errorf("x: %w", &client.RateLimitedError{RetryAfter: 7 * time.Second})); d != 7*time.Second {
		t.Errorf("retryAfter = %s, want 7s", d)
	}
}

func TestBatchRequestNo(t *testing.T) {
	a := []agent.OutboxItem{{RequestNo: "R1"}, {RequestNo: "R2"}}
	b := []agent.OutboxItem{{RequestNo: "R1"}}
	c := []agent.OutboxItem{{RequestNo: "R1R"}, {RequestNo: "2"}}
	if again := []agent.OutboxItem{{RequestNo: "R1"}, {RequestNo: "R2"}}; batchRequestNo("TB", a) != batchRequestNo("TB", again) {
		t.Fatal("the same batch must get the same request_no (a resend replays the answer)")
	}
	if batchRequestNo("TB", a) == batchRequestNo("TB", b) || batchRequestNo("TB", a) == batchRequestNo("TB", c) {
		t.Fatal("different batches must get different request_nos")
	}
	if n := len(batchRequestNo("TB", a)); n > 64 {
		t.Fatalf("request_no of %d characters", n)
	}
}

func TestLeadingRun(t *testing.T) {
	q := []agent.OutboxItem{{Kind: agent.OutboxSaleOffline}, {Kind: agent.OutboxSaleOffline}, {Kind: agent.OutboxRefund}, {Kind: agent.OutboxSaleOffline}}
	if n := len(leadingRun(q)); n != 2 {
		t.Fatalf("run of %d offline sales, want 2 (stop at the refund: order)", n)
	}
	if n := len(leadingRun(q[2:])); n != 1 {
		t.Fatalf("a refund travels alone, got %d", n)
	}
}
