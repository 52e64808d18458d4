package ctl

import (
	"context"
	"errors"
	"fmt"

	"os"
	"path/filepath"
	"strings"

	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
)

// runBackup writes a consistent copy of the database with VACUUM INTO
// (store.Backup: safe while the app runs, sales keep committing), then
// verifies the copy: integrity_check and the audit chain.
func (c *cli) runBackup(ctx context.Context, args []string) error {
	fs := newFlagSet("backup")
	out := fs.String("out", "", "backup file (default DATA-DIR/backups/terminal-<UTC time>.db); must not exist")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("backup", pos, 0); err != nil {
		return err
	}
	dst := *out
	if dst == "" {
		if _, readOnly, err := c.env.DiskState(c.layout.Dir); err == nil && readOnly {
			return fmt.Errorf("the data directory %s is read-only, so the backup cannot go to its backups folder: "+
				"write it to another disk with --out FILE (the database is only read)", c.layout.Dir)
		}
		dst = filepath.Join(c.layout.Backups, "terminal-"+c.env.Clock.Now().UTC().Format("20060102-150405")+".db")
	}
	ci, err := c.cipher()
	if err != nil {
		return err
	}
	s, err := c.openReadOnlyWith(ctx, ci)
	if err != nil {
		return err
	}
	err = s.Backup(ctx, dst)
	s.Close()
	if err != nil {
		return err
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "备份 Backup written: %s (%s)\n", dst, humanBytes(fi.Size()))
	n, err := c.verifyBackup(ctx, dst)
	if err != nil {
		return fmt.Errorf("the backup %s does NOT verify: %w", dst, err)
	}
	fmt.Fprintf(c.env.Stdout, "校验 Verified: integrity_check ok, audit chain of %d entries intact\n", n)
	fmt.Fprintln(c.env.Stdout, "Keep field.key with it: the consumer data in the copy is sealed with that key.")
	return nil
}

// verifyBackup checks a backup file without changing it: store.Restore's
// own verification (terminal database, not newer, integrity_check, audit
// chain) run against a scratch destination in a temporary folder beside
// the backup, which is then removed. It returns the number of audit
// entries verified.
func (c *cli) verifyBackup(ctx context.Context, path string) (int, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".terminalctl-verify-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	scratch := filepath.Join(tmp, "terminal.db")
	if err := store.Restore(ctx, path, scratch, store.Options{Clock: c.env.Clock, BackupDir: tmp}); err != nil {
		return 0, err
	}
	ci, err := c.cipher()
	if err != nil {
		return 0, err
	}
	s, err := store.Open(ctx, scratch, store.Options{Cipher: ci, BackupDir: tmp, Clock: c.env.Clock, Logger: c.log})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	return s.VerifyAudit(ctx)
}

// runRestore puts a verified backup in place of the database. It holds
// terminal.lock while it works, so the app cannot start meanwhile, and
// refuses when the app holds it, unless --force.
func (c *cli) runRestore(ctx context.Context, args []string) error {
	fs := newFlagSet("restore")
	force := fs.Bool("force", false, "restore even though the app holds terminal.lock (then restart the app at once)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("restore", pos, 1); err != nil {
		return err
	}
	src := pos[0]
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup file: %w", err)
	}
	w := c.env.Stdout
	lock, err := wiring.LockDataDir(c.lockPath())
	switch {
	case errors.Is(err, wiring.ErrDataDirLocked) && !*force:
		fmt.Fprintf(c.env.Stderr, "恢复被拒绝 RESTORE REFUSED: the terminal app is running (it holds %s).\n"+
			"Close the app (关闭收银程序) and run restore again. The app keeps the database open and would go on\n"+
			"writing into the file being replaced. --force restores anyway; the app must then be restarted at once.\n",
			c.lockPath())
		return errProblem
	case errors.Is(err, wiring.ErrDataDirLocked):
		fmt.Fprintln(c.env.Stderr, "WARNING: --force: the app is running; restart it right after the restore.")
	case err != nil:
		return err
	default:
		defer lock.Release()
	}
	// Restore verifies src (integrity_check, audit chain) before touching
	// anything and keeps the current database as backups/terminal-pre-restore-<time>.db.
	before := preRestoreFiles(c.layout.Backups)
	ci, _ := c.cipher() // tags the head file beside the restored database; without a key the stale one is removed
	if err := store.Restore(ctx, src, c.layout.DB, store.Options{Cipher: ci, Clock: c.env.Clock, BackupDir: c.layout.Backups}); err != nil {
		return fmt.Errorf("restore refused, nothing was changed: %w", err)
	}
	fmt.Fprintf(w, "恢复 Restored %s into %s\n", src, c.layout.DB)
	for p := range preRestoreFiles(c.layout.Backups) {
		if !before[p] {
			fmt.Fprintf(w, "原数据库 The previous database is kept as %s\n", p)
		}
	}
	s, err := c.openStore(ctx)
	if err != nil {
		return fmt.Errorf("the restored database does not open: %w", err)
	}
	defer s.Close()
	n, err := s.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("the restored database: %w", err)
	}
	p, err := s.Pending(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "校验 Verified: audit chain of %d entries intact; %d item(s) wait for the platform\n", n, p.Items)
	return nil
}

// preRestoreFiles lists the "-pre-restore-" copies in dir.
func preRestoreFiles(dir string) map[string]bool {
	out := map[string]bool{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "-pre-restore-") {
			out[filepath.Join(dir, e.Name())] = true
		}
	}
	return out
}
