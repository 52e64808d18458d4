package agent

import (
	"testing"
	"time"
)

var wedgeT0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func typeKeys(w *Wedge, s string, start time.Time, gap time.Duration) time.Time {
	at := start
	for _, r := range s {
		w.Rune(r, at)
		at = at.Add(gap)
	}
	return at
}

func TestWedgeFastKeysAreAScan(t *testing.T) {
	var w Wedge
	end := typeKeys(&w, "6901234567892", wedgeT0, 8*time.Millisecond)
	code, ok := w.Enter(end)
	if !ok || code != "6901234567892" {
		t.Fatalf("Enter = %q, %v", code, ok)
	}
}

func TestWedgeSlowTypingIsNotAScan(t *testing.T) {
	var w Wedge
	end := typeKeys(&w, "6901234567892", wedgeT0, 120*time.Millisecond)
	if code, ok := w.Enter(end); ok {
		t.Fatalf("slow typing became a scan: %q", code)
	}
}

func TestWedgeBoundaryIs50ms(t *testing.T) {
	var w Wedge
	end := typeKeys(&w, "12345678", wedgeT0, 50*time.Millisecond)
	if _, ok := w.Enter(end); !ok {
		t.Fatal("keys exactly 50 ms apart must be a scan")
	}
	end = typeKeys(&w, "12345678", wedgeT0, 51*time.Millisecond)
	if _, ok := w.Enter(end); ok {
		t.Fatal("keys 51 ms apart must be typing")
	}
}

func TestWedgeTypingThenScan(t *testing.T) {
	var w Wedge
	// A clerk types "ab" slowly, then scans: only the scan is reported.
	at := typeKeys(&w, "ab", wedgeT0, 300*time.Millisecond)
	at = typeKeys(&w, "SN20261121", at.Add(time.Second), 5*time.Millisecond)
	code, ok := w.Enter(at)
	if !ok || code != "SN20261121" {
		t.Fatalf("Enter = %q, %v", code, ok)
	}
	// Too short to be a code, and a late Enter.
	at = typeKeys(&w, "123", at, 5*time.Millisecond)
	if _, ok := w.Enter(at); ok {
		t.Fatal("3 keys are not a scan")
	}
	at = typeKeys(&w, "12345678", at, 5*time.Millisecond)
	if _, ok := w.Enter(at.Add(time.Second)); ok {
		t.Fatal("Enter a second later is the clerk's, not the scanner's")
	}
}
