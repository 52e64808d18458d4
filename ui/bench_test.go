package ui

import (
	"sort"
	"testing"
	"time"

	"tradein/agent"
)

// BenchmarkScanToScreen measures a scan's way to the screen: from
// Terminal.HandleScan (where a scanner driver delivers it) through the
// main window's scan pump and the sale wizard's product lookup in the real
// SQLite store to the product shown on the wizard, on Fyne's test driver.
// Iterations alternate two products (a fridge that needs an old appliance,
// a phone that needs its SN), so every scan changes the product lines and
// which steps are shown: the costly case. The figure includes the
// status-bar refresh each step triggers (inline in the test; beside the
// screen in the app). Target: p99 ≤ 50 ms.
func BenchmarkScanToScreen(b *testing.B) {
	f := newFixture(b)
	m := f.open()
	f.login("C1", "1234")
	if m.sale == nil {
		b.Fatal("clerk has no sale screen")
	}
	products := []agent.Product{fridge, phone}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := products[i%2]
		start := time.Now()
		f.term.HandleScan(agent.ScanEvent{Value: p.Barcode, Source: "bench"})
		f.wait(1)
		lat = append(lat, time.Since(start))
		if i%64 == 0 && !f.shows(p.Brand+" "+p.Model) {
			b.Fatalf("scan %d: %s is not on the screen: %q", i, p.Model, f.texts())
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
}
