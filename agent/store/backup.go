package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tradein/agent"
)

// queryer is what *sql.DB, *sql.Conn and *sql.Tx share for reads.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Backup writes a consistent copy of the database to dst with VACUUM INTO.
// It is safe while the app runs: it reads one snapshot through a read
// connection, so sales keep committing meanwhile. dst must not exist. The
// copy is fsynced before Backup returns. Sealed fields stay sealed: the
// copy is as safe to carry as the original, and needs the same key file.
func (s *Store) Backup(ctx context.Context, dst string) error {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("store: backup path: %w", err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("store: backup %s: file already exists", abs)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return fmt.Errorf("store: backup directory: %w", err)
	}
	// A connection of its own: the read pool is query_only, and the write
	// connection must stay free for sales while a large copy runs.
	conn := dsn(s.path, roleBackup)
	if s.readOnly {
		conn = readOnlyDSNFor(s.path, false)
	}
	db, err := sql.Open("sqlite", conn)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	if err := syncFile(abs); err != nil {
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	return nil
}

// Restore puts the backup file src in place of the database at dst. The
// program that uses dst must be stopped (terminalctl restore stops the app
// first): Restore replaces the file under any open connection.
//
// src is checked first and left unchanged: it must be a terminal database
// (application_id), no newer than this program, pass integrity_check and
// have an intact audit chain. The current dst, if any, is kept as
// BackupDir/<name>-pre-restore-<UTC time>.db. The copy is written next to
// dst, fsynced and renamed over it, so a crash leaves either the old or
// the restored database, never a mix. The head file beside dst
// (headfile.go) is rewritten for the restored database, tagged with
// opt.Cipher. Migrations, if src is older, run at
// the next Open (with their own backup).
func Restore(ctx context.Context, src, dst string, opt Options) error {
	srcAbs, err := filepath.Abs(src)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	dstAbs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if srcAbs == dstAbs {
		return agent.Errorf(agent.CodeInvalidRequest, "store: restore: source and destination are the same file")
	}
	if opt.Clock == nil {
		opt.Clock = agent.SystemClock{}
	}
	if opt.BackupDir == "" {
		opt.BackupDir = filepath.Join(filepath.Dir(dstAbs), "backups")
	}
	migs, err := embeddedMigrations()
	if err != nil {
		return err
	}
	if _, err := os.Stat(srcAbs); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if err := refuseNewer(ctx, srcAbs, migs[len(migs)-1].version); err != nil {
		return fmt.Errorf("store: restore from %s refused: %w", filepath.Base(srcAbs), err)
	}
	db, err := sql.Open("sqlite", fileURI(srcAbs)+"?mode=ro")
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer db.Close()
	if err := integrityCheck(ctx, db); err != nil {
		return fmt.Errorf("store: restore from %s refused: %w", filepath.Base(srcAbs), err)
	}
	if _, err := verifyAudit(ctx, db); err != nil {
		return fmt.Errorf("store: restore from %s refused: %w", filepath.Base(srcAbs), err)
	}

	stamp := opt.Clock.Now().UTC().Format(backupStampLayout)
	if _, err := os.Stat(dstAbs); err == nil {
		base := strings.TrimSuffix(filepath.Base(dstAbs), filepath.Ext(dstAbs))
		keep := filepath.Join(opt.BackupDir, fmt.Sprintf("%s-pre-restore-%s.db", base, stamp))
		if err := os.MkdirAll(opt.BackupDir, 0o700); err != nil {
			return fmt.Errorf("store: restore: %w", err)
		}
		cur, err := sql.Open("sqlite", dsn(dstAbs, roleBackup))
		if err != nil {
			return fmt.Errorf("store: restore: %w", err)
		}
		_, err = cur.ExecContext(ctx, "VACUUM INTO ?", keep)
		cur.Close()
		if err != nil {
			return fmt.Errorf("store: restore: keep the current database: %w", err)
		}
		if err := syncFile(keep); err != nil {
			return fmt.Errorf("store: restore: keep the current database: %w", err)
		}
	}

	tmp := dstAbs + ".restoring"
	_ = os.Remove(tmp)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("store: restore: copy %s: %w", filepath.Base(srcAbs), err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	// The old database's WAL and shared-memory index belong to the old
	// file; left behind they would be replayed onto the restored one.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dstAbs + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: restore: %w", err)
		}
	}
	if err := os.Rename(tmp, dstAbs); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	// The head file beside the database described the database just
	// replaced: record the restored one's head (headfile.go), or remove
	// the stale file when no key was given to tag a new one.
	var tag func(string, ...string) string
	if opt.Cipher != nil {
		tag = opt.Cipher.Tag
	}
	if err := writeHeadOf(ctx, db, dstAbs, tag); err != nil {
		return fmt.Errorf("store: restore: head file: %w", err)
	}
	return syncFile(dstAbs)
}

// syncFile makes the file owner-only and fsyncs it and its directory, so
// that a backup made just before a migration survives a power cut during
// the migration.
func syncFile(path string) error {
	if err := os.Chmod(path, 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // not supported on every platform (Windows); best effort
		d.Close()
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns nil when SQLite
// answers "ok", or an error listing (up to 20 of) the problems it found.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	return integrityCheck(ctx, s.r)
}

func integrityCheck(ctx context.Context, db queryer) error {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	if len(msgs) == 0 {
		return errors.New("store: integrity check returned nothing")
	}
	return fmt.Errorf("store: integrity check failed: %s", strings.Join(msgs, "; "))
}
