package client_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/sync/client"
)

// loseFirstAnswer delivers the first request to the platform, then throws
// its answer away and reports a broken connection, as a network that dies
// at the wrong moment does.
type loseFirstAnswer struct {
	inner http.RoundTripper
	lost  atomic.Bool
}

func (l *loseFirstAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.inner.RoundTrip(r)
	if err == nil && l.lost.CompareAndSwap(false, true) {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("connection reset by peer (test)")
	}
	return resp, err
}

// TestEnrollRecoversALostAnswer: the platform enrolled the device but the
// answer never arrived; the client's retry carries the same proof and
// gets the terminal and its secret.
func TestEnrollRecoversALostAnswer(t *testing.T) {
	e := startEnv(t, client.Config{})
	lose := &loseFirstAnswer{inner: http.DefaultTransport}
	c, err := client.New(client.Config{BaseURL: e.url, Clock: e.clock, Logger: slog.New(slog.DiscardHandler),
		Timeout: 10 * time.Second, RetryBase: 5 * time.Millisecond, Transport: lose})
	if err != nil {
		t.Fatal(err)
	}
	enr, err := c.Enroll(ctx, sim.DemoEnrollmentCode, "lost-answer-pc")
	if err != nil || !lose.lost.Load() {
		t.Fatalf("enroll after a lost answer: %v (answer lost: %v)", err, lose.lost.Load())
	}
	if _, err := enr.Secret(); err != nil || enr.TerminalNo == "" {
		t.Fatalf("enrollment %+v: %v", enr, err)
	}
	// The retry got the terminal the first attempt created, not a second one.
	signed := c.WithCredentials(enr.TerminalNo, mustSecret(t, enr.Secret))
	if _, err := signed.Rules(ctx); err != nil {
		t.Fatalf("signed call with the recovered secret: %v", err)
	}
}

func mustSecret(t *testing.T, f func() ([]byte, error)) []byte {
	t.Helper()
	b, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
