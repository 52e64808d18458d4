package backoff

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPolicyDelayExponentialAndCapped(t *testing.T) {
	p := Policy{Base: time.Second, Max: time.Minute}
	want := []time.Duration{time.Second, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
	for attempt, w := range want { // attempt 0 counts as 1
		if got := p.Delay(attempt); got != w {
			t.Errorf("Delay(%d) = %s, want %s", attempt, got, w)
		}
	}
	for _, attempt := range []int{-5, 62, 63, 64, 1000, int(^uint(0) >> 1)} {
		if got := p.Delay(attempt); got < time.Second || got > time.Minute {
			t.Errorf("Delay(%d) = %s out of [1s, 1m]", attempt, got)
		}
	}
	if got := (Policy{Base: time.Hour, Max: time.Minute}).Delay(1); got != time.Minute {
		t.Errorf("Base above Max: %s", got)
	}
	if got := (Policy{}).Delay(1); got != DefaultBase {
		t.Errorf("zero policy: %s", got)
	}
	if got := (Policy{}).Delay(100); got != DefaultMax {
		t.Errorf("zero policy at 100: %s", got)
	}
}

func TestPolicyJitter(t *testing.T) {
	for _, tt := range []struct {
		jitter, r float64
		want      time.Duration
	}{
		{0.2, 0, 8 * time.Second},
		{0.2, 0.5, 7200 * time.Millisecond},
		{0.2, 0.999999, 6400001600 * time.Nanosecond},
		{1, 0.5, 4 * time.Second},
		{5, 0.5, 4 * time.Second},  // clamped to 1
		{0.2, -1, 8 * time.Second}, // broken source ignored
		{0.2, 1, 8 * time.Second},
	} {
		p := Policy{Base: time.Second, Max: time.Minute, Jitter: tt.jitter, Rand: func() float64 { return tt.r }}
		if got := p.Delay(4); got != tt.want {
			t.Errorf("jitter %v r %v: %s, want %s", tt.jitter, tt.r, got, tt.want)
		}
	}
	// With the real source, delays vary within (0.8d, d] and never pass Max.
	p := Policy{Base: time.Second, Max: 10 * time.Second, Jitter: 0.2}
	seen := map[time.Duration]bool{}
	for i := 0; i < 200; i++ {
		d := p.Delay(10)
		if d <= 8*time.Second || d > 10*time.Second {
			t.Fatalf("jittered delay %s outside (8s, 10s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct jittered delays in 200", len(seen))
	}
}

// fakeClock is a manual clock whose sleep advances it.
type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

type rateLimited struct{ after time.Duration }

func (e rateLimited) Error() string             { return "rate limited" }
func (e rateLimited) RetryAfter() time.Duration { return e.after }

func TestBackoffWaitResetsOnSuccess(t *testing.T) {
	clk := &fakeClock{now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	b := New(Policy{Base: time.Second, Max: 10 * time.Second}, clk)
	b.SetSleep(clk.Sleep)
	ctx := context.Background()
	fail := errors.New("down")
	for i := 0; i < 6; i++ {
		if err := b.Wait(ctx, fail); err != nil {
			t.Fatal(err)
		}
	}
	if b.Failures() != 6 {
		t.Errorf("failures %d", b.Failures())
	}
	if err := b.Wait(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if b.Failures() != 0 {
		t.Errorf("failures after success %d", b.Failures())
	}
	_ = b.Wait(ctx, fail)
	want := []time.Duration{1, 2, 4, 8, 10, 10, 1}
	if len(clk.sleeps) != len(want) {
		t.Fatalf("sleeps %v", clk.sleeps)
	}
	for i, w := range want {
		if clk.sleeps[i] != w*time.Second {
			t.Errorf("sleep %d = %s, want %ds (all: %v)", i, clk.sleeps[i], w, clk.sleeps)
		}
	}
}

func TestBackoffHonoursRetryAfter(t *testing.T) {
	clk := &fakeClock{now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	b := New(Policy{Base: time.Second, Max: time.Minute}, clk)
	b.SetSleep(clk.Sleep)
	ctx := context.Background()

	// A wrapped 429 with Retry-After 30 s beats the 1 s policy delay.
	if err := b.Wait(ctx, fmt.Errorf("send: %w", rateLimited{30 * time.Second})); err != nil {
		t.Fatal(err)
	}
	// A Retry-After shorter than the policy delay changes nothing.
	_ = b.Wait(ctx, rateLimited{time.Second})
	// SetRetryAfter from a caller: next delay at least 45 s.
	b.SetRetryAfter(45 * time.Second)
	_ = b.Wait(ctx, errors.New("x"))
	// The Retry-After deadline passed: back to the policy.
	_ = b.Wait(ctx, errors.New("x"))
	want := []time.Duration{30 * time.Second, 2 * time.Second, 45 * time.Second, 8 * time.Second}
	for i, w := range want {
		if i >= len(clk.sleeps) || clk.sleeps[i] != w {
			t.Fatalf("sleeps %v, want %v", clk.sleeps, want)
		}
	}
	// Reset forgets a pending Retry-After.
	b.SetRetryAfter(time.Hour)
	b.Reset()
	if d := b.Next(errors.New("x")); d != time.Second {
		t.Errorf("after Reset: %s", d)
	}
}

func TestBackoffNextDoesNotSleep(t *testing.T) {
	clk := &fakeClock{now: time.Unix(0, 0)}
	b := New(Policy{Base: 100 * time.Millisecond, Max: time.Second}, clk)
	b.SetSleep(func(context.Context, time.Duration) error { t.Fatal("Next slept"); return nil })
	for i, w := range []time.Duration{100, 200, 400, 800, 1000} {
		if d := b.Next(errors.New("x")); d != w*time.Millisecond {
			t.Errorf("Next #%d = %s", i+1, d)
		}
	}
}

func TestBackoffWaitStopsWithContext(t *testing.T) {
	b := New(Policy{Base: time.Hour, Max: time.Hour}, nil) // real sleep, real clock
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Wait(ctx, errors.New("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context = %v", err)
	}
	if err := b.Wait(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(nil) on a cancelled context = %v", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := Sleep(context.Background(), time.Microsecond); err != nil {
		t.Errorf("Sleep(1µs) = %v", err)
	}
}
