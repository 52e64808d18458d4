package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The schema as numbered files: migrations/0001_init.sql, 0002_….sql, …
// A migration is never edited once released; a change is a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// embeddedMigrations parses the embedded files. The numbers must run
// 1, 2, 3, … without gaps, so that user_version N means "files 1..N ran".
func embeddedMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("store: list migrations: %w", err)
	}
	var migs []migration
	for _, n := range names {
		base := filepath.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_name.sql", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", base, err)
		}
		migs = append(migs, migration{version: v, name: base, sql: string(b)})
	}
	return checkMigrations(migs)
}

// checkMigrations sorts migs and checks that they are numbered 1..N.
func checkMigrations(migs []migration) ([]migration, error) {
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	if len(migs) == 0 {
		return nil, fmt.Errorf("store: no migrations embedded")
	}
	for i, m := range migs {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: expected number %d (numbers must run 1..N without gaps)", m.name, i+1)
		}
	}
	return migs, nil
}

// migrate brings the database to the newest version in migs: each missing
// step runs in its own transaction together with the user_version bump, so
// a crash leaves the database at the last completed step. Before the first
// step on a database that already has a schema, the database is copied to
// the backup directory.
func (s *Store) migrate(ctx context.Context, migs []migration) error {
	cur, err := userVersion(ctx, s.w)
	if err != nil {
		return err
	}
	latest := migs[len(migs)-1].version
	if cur > latest {
		// refuseNewer checked this read-only; another program may have
		// upgraded the file since. Nothing has been written either way.
		return refuseNewer(ctx, s.path, latest)
	}
	s.sealOnOpen = cur < sealVersion && latest >= sealVersion
	s.sealing = s.cipher != nil && latest >= sealVersion
	s.tagged = latest >= sealVersion
	if cur == latest {
		return nil
	}
	if cur > 0 {
		dst, err := s.upgradeBackup(ctx, cur)
		if err != nil {
			return err
		}
		s.log.Info("store: backed up database before upgrade", "from_version", cur, "to_version", latest, "backup", dst)
	}
	for _, m := range migs[cur:] {
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.name, err)
			}
			// PRAGMA takes no parameters; m.version is an int.
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return fmt.Errorf("store: migration %s: set version: %w", m.name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.log.Info("store: migrated", "version", m.version, "migration", m.name)
	}
	return nil
}

// userVersion reads PRAGMA user_version.
func userVersion(ctx context.Context, db queryer) (int, error) {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// upgradeBackup copies the database (at schema version old) to
// BackupDir/<name>-v<old>-<UTC time>.db and prunes older upgrade backups of
// this database to the newest KeepBackups.
func (s *Store) upgradeBackup(ctx context.Context, old int) (string, error) {
	if err := os.MkdirAll(s.opt.BackupDir, 0o700); err != nil {
		return "", fmt.Errorf("store: create backup directory: %w", err)
	}
	stamp := s.clock.Now().UTC().Format(backupStampLayout)
	dst := filepath.Join(s.opt.BackupDir, fmt.Sprintf("%s-v%d-%s.db", s.baseName(), old, stamp))
	if err := s.Backup(ctx, dst); err != nil {
		return "", fmt.Errorf("store: backup before upgrade refused the upgrade: %w", err)
	}
	if err := s.pruneUpgradeBackups(); err != nil {
		// The backup we need exists; failing to delete old ones must not
		// stop the terminal from starting.
		s.log.Warn("store: pruning old upgrade backups", "err", err)
	}
	return dst, nil
}

// backupStampLayout is the time in upgrade backup names: UTC to the
// nanosecond, so two upgrades never produce the same name, and names of
// one version sort by time.
const backupStampLayout = "20060102T150405.000000000Z"

// baseName is the database file name without its extension.
func (s *Store) baseName() string {
	b := filepath.Base(s.path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// pruneUpgradeBackups deletes all but the newest KeepBackups upgrade
// backups of this database (files <name>-v<N>-<stamp>.db), newest by the
// time in the name.
func (s *Store) pruneUpgradeBackups() error {
	ents, err := os.ReadDir(s.opt.BackupDir)
	if err != nil {
		return err
	}
	type bk struct {
		name string
		at   time.Time
	}
	var list []bk
	prefix := s.baseName() + "-v"
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, ".db") {
			continue
		}
		ver, stamp, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(n, prefix), ".db"), "-")
		if !ok {
			continue
		}
		if _, err := strconv.Atoi(ver); err != nil {
			continue
		}
		at, err := time.Parse(backupStampLayout, stamp)
		if err != nil {
			continue
		}
		list = append(list, bk{n, at})
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].at.Equal(list[j].at) {
			return list[i].at.After(list[j].at)
		}
		return list[i].name > list[j].name
	})
	var errs []string
	for i := s.opt.KeepBackups; i < len(list); i++ {
		if err := os.Remove(filepath.Join(s.opt.BackupDir, list[i].name)); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}
