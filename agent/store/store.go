// Package store is the terminal's durable state: a SQLite database
// (modernc.org/sqlite, pure Go) that holds the product library cache, the
// rules, sales, trade-ins, pickups, the outbox, print jobs, staff and the
// hash-chained audit log.
//
// It implements agent.Store, agent.Outbox, agent.Library and
// agent.PrintJobs. Every method that takes an audit entry writes its rows,
// the audit entry and any outbox items in ONE transaction.
//
// Storage conventions:
//   - money is INTEGER fen;
//   - times are INTEGER unix nanoseconds in UTC, and 0 means "not set"
//     (the zero time.Time); sale and payload JSON keep RFC 3339 times;
//   - booleans are INTEGER 0/1;
//   - a sale row has indexed columns for what lists and checks select on,
//     and the whole agent.Sale as a record: JSON, zstd-compressed with a
//     fixed dictionary (codec.go);
//   - the consumer's auth code and phone are sealed by the field cipher
//     (AES-256-GCM) wherever they are stored: in sale records and in
//     outbox payloads. They are never in clear in the database file;
//   - an outbox item whose payload is the sale saved with it shares the
//     sale's record instead of storing it twice (outbox.go).
//
// The schema lives in migrations/NNNN_name.sql, embedded in the binary and
// applied forward only by PRAGMA user_version (see migrate.go).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"tradein/agent"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Compile-time checks that *Store satisfies the agent's ports.
var (
	_ agent.Store     = (*Store)(nil)
	_ agent.Outbox    = (*Store)(nil)
	_ agent.Library   = (*Store)(nil)
	_ agent.PrintJobs = (*Store)(nil)
)

// Options configures Open.
type Options struct {
	// Cipher seals the consumer's auth code and phone at rest. Required:
	// Open refuses a nil Cipher unless AllowPlaintextForTests is set.
	Cipher *agent.FieldCipher
	// AllowPlaintextForTests lets a test open a store without a cipher;
	// sensitive fields are then stored as given. Never set it in a program.
	AllowPlaintextForTests bool
	// BackupDir receives the copy made before a schema upgrade. Default:
	// the "backups" folder next to the database file.
	BackupDir string
	// KeepBackups is how many upgrade backups of this database to keep.
	// Default 5.
	KeepBackups int
	// Clock stamps audit entries, outbox items and backup names when the
	// caller left a time unset. Default agent.SystemClock.
	Clock agent.Clock
	// Logger receives migration and backup events. Default slog.Default().
	Logger *slog.Logger
}

// DefaultKeepBackups is the number of upgrade backups kept when
// Options.KeepBackups is 0: enough to step back over a few releases
// without filling a shop PC's disk.
const DefaultKeepBackups = 5

// Store is the SQLite store. It is safe for concurrent use.
//
// SQLite allows one writer at a time. If every pooled connection could
// write, two transactions that both start as readers and then try to write
// would collide: one gets SQLITE_BUSY at once (busy_timeout does not help a
// reader that must upgrade to a writer, because waiting could deadlock).
// So all writes go through w, a pool of exactly ONE connection whose
// transactions begin IMMEDIATE: writers queue in database/sql, in Go, and
// each transaction holds the write lock from its first statement.
// Reads go through r, a pool of several read-only connections; in WAL mode
// they never block the writer and always see a committed snapshot.
type Store struct {
	path   string
	w      *sql.DB            // the one write connection
	r      *sql.DB            // read-only connections
	cipher *agent.FieldCipher // nil only with AllowPlaintextForTests
	clock  agent.Clock
	log    *slog.Logger
	opt    Options
	// readOnly: opened by OpenReadOnly; w is the read-only pool r.
	readOnly bool

	changes    txChanges  // what the current write transaction did to sealed tables (tamper.go)
	head       headWriter // writes the head file beside the database (headfile.go)
	sealOnOpen bool       // the database was just migrated to the schema with the seal
	sealing    bool       // the schema has the seal and a cipher tags it
	tagged     bool       // the schema has the tag columns (migrations/0003_tamper.sql)

	// Prepared statements for the hot paths.
	productStmt   *sql.Stmt // on r: point lookup by barcode
	lastAudit     *sql.Stmt // on w
	insAudit      *sql.Stmt // on w
	insertSale    *sql.Stmt // on w
	updateSale    *sql.Stmt // on w
	upsertTradeIn *sql.Stmt // on w
	insOutbox     *sql.Stmt // on w
	selSeal       *sql.Stmt // on w; nil before the seal's schema (tamper.go)
	updSeal       *sql.Stmt // on w; nil before the seal's schema
}

// CodeSchemaTooNew is the error code of a database written by a newer
// program: it is refused and left untouched.
const CodeSchemaTooNew agent.Code = "SCHEMA_TOO_NEW"

// ErrSchemaTooNew matches (errors.Is) the error Open returns for a database
// whose schema is newer than this program knows.
var ErrSchemaTooNew = &agent.Error{Code: CodeSchemaTooNew}

// Open opens (creating if needed) the database at path, refuses a database
// newer than this program, backs an older non-empty database up and
// migrates it forward, and returns the store.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	migs, err := embeddedMigrations()
	if err != nil {
		return nil, err
	}
	return openWith(ctx, path, opt, migs)
}

// checkOptions refuses a store without a field cipher (outside tests),
// makes path absolute and fills in the default clock and logger; Open and
// OpenReadOnly start with it.
func checkOptions(path string, opt Options) (string, Options, error) {
	if opt.Cipher == nil && !opt.AllowPlaintextForTests {
		return "", opt, agent.Errorf(agent.CodeInvalidRequest, "store: a field cipher is required to keep consumer data encrypted at rest")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", opt, fmt.Errorf("store: database path: %w", err)
	}
	if opt.Clock == nil {
		opt.Clock = agent.SystemClock{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return abs, opt, nil
}

// openWith is Open with an explicit migration list (tests add versions).
func openWith(ctx context.Context, path string, opt Options, migs []migration) (*Store, error) {
	abs, opt, err := checkOptions(path, opt)
	if err != nil {
		return nil, err
	}
	if opt.KeepBackups <= 0 {
		opt.KeepBackups = DefaultKeepBackups
	}
	if opt.BackupDir == "" {
		opt.BackupDir = filepath.Join(filepath.Dir(abs), "backups")
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}

	// Look at an existing file read-only first, so that a database from a
	// newer program is refused before anything (WAL conversion included)
	// touches it.
	latest := migs[len(migs)-1].version
	if err := refuseNewer(ctx, abs, latest); err != nil {
		return nil, err
	}
	// A new database file is created owner-only: it holds sealed personal
	// data and business records. SQLite gives -wal and -shm the same mode.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, diskCauseAt(abs, fmt.Errorf("store: create database: %w", err))
	}

	s := &Store{path: abs, cipher: opt.Cipher, clock: opt.Clock, log: opt.Logger, opt: opt}
	s.w, err = sql.Open("sqlite", dsn(abs, roleWriter))
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)

	if err := s.migrate(ctx, migs); err != nil {
		s.w.Close()
		return nil, s.diskCause(err)
	}
	if s.sealOnOpen {
		if err := s.sealNew(ctx); err != nil {
			s.w.Close()
			return nil, err
		}
	}

	s.r, err = sql.Open("sqlite", dsn(abs, roleReader))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)

	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.sealOnOpen && s.cipher != nil {
		if err := writeHeadOf(ctx, s.r, s.path, s.cipher.Tag); err != nil {
			s.log.Warn("store: write head file", "err", err)
		}
	}
	return s, nil
}

// dsn returns the connection string for the database at abs. The pragmas
// are DSN parameters so that every connection the pool opens gets them:
//   - journal_mode=WAL: readers never block the writer and vice versa;
//   - synchronous=FULL: a commit is on disk (WAL fsynced) when it returns,
//     so a power cut cannot lose a sale the clerk saw committed;
//   - busy_timeout=5000: a connection waits up to 5 s for another process
//     (terminalctl backup, a second app instance) instead of failing;
//   - foreign_keys=ON: trade-ins must belong to a sale.
//
// The writer begins transactions IMMEDIATE (take the write lock at BEGIN,
// never upgrade later). Readers are query_only, so a bug can never write
// through the read pool. A backup connection is neither: VACUUM INTO
// writes a new file, which query_only forbids, but it only reads this
// database.
func dsn(abs string, role connRole) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	switch role {
	case roleWriter:
		q.Set("_txlock", "immediate")
	case roleReader:
		q.Set("_query_only", "1")
	}
	return fileURI(abs) + "?" + q.Encode()
}

// fileURI returns the SQLite URI of the file at the absolute path abs:
// file:///dir/name.db, with characters such as '?' and '%' escaped.
func fileURI(abs string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	if !strings.HasPrefix(u.Path, "/") { // Windows: C:/… → /C:/…
		u.Path = "/" + u.Path
	}
	return u.String()
}

// connRole selects the DSN of a connection pool.
type connRole int

const (
	roleWriter connRole = iota // the single write connection
	roleReader                 // the read-only pool
	roleBackup                 // a one-off connection for VACUUM INTO
)

// ApplicationID marks the terminal's database files (PRAGMA
// application_id, set by migration 0001): "TRI1".
const ApplicationID = 0x54524931

// CodeForeignDatabase is the error code of a SQLite file that is not a
// terminal database: it is refused and left untouched.
const CodeForeignDatabase agent.Code = "FOREIGN_DATABASE"

// refuseNewer opens an existing database read-only (readOnlyDSN: no file
// is created, no pragma changes it) and
// returns ErrSchemaTooNew when its user_version is above latest, or a
// CodeForeignDatabase error when it is some other program's database.
func refuseNewer(ctx context.Context, abs string, latest int) error {
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) || (err == nil && fi.Size() == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	db, err := sql.Open("sqlite", readOnlyDSN(abs))
	if err != nil {
		return fmt.Errorf("store: open read-only: %w", err)
	}
	defer db.Close()
	var v, app, objects int
	err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app)
	}
	if err == nil {
		err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema").Scan(&objects)
	}
	if err != nil {
		return fmt.Errorf("store: read schema version of %s: %w", filepath.Base(abs), err)
	}
	if app != ApplicationID && (app != 0 || objects > 0) {
		return &agent.Error{Code: CodeForeignDatabase, Detail: fmt.Sprintf(
			"%s is not a trade-in terminal database (application_id %#x); it was not modified",
			filepath.Base(abs), app)}
	}
	if v > latest {
		return &agent.Error{Code: CodeSchemaTooNew, Detail: fmt.Sprintf(
			"database %s has schema version %d but this program knows only up to %d; "+
				"install the newer program (or restore an older backup); the database was not modified",
			filepath.Base(abs), v, latest)}
	}
	return nil
}

// prepare prepares the statements of the hot paths.
func (s *Store) prepare(ctx context.Context) error {
	var err error
	prep := func(db *sql.DB, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.PrepareContext(ctx, q)
		if err != nil {
			err = fmt.Errorf("store: prepare: %w", err)
		}
		return st
	}
	s.productStmt = prep(s.r, `SELECT barcode, name, brand, model, category, energy_grade,
		filed_price_fen, sn_required, status, water_grade FROM products WHERE barcode = ?`)
	s.lastAudit = prep(s.w, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	s.insAudit = prep(s.w, `INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	s.insertSale = prep(s.w, insertSaleSQL)
	s.updateSale = prep(s.w, updateSaleSQL)
	s.upsertTradeIn = prep(s.w, upsertTradeInSQL)
	if s.tagged {
		s.selSeal = prep(s.w, selectSealSQL)
		s.updSeal = prep(s.w, updateSealSQL)
		s.insOutbox = prep(s.w, `INSERT INTO outbox (kind, request_no, order_no, payload, shares_sale,
			created_at, attempts, next_attempt_at, last_error, tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	} else { // a schema before the tags (tests open one with an older migration list)
		s.insOutbox = prep(s.w, `INSERT INTO outbox (kind, request_no, order_no, payload, shares_sale,
			created_at, attempts, next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	return err
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// SchemaVersion returns the database's PRAGMA user_version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

// Close closes the statements and both connection pools. When the last
// connection closes, SQLite checkpoints the WAL into the database file.
func (s *Store) Close() error {
	s.closeHead()
	for _, st := range []*sql.Stmt{s.productStmt, s.lastAudit, s.insAudit, s.insertSale, s.updateSale, s.upsertTradeIn,
		s.insOutbox, s.selSeal, s.updSeal} {
		if st != nil {
			st.Close()
		}
	}
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil && !s.readOnly {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// writeTx runs fn in one write transaction (BEGIN IMMEDIATE on the single
// write connection), updates the seal with what fn did (tamper.go) and
// commits; any error rolls everything back. After a commit that appended
// to the audit chain it rewrites the head file (headfile.go).
//
// A write the disk refused comes back as its cause (diskCause): disk full,
// naming how much to free, or a read-only data directory.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.diskCause(fmt.Errorf("store: begin: %w", err))
	}
	s.changes.reset()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.diskCause(err)
	}
	headSeq, headHash, err := s.resealTx(ctx, tx)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.diskCause(fmt.Errorf("store: commit: %w", err))
	}
	s.writeHead(headSeq, headHash)
	return nil
}

// notFound returns an error that matches agent.ErrNotFound.
func notFound(format string, args ...any) error {
	return agent.Errorf(agent.CodeNotFound, format, args...)
}
