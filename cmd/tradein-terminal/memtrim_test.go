package main

import (
	"testing"
	"time"
)

// TestTrimMemoryStopsWithTheWindow: runWindow may run again (restart after
// enrollment), so each run's trimmer must end when its window does.
func TestTrimMemoryStopsWithTheWindow(t *testing.T) {
	done := make(chan struct{})
	returned := make(chan struct{})
	go func() {
		trimMemory(done)
		close(returned)
	}()
	time.Sleep(firstTrim + 100*time.Millisecond) // one trim has run
	close(done)
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("trimMemory still running 5 s after done was closed")
	}
}
