package wiring

import (
	"context"
	"sort"
	"testing"
	"time"

	"tradein/devices/devsim/devsimtest"
)

// BenchmarkScanToTerminal measures the wiring's share of scan-to-screen:
// from devsim writing a code into the scanner's pseudo-terminal to the
// classified event arriving on Terminal.Scans(), which the UI reads
// (serial driver, framer, classification, fan-out). The UI's own share,
// from Scans() to the redrawn widget, is measured in ui/. Target for the
// whole path: p99 ≤ 50 ms.
func BenchmarkScanToTerminal(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := startPlatform(b)
	d := devsimtest.Start(b, "")
	dir := b.TempDir()
	writeDeviceConfig(b, dir, p.url, d)
	a, err := New(ctx, Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	a.Start(ctx)
	scans := a.Terminal().Scans()
	// The first scan waits for the port to open; it is not measured.
	if err := d.Scanner.Send(phoneBarcode); err != nil {
		b.Fatal(err)
	}
	select {
	case <-scans:
	case <-ctx.Done():
		b.Fatal("the scanner never delivered")
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := d.Scanner.Send(phoneBarcode); err != nil {
			b.Fatal(err)
		}
		select {
		case <-scans:
			lat = append(lat, time.Since(start))
		case <-ctx.Done():
			b.Fatalf("scan %d lost", i)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
}
