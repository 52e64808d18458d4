package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
)

// drainBenchSales is the size of BenchmarkDrain100k.
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
		key, err := schemaKey()
		if err != nil {
			drainFixtureErr = err
			return
		}
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("tradein-bench-drain-%d-%s", drainBenchSales, key))
		if raw, err := os.ReadFile(filepath.Join(dir, "fixture.json")); err == nil {
			if json.Unmarshal(raw, &drainFixtureVal) == nil && drainFixtureVal.Sales == drainBenchSales {
				drainFixtureVal.Dir = dir
				return
			}
		}
		start := time.Now()
		removeStaleFixtures(dir)
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
	// The queue is what the drain reads, so the fixture fills only the
	// queue, a thousand rows per transaction: one SaveSale per sale (one
	// fsync each) would take minutes to build 100,000 of them. The tests
	// use SaveSale, as the workflow does.
	now := time.Now()
	for start := 0; start < len(vouchers); start += 1000 {
		var items []agent.OutboxItem
		for i := start; i < min(start+1000, len(vouchers)); i++ {
			_, item := kit.offlineSale(b, i, vouchers[i], now)
			items = append(items, item)
		}
		a := agent.AuditEntry{At: now, Actor: "bench", Action: "bench.enqueue", Detail: fmt.Sprintf("%d offline sales", len(items))}
		if _, err := st.Enqueue(context.Background(), a, items...); err != nil {
			return drainFixture{}, err
		}
	}
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
// over loopback: batches of 100, each item settled in the terminal's store.
// The drain runs in a child process (the terminal) and the platform in
// this one, so the child's CPU time is the terminal's share. Reports
// sales/s (target ≥ 2,000) and the terminal's CPU seconds.
func BenchmarkDrain100k(b *testing.B) {
	f := loadDrainFixture(b)
	var secs, cpuSecs float64
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
		job, err := json.Marshal(drainChildJob{StorePath: storeDB, URL: p.url, Creds: f.Creds, BatchSize: 100})
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), drainChildEnv+"="+string(job))
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		b.StartTimer()
		err = cmd.Run()
		b.StopTimer()
		if err != nil {
			b.Fatalf("drain child: %v", err)
		}
		var rep drainChildReport
		if err := json.Unmarshal(lastLine(stdout.Bytes()), &rep); err != nil {
			b.Fatalf("child report %q: %v", stdout.String(), err)
		}
		if rep.Delivered != f.Sales {
			b.Fatalf("child delivered %d of %d", rep.Delivered, f.Sales)
		}
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		b.Logf("drain %d: %d sales in %.1f s (%.0f sales/s), terminal CPU %.1f s", i+1, rep.Delivered, rep.Seconds,
			float64(rep.Delivered)/rep.Seconds, cpu.Seconds())
		secs += rep.Seconds
		cpuSecs += cpu.Seconds()
		b.StartTimer()
	}
	b.ReportMetric(float64(f.Sales*b.N)/secs, "sales/s")
	b.ReportMetric(secs/float64(b.N), "s/drain")
	b.ReportMetric(cpuSecs/float64(b.N), "terminal-cpu-s")
}

// schemaKey identifies the schemas a cached fixture was built with: a hash
// of the store's and the simulator's migration files. A fixture built by
// an older schema is rebuilt rather than misread.
func schemaKey() (string, error) {
	h := sha256.New()
	for _, dir := range []string{"../../agent/store/migrations", "../../cmd/platform-sim/sim/migrations"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil {
			return "", err
		}
		if len(files) == 0 {
			return "", fmt.Errorf("no migrations in %s", dir)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			h.Write([]byte(filepath.Base(f)))
			h.Write(raw)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// removeStaleFixtures deletes fixtures of older schemas next to keep (same
// name up to the schema key), so that schema changes do not fill the disk.
func removeStaleFixtures(keep string) {
	prefix := keep[:strings.LastIndex(keep, "-")+1]
	old, _ := filepath.Glob(prefix + "*")
	for _, dir := range old {
		if dir != keep {
			os.RemoveAll(dir)
		}
	}
}
