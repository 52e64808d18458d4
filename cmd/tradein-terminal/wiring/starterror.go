package wiring

import (
	"errors"
	"fmt"
	"os"

	"tradein/agent"
	"tradein/agent/store"
)

// StartError is a start-up failure with the fix a person must make: the
// app shows both in a window (the shop's user started it from the menu
// and reads no standard error) and writes them to the log. Problem and Fix
// are English sentences for field support; the window adds the Chinese
// heading.
type StartError struct {
	Problem string // what is wrong, naming the file
	Fix     string // what to do about it
	Err     error  // the underlying error, if any
}

func (e *StartError) Error() string {
	if e.Fix == "" {
		return e.Problem
	}
	return e.Problem + ". To fix: " + e.Fix
}

func (e *StartError) Unwrap() error { return e.Err }

// installed reports whether the data directory belongs to an installation
// that has run before: it is enrolled or holds a backup. Such a directory
// must have its database and its field key; a missing one is lost data,
// never a fresh start.
func (l Layout) installed() bool {
	_, err := os.Stat(l.Enrollment)
	return err == nil || l.NewestBackup() != ""
}

// restoreFix names the backup to restore, or says there is none.
func (l Layout) restoreFix() string {
	if b := l.NewestBackup(); b != "" {
		return "close the app and restore the newest backup: terminalctl restore " + b +
			" (terminalctl doctor names it too), then start the app again"
	}
	return "there is no backup in " + l.Backups + ": contact support before the app is started again " +
		"(terminalctl doctor shows what is left)"
}

// checkData refuses to start an installation that has lost its database
// or its field key, before anything could create a new, empty one in its
// place:
//   - terminal.db missing or empty (0 bytes) although the installation has
//     run (enrolled, or backups exist): starting would show an empty shop
//     (no sales, no queue, no staff) and sync nothing;
//   - field.key missing although there is data sealed with it (a database
//     with content, or an enrollment whose secret it seals): a new key
//     would open none of it.
func (l Layout) checkData() error {
	db, dbErr := os.Stat(l.DB)
	dbMissing := errors.Is(dbErr, os.ErrNotExist)
	if dbErr != nil && !dbMissing {
		return &StartError{Problem: fmt.Sprintf("the database %s cannot be read: %v", l.DB, dbErr),
			Fix: "check the data directory's owner and permissions (the app runs as the shop's user); " + l.restoreFix(), Err: dbErr}
	}
	dbEmpty := dbErr == nil && db.Size() == 0
	_, enrollErr := os.Stat(l.Enrollment)
	enrolled := enrollErr == nil
	if _, err := os.Stat(l.FieldKey); errors.Is(err, os.ErrNotExist) && (enrolled || (!dbMissing && !dbEmpty)) {
		return &StartError{
			Problem: "the field key " + l.FieldKey + " is missing, but this installation has data sealed with it " +
				"(the consumers' codes and phones in the database, the enrollment secret)",
			Fix: "copy field.key back from the installation's safe copy (kept with the backups) into " + l.Dir +
				", mode 0600. Never let a new key be made: it would open none of the sealed data. " +
				"Without a copy, contact support",
		}
	}
	if (dbMissing || dbEmpty) && l.installed() {
		what := "missing"
		if dbEmpty {
			what = "empty (0 bytes)"
		}
		return &StartError{Problem: fmt.Sprintf("the database %s is %s, but this installation has run before: "+
			"every sale, the queue and the staff would be gone", l.DB, what), Fix: l.restoreFix()}
	}
	return nil
}

// openError explains a database that does not open: a newer program's
// database, another program's file, or a damaged one (restore a backup).
func (l Layout) openError(err error) error {
	var full *agent.DiskFullError
	if errors.As(err, &full) {
		return &StartError{Problem: "the database " + l.DB + " cannot be written: the disk is full", Err: err,
			Fix: fmt.Sprintf("free at least %d MB on the disk holding %s (terminalctl doctor shows the free space), then start again",
				full.NeedMB, l.Dir)}
	}
	if errors.Is(err, os.ErrPermission) {
		return &StartError{Problem: fmt.Sprintf("the database %s cannot be opened: %v", l.DB, err), Err: err,
			Fix: dirFix(l.Dir)}
	}
	switch agent.CodeOf(err) {
	case agent.CodeReadOnly:
		return &StartError{Problem: "the database " + l.DB + " cannot be written: the data directory is read-only",
			Err: err, Fix: readOnlyFix(l.Dir)}
	case store.CodeSchemaTooNew:
		return &StartError{Problem: "the database " + l.DB + " is from a newer version of the program",
			Fix: "install that version again (the database was not modified)", Err: err}
	case store.CodeForeignDatabase:
		return &StartError{Problem: l.DB + " is not a trade-in terminal database",
			Fix: "check --data-dir; " + l.restoreFix(), Err: err}
	}
	return &StartError{Problem: fmt.Sprintf("the database %s cannot be opened: %v", l.DB, err),
		Fix: l.restoreFix(), Err: err}
}

// readOnlyFix is the fix for a read-only data directory.
func readOnlyFix(dir string) string {
	return "make " + dir + " writable again: remount its disk read-write if it was mounted read-only " +
		"(a disk error can cause that: check the disk), or give the folder back to the user that runs the app; " +
		"terminalctl doctor names the cause. Nothing was changed"
}

// dirFix is the fix for a data directory the app cannot use.
func dirFix(dir string) string {
	return "check that " + dir + " exists, belongs to the user that runs the app and is writable " +
		"(terminalctl doctor names the cause)"
}
