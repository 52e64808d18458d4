package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/sync/outbox"
)

// drainBenchSales is the size of BenchmarkDrain100k (issue 5 §5).
const drainBenchSales = 100_000

// drainFixture is a platform database with drainBenchSales issued vouchers
// and an enrolled terminal, and that terminal's store holding one queued
// offline sale per voucher. Building it takes a while, so it is built once
// per machine into os.TempDir and copied for every run.
type drainFixture struct {
	Dir   string        `json:"-"`
	Creds terminalCreds `json:"creds"`
	Sales int           `json:"sales"`
}

var (
	drainFixtureOnce sync.Once
	drainFixtureVal  drainFixture
	drainFixtureErr  error
)

// loadDrainFixture returns the cached fixture, building it when absent.
func loadDrainFixture(b *testing.B) drainFixture {
	b.Helper()
	drainFixtureOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("tradein-bench-drain-v1-%d", drainBenchSales))
		if raw, err := os.ReadFile(filepath.Join(dir, "fixture.json")); err == nil {
			if json.Unmarshal(raw, &drainFixtureVal) == nil && drainFixtureVal.Sales == drainBenchSales {
				drainFixtureVal.Dir = dir
				return
			}
		}
		start := time.Now()
		drainFixtureVal, drainFixtureErr = buildDrainFixture(b, dir)
		b.Logf("built the %d-sale drain fixture in %s (cached in %s)", drainBenchSales, time.Since(start).Round(time.Second), dir)
	})
	if drainFixtureErr != nil {
		b.Fatal(drainFixtureErr)
	}
	return drainFixtureVal
}

func buildDrainFixture(b *testing.B, dir string) (drainFixture, error) {
	if err := os.RemoveAll(dir); err != nil {
		return drainFixture{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return drainFixture{}, err
	}
	p := startPlatform(b, filepath.Join(dir, "platform.db"), sim.Config{})
	tc := enroll(b, p)
	kit := newSaleKit(b, newClient(b, p, tc, clientOpts{}), tc)
	vouchers := issueVouchers(b, p, "BD", drainBenchSales)
	st, err := openStorePath(filepath.Join(dir, "terminal.db"))
	if err != nil {
		return drainFixture{}, err
	}
	queueOfflineSales(b, st, kit, vouchers, time.Now())
	if err := st.Close(); err != nil {
		return drainFixture{}, err
	}
	if err := p.srv.Close(); err != nil {
		return drainFixture{}, err
	}
	f := drainFixture{Dir: dir, Creds: tc, Sales: drainBenchSales}
	raw, err := json.Marshal(f)
	if err != nil {
		return f, err
	}
	return f, os.WriteFile(filepath.Join(dir, "fixture.json"), raw, 0o644)
}

// copyDB copies a closed SQLite database (and its WAL, if any) into dir.
func copyDB(src, dir string) (string, error) {
	dst := filepath.Join(dir, filepath.Base(src))
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			return "", err
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			in.Close()
			return "", err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	return dst, nil
}

// BenchmarkDrain100k drains 100,000 queued offline sales to the platform
// over loopback: batches of 100, each item settled in the terminal's
// store. Reports sales/s (target ≥ 2,000).
func BenchmarkDrain100k(b *testing.B) {
	f := loadDrainFixture(b)
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		platformDB, err := copyDB(filepath.Join(f.Dir, "platform.db"), dir)
		if err != nil {
			b.Fatal(err)
		}
		storeDB, err := copyDB(filepath.Join(f.Dir, "terminal.db"), dir)
		if err != nil {
			b.Fatal(err)
		}
		p := startPlatform(b, platformDB, sim.Config{})
		st, err := openStorePath(storeDB)
		if err != nil {
			b.Fatal(err)
		}
		d, err := outbox.New(outbox.Config{Outbox: st, Sales: st, Platform: newClient(b, p, f.Creds, clientOpts{}), Retry: fastRetry, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start := time.Now()
		res, err := d.Drain(ctx)
		took := time.Since(start)
		total += took

		b.StopTimer()
		if err != nil || res.Delivered != f.Sales || res.LastErr != nil {
			b.Fatalf("drain: delivered %d of %d, err %v, last %v", res.Delivered, f.Sales, err, res.LastErr)
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(f.Sales*b.N)/total.Seconds(), "sales/s")
	b.ReportMetric(total.Seconds()/float64(b.N), "s/drain")
}
