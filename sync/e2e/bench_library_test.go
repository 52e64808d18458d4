package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tradein/cmd/platform-sim/sim"
	"tradein/sync/client"
	"tradein/sync/refresh"
)

// libraryBenchProducts is the size of BenchmarkLibrarySync1M.
const libraryBenchProducts = 1_000_000

// libSyncChildEnv carries a libSyncJob when the test binary is re-executed
// as the terminal process of BenchmarkLibrarySync1M.
const libSyncChildEnv = "TRADEIN_E2E_LIBSYNC_CHILD"

// libSyncJob is what the child syncs; libSyncReport is what it measured.
type libSyncJob struct {
	URL       string        `json:"url"`
	Creds     terminalCreds `json:"creds"`
	StorePath string        `json:"store_path"`
	PageLimit int           `json:"page_limit"` // 0: the refresher's default
}

type libSyncReport struct {
	Seconds  float64 `json:"seconds"`
	Staging  float64 `json:"staging_seconds"` // of Seconds: download and staging, before the commit
	Products int     `json:"products"`
	PeakKB   int64   `json:"peak_kb"` // VmHWM of the child: its peak resident set
}

var (
	libFixtureOnce sync.Once
	libFixtureDir  string
	libFixtureTC   terminalCreds
	libFixtureErr  error
)

// loadLibraryFixture returns a platform database holding 1,000,000
// products (and an enrolled terminal), built once per machine into
// os.TempDir. The benchmark only reads it.
func loadLibraryFixture(b *testing.B) (string, terminalCreds) {
	b.Helper()
	libFixtureOnce.Do(func() {
		key, err := schemaKey()
		if err != nil {
			libFixtureErr = err
			return
		}
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("tradein-bench-library-%d-%s", libraryBenchProducts, key))
		credsPath := filepath.Join(dir, "creds.json")
		if raw, err := os.ReadFile(credsPath); err == nil && json.Unmarshal(raw, &libFixtureTC) == nil {
			libFixtureDir = dir
			return
		}
		start := time.Now()
		removeStaleFixtures(dir)
		if err := os.RemoveAll(dir); err != nil {
			libFixtureErr = err
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			libFixtureErr = err
			return
		}
		p := startPlatform(b, filepath.Join(dir, "platform.db"), sim.Config{SyntheticProducts: libraryBenchProducts})
		libFixtureTC = enroll(b, p)
		raw, err := json.Marshal(libFixtureTC)
		if err != nil {
			libFixtureErr = err
			return
		}
		libFixtureErr = os.WriteFile(credsPath, raw, 0o644)
		libFixtureDir = dir
		b.Logf("built the %d-product platform library in %s (cached in %s)", libraryBenchProducts, time.Since(start).Round(time.Second), dir)
	})
	if libFixtureErr != nil {
		b.Fatal(libFixtureErr)
	}
	return filepath.Join(libFixtureDir, "platform.db"), libFixtureTC
}

// BenchmarkLibrarySync1M syncs a library of 1,000,000 products from the
// platform (served by this process on loopback) into a fresh store, in a
// child process so that its peak resident set (VmHWM) measures the
// terminal side alone. Reports seconds per sync (target ≤ 60), the child's
// peak RSS in MB (target ≤ 200) and its CPU seconds.
func BenchmarkLibrarySync1M(b *testing.B) {
	dbPath, tc := loadLibraryFixture(b)
	p := startPlatform(b, dbPath, sim.Config{})
	var secs, cpuSecs float64
	var peakKB int64
	for i := 0; i < b.N; i++ {
		job, err := json.Marshal(libSyncJob{URL: p.url, Creds: tc, StorePath: filepath.Join(b.TempDir(), "terminal.db")})
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), libSyncChildEnv+"="+string(job))
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("library sync child: %v", err)
		}
		var rep libSyncReport
		if err := json.Unmarshal(lastLine(stdout.Bytes()), &rep); err != nil {
			b.Fatalf("child report %q: %v", stdout.String(), err)
		}
		if rep.Products < libraryBenchProducts {
			b.Fatalf("child synced %d products, want at least %d", rep.Products, libraryBenchProducts)
		}
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		b.Logf("sync %d: %.1f s (download and staging %.1f s, commit %.1f s), terminal CPU %.1f s, peak RSS %.1f MB",
			i+1, rep.Seconds, rep.Staging, rep.Seconds-rep.Staging, cpu.Seconds(), float64(rep.PeakKB)/1024)
		secs += rep.Seconds
		cpuSecs += cpu.Seconds()
		peakKB = max(peakKB, rep.PeakKB)
	}
	b.ReportMetric(secs/float64(b.N), "s/sync")
	b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(libraryBenchProducts)*float64(b.N)/secs, "products/s")
	// The terminal's own CPU time (user+sys of the child): the part of the
	// sync this repository's terminal code is responsible for; the rest of
	// the wall time is the platform preparing pages.
	b.ReportMetric(cpuSecs/float64(b.N), "terminal-cpu-s")
}

// runLibSyncChild is the terminal side of BenchmarkLibrarySync1M: a fresh
// store, a full library sync, and a one-line JSON report on stdout.
func runLibSyncChild(jobJSON string) error {
	var job libSyncJob
	if err := json.Unmarshal([]byte(jobJSON), &job); err != nil {
		return err
	}
	st, err := openStorePath(job.StorePath)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := client.New(client.Config{BaseURL: job.URL, TerminalNo: job.Creds.TerminalNo, HMACSecret: job.Creds.Secret,
		Timeout: time.Minute, Logger: quiet})
	if err != nil {
		return err
	}
	start := time.Now()
	var staged time.Duration
	r, err := refresh.New(refresh.Config{Source: c, Library: st, PageLimit: job.PageLimit, Logger: quiet, OnProgress: func(p refresh.Progress) {
		if !p.Committed {
			staged = time.Since(start)
		}
	}})
	if err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := r.Library(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	n, err := st.LibraryProducts(ctx)
	if err != nil {
		return err
	}
	peak, err := vmHWM()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(libSyncReport{Seconds: took.Seconds(), Staging: staged.Seconds(), Products: n, PeakKB: peak})
}

// vmHWM reads this process's peak resident set size ("VmHWM") in kB from
// /proc/self/status. The kernel keeps it as a high-water mark, so it
// covers every moment of the sync, not just the end.
func vmHWM() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}
