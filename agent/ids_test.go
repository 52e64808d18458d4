package agent

import (
	"strings"
	"testing"
	"time"
)

func TestIDGenMonotonicAcrossClockSteps(t *testing.T) {
	g := newIDGen("T-00/01")
	at := time.Date(2026, 3, 10, 2, 0, 0, 5_000_000, time.UTC)
	a := g.next(prefixOrder, at)
	b := g.next(prefixOrder, at)                       // same millisecond
	c := g.next(prefixOrder, at.Add(-time.Hour))       // the clock stepped back
	d := g.next(prefixOrder, at.Add(time.Millisecond)) // caught up
	if !strings.HasPrefix(a, "OT0001202603100200000") || len(a) != len("OT000120260310020000005")+4 {
		t.Fatalf("format %q", a)
	}
	if !(a < b && b < c && c < d) {
		t.Fatalf("not increasing: %s %s %s %s", a, b, c, d)
	}
	if a[len(a)-4:] == b[len(b)-4:] && a[:len(a)-4] == b[:len(b)-4] {
		t.Fatal("duplicate")
	}
}
