package client_test

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"tradein/agent"
	"tradein/sync/client"
)

// BenchmarkVoucherTryCommit measures a clerk's online sale against
// platform-sim over loopback: one try and one commit through the client,
// signed, with the platform's SQLite writes. It reports try+commit pairs
// per second ("roundtrips/s") and the 99th-percentile latency of a pair
// ("p99-ms"). Codes are issued before the timer starts.
func BenchmarkVoucherTryCommit(b *testing.B) {
	e := startEnv(b, client.Config{})
	// A client without the test's schema validation: measure the product.
	plain, err := client.New(client.Config{BaseURL: e.url, Clock: e.clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	secret, _ := e.enr.Secret()
	c := plain.WithCredentials(e.enr.TerminalNo, secret)
	codes := make([]string, b.N)
	for i := range codes {
		codes[i] = e.code(agent.CatPhone).Code
	}
	price := agent.Yuan(3999)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		sn := uniq("SN")
		f, err := e.try(c, codes[i], mate70, sn, price)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.CommitVoucher(ctx, commitReq(f, mate70, sn, price, e.clock.Now())); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "roundtrips/s")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}
