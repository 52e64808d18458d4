package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"tradein/agent"
)

// CodeNoDatabase is the error code of OpenReadOnly when there is no
// database file: reading never creates one.
const CodeNoDatabase agent.Code = "NO_DATABASE"

// CodeEmptyDatabase is the error code of a database file that holds no
// terminal schema: 0 bytes (truncated), or a SQLite file with no tables.
// For an installation that has run before this means its data is gone.
const CodeEmptyDatabase agent.Code = "EMPTY_DATABASE"

// ErrEmptyDatabase matches (errors.Is) the error of a database file with
// no terminal schema.
var ErrEmptyDatabase = &agent.Error{Code: CodeEmptyDatabase}

// OpenReadOnly opens an existing database for reading only: it never
// migrates, never creates the file, its -wal or -shm, and refuses every
// write ("attempt to write a readonly database"). terminalctl uses it for
// what only reads (doctor, status, queue list, backup), so that they work
// on a read-only data directory and a diagnosis never changes what it
// diagnoses.
//
// A missing file is a CodeNoDatabase error; a 0-byte file or one without
// the terminal's schema is CodeEmptyDatabase; a newer schema is
// ErrSchemaTooNew and another program's database CodeForeignDatabase, as
// for Open.
//
// When the database's -wal file exists (the app has it open, or stopped
// without a checkpoint) the connections read the WAL too and SQLite may
// use the existing -shm. Otherwise the file is opened immutable, which
// creates nothing; a writer that starts while such a store is open is not
// seen by it, so a caller that must be exact holds terminal.lock.
func OpenReadOnly(ctx context.Context, path string, opt Options) (*Store, error) {
	abs, opt, err := checkOptions(path, opt)
	if err != nil {
		return nil, err
	}
	if err := checkPresent(abs); err != nil {
		return nil, err
	}
	migs, err := embeddedMigrations()
	if err != nil {
		return nil, err
	}
	if err := refuseNewer(ctx, abs, migs[len(migs)-1].version); err != nil {
		return nil, err
	}
	s := &Store{path: abs, cipher: opt.Cipher, clock: opt.Clock, log: opt.Logger, opt: opt, readOnly: true}
	if s.r, err = sql.Open("sqlite", readOnlyDSN(abs)); err != nil {
		return nil, fmt.Errorf("store: open read-only: %w", err)
	}
	s.w = s.r // writes fail in SQLite: the connections are read-only
	if v, err := userVersion(ctx, s.r); err != nil {
		s.r.Close()
		return nil, err
	} else if v == 0 {
		s.r.Close()
		return nil, &agent.Error{Code: CodeEmptyDatabase, Detail: fmt.Sprintf(
			"%s holds no terminal schema (it was never set up, or its content was lost)", filepath.Base(abs))}
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkPresent returns a CodeNoDatabase error when there is no file at
// abs and ErrEmptyDatabase's code when it has 0 bytes.
func checkPresent(abs string) error {
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &agent.Error{Code: CodeNoDatabase, Detail: "there is no database " + abs}
	case err != nil:
		return fmt.Errorf("store: %w", err)
	case fi.IsDir():
		return fmt.Errorf("store: %s is a folder, not a database", abs)
	case fi.Size() == 0:
		return &agent.Error{Code: CodeEmptyDatabase, Detail: fmt.Sprintf(
			"%s is empty (0 bytes): its content was lost", filepath.Base(abs))}
	}
	return nil
}

// readOnlyDSN returns the connection string of a read-only connection to
// abs that creates no file (see OpenReadOnly).
func readOnlyDSN(abs string) string {
	return readOnlyDSNFor(abs, true)
}

// readOnlyDSNFor is readOnlyDSN; queryOnly=false leaves out query_only,
// which forbids VACUUM INTO (a backup writes another file).
func readOnlyDSNFor(abs string, queryOnly bool) string {
	q := url.Values{}
	q.Set("mode", "ro")
	if queryOnly {
		q.Add("_pragma", "query_only(1)")
	}
	if _, err := os.Stat(abs + "-wal"); err == nil {
		q.Add("_pragma", "busy_timeout(5000)")
	} else {
		q.Set("immutable", "1")
	}
	return fileURI(abs) + "?" + q.Encode()
}
