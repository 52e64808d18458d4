package wiring

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"tradein/agent"
	"tradein/cmd/platform-sim/sim"
)

// enrolledDir returns the data directory of an enrolled, provisioned,
// closed installation with one backup in backups/.
func enrolledDir(t *testing.T) (string, Layout) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := startPlatform(t)
	dir := t.TempDir()
	a, err := New(ctx, Options{DataDir: dir, PlatformURL: p.url, EnrollCode: sim.DemoEnrollmentCode,
		Fingerprint: "fp-start-error"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Provision(ctx, a, io.Discard, Setup{SeedDemoStaff: true}); err != nil {
		t.Fatal(err)
	}
	l := a.Layout()
	if err := a.Store().Backup(ctx, l.Backups+"/terminal-20261201-090000.db"); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, l
}

// startRefused checks that New refuses dir with a StartError whose text
// holds every want.
func startRefused(t *testing.T, dir string, want ...string) {
	t.Helper()
	a, err := New(context.Background(), Options{DataDir: dir, Fingerprint: "fp-start-error"})
	if err == nil {
		a.Close()
		t.Fatal("the app started")
	}
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *StartError", err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if se.Fix == "" {
		t.Errorf("StartError %q names no fix", err)
	}
}

// TestStartRefusesLostDatabase: an enrolled installation whose terminal.db
// was truncated to 0 bytes, deleted or overwritten does not start with an
// empty shop; it names the newest backup to restore and leaves the files
// as they are (before, a 0-byte or missing file became a new empty
// database and the app started without a warning).
func TestStartRefusesLostDatabase(t *testing.T) {
	dir, l := enrolledDir(t)
	bak := l.NewestBackup()
	for _, p := range []string{l.DB + "-wal", l.DB + "-shm"} {
		os.Remove(p)
	}
	t.Run("empty", func(t *testing.T) {
		if err := os.Truncate(l.DB, 0); err != nil {
			t.Fatal(err)
		}
		startRefused(t, dir, "empty (0 bytes)", "terminalctl restore "+bak)
		if fi, err := os.Stat(l.DB); err != nil || fi.Size() != 0 {
			t.Errorf("the empty database was changed: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if err := os.Remove(l.DB); err != nil {
			t.Fatal(err)
		}
		startRefused(t, dir, "is missing", "terminalctl restore "+bak)
		if _, err := os.Stat(l.DB); err == nil {
			t.Error("a new database was created")
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		if err := os.WriteFile(l.DB, []byte(strings.Repeat("damaged sector ", 300)), 0o600); err != nil {
			t.Fatal(err)
		}
		startRefused(t, dir, "cannot be opened", "terminalctl restore "+bak)
	})
}

// TestStartRefusesMissingFieldKey: the field key of an installation with
// data is never silently replaced by a new one (which would open none of
// the sealed data); the error names the fix and no key file appears.
func TestStartRefusesMissingFieldKey(t *testing.T) {
	dir, l := enrolledDir(t)
	if err := os.Remove(l.FieldKey); err != nil {
		t.Fatal(err)
	}
	startRefused(t, dir, "field.key", "is missing", "copy field.key back")
	if _, err := os.Stat(l.FieldKey); err == nil {
		t.Error("a new field.key was created")
	}
}

// TestFreshInstallStillStarts: an empty data directory, and one holding
// only a 0-byte database file nobody enrolled, start as a new installation.
func TestFreshInstallStillStarts(t *testing.T) {
	for name, prep := range map[string]func(l Layout) error{
		"empty folder":   func(Layout) error { return nil },
		"0-byte db only": func(l Layout) error { return os.WriteFile(l.DB, nil, 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := prep(NewLayout(dir)); err != nil {
				t.Fatal(err)
			}
			a, err := New(context.Background(), Options{DataDir: dir, PlatformURL: "http://127.0.0.1:9"})
			if err != nil {
				t.Fatal(err)
			}
			a.Close()
		})
	}
}

// TestEnrollmentCodeCountsCharacters: the enrollment code's limit is 64
// characters, as on the platform: a code of 64 Chinese characters reaches
// the platform (which does not know it), one of 65 is refused at the
// terminal with a sentence about its length.
func TestEnrollmentCodeCountsCharacters(t *testing.T) {
	ctx := context.Background()
	p := startPlatform(t)
	a, err := New(ctx, Options{DataDir: t.TempDir(), PlatformURL: p.url, Fingerprint: "fp-chars"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, err = a.Support().Enroll(ctx, strings.Repeat("码", 64))
	if err == nil || agent.CodeOf(err) == agent.CodeInvalidRequest {
		t.Errorf("64-character code: %v; want the platform's answer about an unknown code", err)
	}
	_, err = a.Support().Enroll(ctx, strings.Repeat("码", 65))
	if agent.CodeOf(err) != agent.CodeInvalidRequest || !strings.Contains(err.Error(), "65 characters") {
		t.Errorf("65-character code: %v; want INVALID_REQUEST naming its length", err)
	}
}

// TestDiskTroubleIsNamed: a read-only data directory refuses the start
// with the real cause and its fix; a nearly full disk shows in the
// Terminal's status (the status bar) with how much to free.
func TestDiskTroubleIsNamed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := New(ctx, Options{DataDir: dir, PlatformURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	readOnly := func(string) (uint64, bool, error) { return 10 << 30, true, nil }
	_, err = New(ctx, Options{DataDir: dir, PlatformURL: "http://127.0.0.1:9", DiskState: readOnly})
	var se *StartError
	if !errors.As(err, &se) || !strings.Contains(se.Problem, "read-only") || !strings.Contains(se.Fix, "remount") {
		t.Fatalf("start on a read-only data directory: %v", err)
	}

	nearlyFull := func(string) (uint64, bool, error) { return 10 << 20, false, nil }
	b, err := New(ctx, Options{DataDir: dir, PlatformURL: "http://127.0.0.1:9", DiskState: nearlyFull})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st := b.Terminal().Status(ctx)
	var full *agent.DiskFullError
	if !errors.As(st.Disk, &full) || full.NeedMB < minFreeMB-10 || len(st.Problems) == 0 {
		t.Fatalf("status with 10 MB free: disk %v, problems %v; want DISK_FULL naming what to free", st.Disk, st.Problems)
	}
}
