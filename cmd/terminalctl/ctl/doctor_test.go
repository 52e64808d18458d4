package ctl

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/sync/api"

	_ "modernc.org/sqlite"
)

func TestDoctorHealthy(t *testing.T) {
	dir := newDataDir(t)
	r := run(t, dir, "", "doctor")
	if r.code != ExitOK {
		t.Fatalf("doctor on a healthy data directory: %s", r)
	}
	mustContain(t, r, "✓ 配置 config.json", "✓ 磁盘 Disk space", "✓ 密钥 field.key: present, mode 0600",
		"! 串口 Serial ports: none found", "! 加密 TLS: plain HTTP", "✓ 平台 Platform reachable",
		"✓ 签名 Signed requests", "✓ 数据库 Database", "not newer than this program",
		"✓ 完整性 integrity_check: ok", "✓ 审计链 Audit chain:", "entries verified", "no problems found")
}

// TestDoctorPorts lists ports with VID/PID and fails on a configured port
// that is gone.
func TestDoctorPorts(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	cfg, err := wiring.LoadConfig(l.Config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Devices.Scanner.Port = "/dev/ttyUSB0"
	cfg.Devices.Printer.Port = "/dev/ttyUSB7"
	if err := wiring.SaveConfig(l.Config, cfg); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"--data-dir", dir, "doctor"}, Env{Stdout: &out, Stderr: &errb,
		Clock: fixedClock{testNow}, PortLister: usbPorts})
	r := result{code, out.String(), errb.String()}
	if code != ExitProblem {
		t.Fatalf("doctor with a missing printer port: %s", r)
	}
	mustContain(t, r, "✓ 串口 Serial ports: 2 found", "/dev/ttyUSB0 (USB 1A86:7523 USB Serial)",
		"✓ 扫码枪 Scanner port: /dev/ttyUSB0 present", "✗ 打印机 Printer port: /dev/ttyUSB7 is configured but does not exist")
}

func TestDoctorPlatformDown(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	cfg, _ := wiring.LoadConfig(l.Config)
	cfg.PlatformURL = "http://127.0.0.1:1" // nothing listens on port 1
	if err := wiring.SaveConfig(l.Config, cfg); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor with the platform down: %s", r)
	}
	mustContain(t, r, "✗ 平台 Platform reachable: http://127.0.0.1:1")
}

func TestDoctorFieldKeyMode(t *testing.T) {
	dir := newDataDir(t)
	if err := os.Chmod(wiring.NewLayout(dir).FieldKey, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor with a world-readable key: %s", r)
	}
	// The key is still used for the database checks.
	mustContain(t, r, "✗ 密钥 field.key: mode 0644", "chmod 600", "✓ 审计链 Audit chain")
}

// TestDoctorBrokenAuditChain edits one audit entry behind the app's back
// and expects doctor to name it.
func TestDoctorBrokenAuditChain(t *testing.T) {
	dir := newDataDir(t)
	db, err := sql.Open("sqlite", wiring.NewLayout(dir).DB)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`UPDATE audit_log SET detail = 'edited by hand' WHERE seq = 3`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("edited %d rows", n)
	}
	db.Close()
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor with a broken audit chain: %s", r)
	}
	mustContain(t, r, "✗ 审计链 Audit chain: BROKEN after 2 good entries", "audit chain broken at seq 3",
		"entry edited", "first broken entry: seq 3", "1 problem(s) found")
}

// TestDoctorCorruptDatabase damages the file as a failing disk would:
// bytes overwritten in the middle of the file, or whole pages of the
// second half (table and index pages; page 1 with the schema intact, so
// the file still opens and integrity_check is what finds the damage).
// Either way doctor must say the database is damaged, and never crash.
func TestDoctorCorruptDatabase(t *testing.T) {
	const page = 4096
	cases := map[string]func(f *os.File, size int64) error{
		"4 KiB in the middle": func(f *os.File, size int64) error {
			_, err := f.WriteAt(bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 1024), size/2)
			return err
		},
		// Hits the schema's pages too: the file no longer opens.
		"16 KiB in the middle": func(f *os.File, size int64) error {
			_, err := f.WriteAt(bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 4096), size/2)
			return err
		},
		"pages of the second half": func(f *os.File, size int64) error {
			junk := make([]byte, page)
			for i := range junk {
				junk[i] = byte(i*7 + 3)
			}
			for p := size / page / 2; p < size/page; p += 3 {
				if _, err := f.WriteAt(junk, p*page); err != nil {
					return err
				}
			}
			return nil
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := newDataDir(t)
			path := wiring.NewLayout(dir).DB
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := damage(f, fi.Size()); err != nil {
				t.Fatal(err)
			}
			f.Close()
			r := run(t, dir, "", "doctor")
			if r.code != ExitProblem {
				t.Fatalf("doctor with a corrupted database: %s", r)
			}
			if !strings.Contains(r.stdout, "DATABASE FILE DAMAGED") && !strings.Contains(r.stdout, "DAMAGED, cannot be opened") {
				t.Fatalf("doctor does not say the database is damaged: %s", r)
			}
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.Contains(l, "✗") {
					t.Log(l)
				}
			}
		})
	}
}

// TestDoctorNoDatabase reports a wrong data directory without creating
// anything there.
func TestDoctorNoDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor on an empty directory: %s", r)
	}
	mustContain(t, r, "no database at", "check --data-dir")
	if _, err := os.Stat(filepath.Join(dir, "terminal.db")); err == nil {
		t.Fatal("doctor created a database")
	}
}

// TestDoctorDatabaseTooNew: a database written by a newer program is
// reported and left untouched.
func TestDoctorDatabaseTooNew(t *testing.T) {
	dir := newDataDir(t)
	path := wiring.NewLayout(dir).DB
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor with a newer database: %s", r)
	}
	mustContain(t, r, "✗ 数据库 Database: NEWER THAN THIS PROGRAM", "schema version 99", "install the newer program")
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("doctor changed a database newer than the program")
	}
}

// TestDoctorNamesEachTamperingEdit makes each edit an outsider can make
// with a SQLite tool, none of which breaks the audit chain's links, and
// expects doctor to fail and name it.
func TestDoctorNamesEachTamperingEdit(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"clerk promoted to manager", `UPDATE staff SET role = 'MANAGER' WHERE id = '1001'`, "staff record edited (role or PIN) [STAFF_EDITED]: staff 1001 (now role MANAGER"},
		{"audit tail deleted", `DELETE FROM audit_log WHERE seq > 3`, "newest audit entries deleted [AUDIT_TAIL_DELETED]"},
		{"audit log emptied", `DELETE FROM audit_log`, "newest audit entries deleted [AUDIT_TAIL_DELETED]: all"},
		{"sales deleted", `DELETE FROM sales WHERE order_no = 'O-T0001-000004'`, "sales deleted [SALES_DELETED]: 1 sales rows deleted"},
		{"outbox emptied", `DELETE FROM outbox`, "unsynced outbox items deleted [OUTBOX_DELETED]: 3 outbox items deleted"},
		{"outbox item re-keyed", `UPDATE outbox SET order_no = 'O-T0001-000099' WHERE seq = (SELECT MIN(seq) FROM outbox)`,
			"outbox item edited [OUTBOX_EDITED]: outbox item 1 (SALE_OFFLINE of order O-T0001-000099)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := newDataDir(t)
			db, err := sql.Open("sqlite", wiring.NewLayout(dir).DB)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			db.Close()
			r := run(t, dir, "", "doctor")
			if r.code != ExitProblem {
				t.Fatalf("doctor after %q: %s", tc.sql, r)
			}
			mustContain(t, r, "✗ 篡改 Tamper evidence: EDITED OUTSIDE THE APP", tc.want)
		})
	}
}

// TestDoctorDatabaseSwappedForOlderCopy: an older copy of terminal.db put
// in place by hand is named; a restore through terminalctl is not.
func TestDoctorDatabaseSwappedForOlderCopy(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	old := filepath.Join(t.TempDir(), "old.db")
	if r := run(t, dir, "", "backup", "--out", old); r.code != ExitOK {
		t.Fatalf("backup: %s", r)
	}
	// One more audited change after the copy.
	if r := run(t, dir, managerID+"\n"+managerPIN+"\n87654321\n87654321\n", "staff", "reset-pin", clerkID); r.code != ExitOK {
		t.Fatalf("reset-pin: %s", r)
	}
	b, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(l.DB + "-wal")
	os.Remove(l.DB + "-shm")
	if err := os.WriteFile(l.DB, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "doctor")
	if r.code != ExitProblem {
		t.Fatalf("doctor after the swap: %s", r)
	}
	mustContain(t, r, "database replaced by an older copy [DATABASE_ROLLED_BACK]")

	if r := run(t, dir, "", "restore", old); r.code != ExitOK {
		t.Fatalf("restore: %s", r)
	}
	if r := run(t, dir, "", "doctor"); strings.Contains(r.stdout, "✗ 篡改") {
		t.Fatalf("doctor after a restore: %s", r)
	}
}

// TestAnchorFlagShownByStatusAndDoctor: the platform answered a delivery
// with SHORTER (the app saved it); status and doctor, even with the
// platform unreachable, say so and fail.
func TestAnchorFlagShownByStatusAndDoctor(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	c := &cli{env: Env{Clock: fixedClock{testNow}}, layout: l, log: quiet}
	ctx := context.Background()
	s, err := c.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = s.SaveAnchorResult(ctx, store.AnchorResult{Verdict: api.AnchorShorter, AuditSeq: 3, CheckedAt: testNow,
		Flagged: "SHORTER: reported audit head 3 after head 11 had been anchored"})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	st := run(t, dir, "", "status")
	if st.code != ExitProblem {
		t.Fatalf("status: %s", st)
	}
	mustContain(t, st, "FLAGGED BY THE PLATFORM: SHORTER at audit entry 3", "after head 11 had been anchored")

	cfg, _ := wiring.LoadConfig(l.Config)
	cfg.PlatformURL = "http://127.0.0.1:1" // nothing listens on port 1
	if err := wiring.SaveConfig(l.Config, cfg); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, "", "doctor")
	mustContain(t, r, "✗ 审计锚 Platform copy of the audit head: the platform could not be asked",
		"the platform's last answer", "SHORTER for audit head 3")
}
