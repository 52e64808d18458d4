// Package sim is the reference central platform (sync/api/openapi.yaml): a complete
// server for the contract in sync/api, persisted in SQLite, seeded with a
// demo store, products and vouchers, with fault injection for tests and
// demos. cmd/platform-sim is its thin command; tests start it in-process
// on a loopback listener.
package sim

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"tradein/agent"
)

// Config configures a Server.
type Config struct {
	DBPath string       // SQLite file; created and seeded when new
	Clock  agent.Clock  // default the system clock; tests pass a fake
	Logger *slog.Logger // default slog.Default()
	// FreezeTTL is how long a try keeps a voucher frozen (default 15 min,
	// long enough for the consumer to pay at the store's own terminal).
	FreezeTTL time.Duration
	// SyntheticProducts, when > 0, makes sure the library holds that many
	// generated products besides the demo ones (library-sync benchmarks).
	SyntheticProducts int
	Faults            Faults // initial fault injection
	// FaultSeed seeds the random source that decides which request gets
	// which injected fault, so a fault run can be replayed; zero draws a
	// fresh seed.
	FaultSeed uint64
}

// Server is the platform. It is safe for concurrent use: every mutating
// operation runs under mu in one SQLite transaction, so check-then-act
// sequences (is the voucher free? lock the SN) cannot interleave.
type Server struct {
	cfg    Config
	db     *sql.DB
	clock  agent.Clock
	log    *slog.Logger
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
	nonces *nonceCache
	faults *faultInjector

	enrollLimit *enrollLimiter // enrollment attempts per caller (enroll_limit.go)

	mu sync.Mutex // serialises every write transaction (see Server)

	stmts *stmtCache // prepared statements of the write paths (cachedTx)
	rulesCache

	handler http.Handler
	httpSrv *http.Server
}

// Open opens or creates the database, seeds it and returns the server.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DBPath == "" {
		return nil, errors.New("platform-sim: no database path")
	}
	if cfg.Clock == nil {
		cfg.Clock = agent.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FreezeTTL <= 0 {
		cfg.FreezeTTL = 15 * time.Minute
	}
	db, err := openDB(ctx, cfg.DBPath)
	if err != nil {
		return nil, err
	}
	if err := seed(ctx, db, cfg.Clock.Now()); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.SyntheticProducts > 0 {
		if err := ensureSynthetic(ctx, db, cfg.SyntheticProducts); err != nil {
			db.Close()
			return nil, err
		}
	}
	var seedBytes []byte
	if err := db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaPlatformKey).Scan(&seedBytes); err != nil {
		db.Close()
		return nil, fmt.Errorf("platform key: %w", err)
	}
	if len(seedBytes) != ed25519.SeedSize {
		db.Close()
		return nil, fmt.Errorf("platform key: stored seed has %d bytes", len(seedBytes))
	}
	priv := ed25519.NewKeyFromSeed(seedBytes)
	s := &Server{
		cfg:    cfg,
		db:     db,
		clock:  cfg.Clock,
		log:    cfg.Logger,
		priv:   priv,
		pub:    priv.Public().(ed25519.PublicKey),
		nonces: newNonceCache(),
		faults: newFaultInjector(cfg.Faults, cfg.FaultSeed),

		enrollLimit: newEnrollLimiter(),
		stmts:       newStmtCache(db),
	}
	s.handler = s.routes()
	return s, nil
}

// PublicKey is the platform's Ed25519 key for consumer codes.
func (s *Server) PublicKey() ed25519.PublicKey { return s.pub }

// Handler is the whole HTTP API, admin endpoints included (they refuse
// non-loopback callers).
func (s *Server) Handler() http.Handler { return s.handler }

// SetFaults replaces the fault-injection settings.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// Serve serves HTTP (or HTTPS when tlsCfg is non-nil) on l until Shutdown.
func (s *Server) Serve(l net.Listener, tlsCfg *TLSFiles) error {
	s.mu.Lock()
	s.httpSrv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv := s.httpSrv
	s.mu.Unlock()
	var err error
	if tlsCfg != nil {
		err = srv.ServeTLS(l, tlsCfg.CertFile, tlsCfg.KeyFile)
	} else {
		err = srv.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, waits for requests in flight
// (hung fault-injected requests end with their clients or with ctx), and
// closes the database.
func (s *Server) Shutdown(ctx context.Context) error {
	s.faults.stop()
	s.mu.Lock()
	srv := s.httpSrv
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Shutdown(ctx)
	}
	return errors.Join(err, s.stmts.close(), s.db.Close())
}

// Close closes the database of a server that is not serving.
func (s *Server) Close() error {
	s.faults.stop()
	return errors.Join(s.stmts.close(), s.db.Close())
}
