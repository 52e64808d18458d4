package asynctest

import (
	"errors"
	"testing"
	"time"
)

// TestSettleRunsBackgroundResultsOnTheCaller: work handed back with Do runs
// on the goroutine that settles, after the background work finished, in
// the order it was handed back; nothing runs before Settle.
func TestSettleRunsBackgroundResultsOnTheCaller(t *testing.T) {
	l := New()
	var got []int // touched only on this goroutine, as widgets are
	release := make(chan struct{})
	for i := range 3 {
		l.Go(func() {
			<-release
			l.Do(func() { got = append(got, i) })
		})
	}
	close(release)
	if len(got) != 0 {
		t.Fatal("a Do ran before Settle")
	}
	if err := l.Settle(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %v after Settle, want 3 results", got)
	}
	// Do from a Do's function runs in the same Settle.
	l.Do(func() { l.Do(func() { got = append(got, 9) }) })
	if err := l.Settle(10 * time.Second); err != nil || got[len(got)-1] != 9 {
		t.Fatalf("nested Do: %v %v", got, err)
	}
}

func TestUntilStopsAtTheCondition(t *testing.T) {
	l := New()
	n := 0
	for range 5 {
		l.Do(func() { n++ })
	}
	if err := l.Until(func() bool { return n == 2 }, 10*time.Second); err != nil || n != 2 {
		t.Fatalf("Until n == 2: n = %d, %v", n, err)
	}
	if err := l.Settle(10 * time.Second); err != nil || n != 5 {
		t.Fatalf("Settle: n = %d, %v", n, err)
	}
}

func TestWaitsGiveUp(t *testing.T) {
	l := New()
	block := make(chan struct{})
	defer close(block)
	l.Go(func() { <-block })
	if err := l.Settle(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Settle with work in flight = %v, want ErrTimeout", err)
	}
	if err := l.Until(func() bool { return false }, 10*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Until never = %v, want ErrTimeout", err)
	}
}
