package ctl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
)

// lockPath is the app's data-directory lock (the app holds it while it
// runs; wiring.LockDataDir takes it).
func (c *cli) lockPath() string { return c.layout.Lock }

// errNoDatabase is returned when the data directory has no terminal.db:
// terminalctl never creates one (a wrong --data-dir must not look like an
// empty shop). The two usual causes are named: a fresh install, or the
// wrong folder.
func (c *cli) errNoDatabase() error {
	return fmt.Errorf("no database at %s: the app has not run with this data directory; "+
		"on a fresh install it is not set up yet (enroll: tradein-terminal --enroll CODE), otherwise check --data-dir", c.layout.DB)
}

// cipher loads the field key the way the app does (agent.LoadOrCreateKey,
// which refuses a key file others can read) but never creates one: a new
// key would not open what the old one sealed.
func (c *cli) cipher() (*agent.FieldCipher, error) {
	if _, err := os.Stat(c.layout.FieldKey); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("field key %s is missing: the sealed consumer data and the enrollment secret cannot be opened; "+
			"copy field.key back from the installation's safe copy", c.layout.FieldKey)
	}
	key, err := agent.LoadOrCreateKey(c.layout.FieldKey)
	if err != nil {
		return nil, err
	}
	return agent.NewFieldCipher(key)
}

// lenientCipher is cipher for doctor: a key file with a wrong mode is
// reported as a finding by its own check and still used, so that the
// database checks run too.
func (c *cli) lenientCipher() (*agent.FieldCipher, error) {
	ci, err := c.cipher()
	if err == nil {
		return ci, nil
	}
	key, rerr := os.ReadFile(c.layout.FieldKey)
	if rerr != nil {
		return nil, err
	}
	if ci, kerr := agent.NewFieldCipher(key); kerr == nil {
		return ci, nil
	}
	return nil, err
}

// openStore opens terminal.db as the app does: same cipher, backups into
// the data directory's backups/ folder. Like the app, it migrates an older
// database forward after backing it up; a newer one is refused untouched.
func (c *cli) openStore(ctx context.Context) (*store.Store, error) {
	// No database first: on a fresh install there is no field key either,
	// and advice to restore a key that never existed sends support hunting
	// for a file that was never made.
	if !exists(c.layout.DB) {
		return nil, c.errNoDatabase()
	}
	ci, err := c.cipher()
	if err != nil {
		return nil, err
	}
	return c.openStoreWith(ctx, ci)
}

func (c *cli) openStoreWith(ctx context.Context, ci *agent.FieldCipher) (*store.Store, error) {
	if !exists(c.layout.DB) {
		return nil, c.errNoDatabase()
	}
	s, err := store.Open(ctx, c.layout.DB, c.storeOptions(ci))
	if err != nil {
		return nil, fmt.Errorf("open the database %s: %w", c.layout.DB, err)
	}
	return s, nil
}

// openReadOnly opens terminal.db for reading only (store.OpenReadOnly): no
// migration, no file created, and it works on a read-only data directory.
// The commands that only read use it: status, doctor, queue list, backup.
func (c *cli) openReadOnly(ctx context.Context) (*store.Store, error) {
	if !exists(c.layout.DB) {
		return nil, c.errNoDatabase() // before the key: a fresh install has neither
	}
	ci, err := c.cipher()
	if err != nil {
		return nil, err
	}
	return c.openReadOnlyWith(ctx, ci)
}

func (c *cli) openReadOnlyWith(ctx context.Context, ci *agent.FieldCipher) (*store.Store, error) {
	s, err := store.OpenReadOnly(ctx, c.layout.DB, c.storeOptions(ci))
	if agent.CodeOf(err) == store.CodeNoDatabase {
		return nil, c.errNoDatabase()
	}
	if err != nil {
		return nil, fmt.Errorf("open the database %s: %w", c.layout.DB, err)
	}
	return s, nil
}

// installed reports whether this data directory belongs to an installation
// that has run: it is enrolled or holds a backup.
func (c *cli) installed() bool {
	return exists(c.layout.Enrollment) || c.layout.NewestBackup() != ""
}

func (c *cli) storeOptions(ci *agent.FieldCipher) store.Options {
	return store.Options{Cipher: ci, BackupDir: c.layout.Backups, Clock: c.env.Clock, Logger: c.log}
}

// appRunning reports whether the app holds terminal.lock: it takes the
// lock and releases it at once. (An app starting in exactly that
// microsecond would be refused as "already running"; restarting it
// fixes that.) Without a database there is no app to find, and no lock
// file is created in what may be a mistyped directory.
func (c *cli) appRunning() (bool, error) {
	if !exists(c.layout.DB) {
		return false, nil
	}
	l, err := wiring.LockDataDir(c.lockPath())
	if errors.Is(err, wiring.ErrDataDirLocked) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	l.Release()
	return false, nil
}
