// Package wiring builds the store terminal app (cmd/tradein-terminal) from
// its parts, in one place: the data directory and its files, the SQLite
// store with the field cipher, the platform client, the outbox drainer,
// the rules and library refresh, connectivity, the scanner and the
// receipt spooler, the agent.Terminal and the agent.Support the field
// support screens use. The Fyne window is not built here (main does that
// with ui.Start), so everything in this package is tested without a display.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"

	"tradein/agent"
	"tradein/agent/redact"
	"tradein/agent/store"
	"tradein/devices/serialport"
	"tradein/sync/anchor"
	"tradein/sync/client"
	"tradein/sync/outbox"
	"tradein/sync/refresh"
	"tradein/sync/status"
)

// Options configure New. Only DataDir is required.
type Options struct {
	DataDir string
	// ConfigPath is the settings file; default DataDir/config.json.
	ConfigPath string
	// PlatformURL, when set, replaces the configured platform URL and is
	// saved in the settings file.
	PlatformURL string
	// Lang, when set ("zh" or "en"), replaces the configured UI language
	// for this run.
	Lang string
	// EnrollCode, when set and the terminal is not enrolled yet, enrolls it
	// before anything else starts (installers and the demo use it).
	EnrollCode string
	// Fingerprint identifies the installation at enrollment; default
	// Fingerprint(DataDir).
	Fingerprint string
	Clock       agent.Clock       // default the system clock
	Opener      serialport.Opener // default serialport.Open
	PortLister  serialport.Lister // default the system's port list
	// LogCopy, when set, receives a copy of every log record (stderr for
	// a developer's run).
	LogCopy  io.Writer
	LogLevel slog.Level
	// Restart is called after an enrollment from the support screen: the
	// enrolled identity is printed on receipts and part of every order
	// number, so the Terminal must be rebuilt with it (main restarts the
	// program). nil: the new identity is used from the next start.
	Restart func()
	// RefreshInterval is how often rules and library are refreshed while
	// running; default 1 h.
	RefreshInterval time.Duration
	// DiskState reads the data directory's free space and whether it is
	// read-only (the status bar's disk check); default DiskState.
	DiskState func(dir string) (free uint64, readOnly bool, err error)
}

// App is the running terminal without its window. Build it with New,
// start its background work with Start, hand Terminal and Support to the
// UI, and Close it at exit.
type App struct {
	opt    Options
	layout Layout
	lock   *DataDirLock
	clock  agent.Clock
	log    *slog.Logger
	logs   *LogFile
	cipher *agent.FieldCipher
	store  *store.Store

	cfgMu sync.Mutex // guards cfg and the settings file
	cfg   Config

	enrollMu sync.Mutex // guards enroll, enrolled
	enroll   Enrollment
	enrolled bool

	client    *client.Client // signs with the enrollment's credentials when enrolled
	tracker   *status.Tracker
	drainer   *outbox.Drainer         // nil when not enrolled
	refresher *refresh.Refresher      // nil when not enrolled
	refreshMu sync.Mutex              // serialises refreshes (Refresher is not concurrent-safe)
	progress  func(done, total int64) // guarded by refreshMu

	devices *deviceManager
	term    *agent.Terminal
	support *Support

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds every service of the app. It opens (and if needed migrates,
// after a backup) the database, enrolls when asked, builds the Terminal and
// finishes sales a crash left half done (Terminal.Recover). Nothing runs in
// the background until Start.
func New(ctx context.Context, opt Options) (_ *App, err error) {
	if opt.DataDir == "" {
		return nil, errors.New("wiring: no data directory")
	}
	abs, err := filepath.Abs(opt.DataDir)
	if err != nil {
		return nil, fmt.Errorf("wiring: data directory: %w", err)
	}
	opt.DataDir = abs
	if opt.Clock == nil {
		opt.Clock = agent.SystemClock{}
	}
	if opt.Opener == nil {
		opt.Opener = serialport.Open
	}
	if opt.Fingerprint == "" {
		opt.Fingerprint = Fingerprint(abs)
	}
	if opt.RefreshInterval <= 0 {
		opt.RefreshInterval = time.Hour
	}
	if opt.DiskState == nil {
		opt.DiskState = DiskState
	}
	a := &App{opt: opt, layout: NewLayout(abs), clock: opt.Clock}
	if opt.ConfigPath != "" {
		a.layout.Config = opt.ConfigPath
	}
	if err := a.layout.Create(); err != nil {
		return nil, &StartError{Problem: err.Error(), Err: err, Fix: dirFix(a.layout.Dir)}
	}
	defer func() {
		if err != nil {
			if a.log != nil { // support reads the reason in the log
				a.log.Error("start failed", "err", err)
			}
			a.Close()
		}
	}()
	if err := DiskCheck(a.layout.Dir, a.layout.DB, opt.DiskState); agent.CodeOf(err) == agent.CodeReadOnly {
		return nil, &StartError{Problem: err.Error(), Err: err, Fix: readOnlyFix(a.layout.Dir)}
	}
	if a.lock, err = LockDataDir(a.layout.Lock); err != nil {
		if errors.Is(err, ErrDataDirLocked) {
			return nil, &StartError{Problem: err.Error(), Err: err,
				Fix: "use the window that is already open, or close it (or wait until it has closed) and start again"}
		}
		return nil, &StartError{Problem: err.Error(), Err: err, Fix: dirFix(a.layout.Dir)}
	}

	if err := a.loadConfig(); err != nil {
		return nil, &StartError{Problem: "the settings " + a.layout.Config + " are wrong: " + err.Error(), Err: err,
			Fix: "correct the file (field support: terminalctl doctor names the wrong setting), or move it away " +
				"to start with the default settings and set the devices again on the support screen"}
	}
	if err := a.openLog(); err != nil {
		return nil, &StartError{Problem: "the log " + a.layout.Log + " cannot be written: " + err.Error(), Err: err,
			Fix: dirFix(a.layout.Dir)}
	}
	if err := a.layout.checkData(); err != nil {
		return nil, err
	}
	key, err := agent.LoadOrCreateKey(a.layout.FieldKey)
	if err == nil {
		a.cipher, err = agent.NewFieldCipher(key)
	}
	if err != nil {
		return nil, &StartError{Problem: err.Error(), Err: err,
			Fix: "field.key must be the installation's own 32-byte key, readable by its owner only (chmod 600 " +
				a.layout.FieldKey + "); a damaged key is copied back from the installation's safe copy"}
	}
	a.store, err = store.Open(ctx, a.layout.DB, store.Options{Cipher: a.cipher, BackupDir: a.layout.Backups,
		Clock: a.clock, Logger: a.log})
	if err != nil {
		return nil, a.layout.openError(err)
	}
	if a.enroll, a.enrolled, err = LoadEnrollment(a.layout.Enrollment); err != nil {
		return nil, &StartError{Problem: "the enrollment " + a.layout.Enrollment + " cannot be read: " + err.Error(), Err: err,
			Fix: "move the file away and enroll the terminal again with a new code from the platform operator " +
				"(tradein-terminal --enroll CODE --setup-only, or 运维 → 注册终端)"}
	}
	if err := a.newClient(); err != nil {
		return nil, &StartError{Problem: "the platform connection cannot be set up: " + err.Error(), Err: err,
			Fix: "check platform_url and platform_ca_file in " + a.layout.Config + " and that field.key is the installation's own"}
	}
	if opt.EnrollCode != "" && !a.enrolled {
		if _, err := a.enrollWith(ctx, opt.EnrollCode); err != nil {
			return nil, &StartError{Problem: "enrollment with the platform failed: " + err.Error(), Err: err,
				Fix: "check the network and the code (each code is from the platform operator), then start again"}
		}
	}
	a.tracker = status.NewTracker(a.clock)
	if err := a.buildSync(); err != nil {
		return nil, err
	}
	if err := a.buildTerminal(); err != nil {
		return nil, err
	}
	rep, err := a.term.Recover(ctx)
	if err != nil {
		return nil, fmt.Errorf("finish sales interrupted by the last stop: %w", err)
	}
	if len(rep.Committed)+len(rep.Cancelled) > 0 {
		a.log.Warn("finished sales interrupted by the last stop", "committed", len(rep.Committed), "cancelled", len(rep.Cancelled))
	}
	a.support = &Support{app: a}
	a.log.Info("terminal ready", "version", agent.Version, "data_dir", abs, "enrolled", a.enrolled,
		"terminal_no", a.enroll.Store.TerminalNo, "platform", a.Config().PlatformURL)
	return a, nil
}

// loadConfig reads the settings file (writing the defaults on first run)
// and applies the options that override it.
func (a *App) loadConfig() error {
	c, err := LoadConfig(a.layout.Config)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(a.layout.Config)
	save := errors.Is(statErr, os.ErrNotExist)
	if a.opt.PlatformURL != "" && a.opt.PlatformURL != c.PlatformURL {
		c.PlatformURL = a.opt.PlatformURL
		save = true
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if save {
		if err := SaveConfig(a.layout.Config, c); err != nil {
			return err
		}
	}
	if a.opt.Lang != "" {
		c.Lang = a.opt.Lang
		if err := c.Validate(); err != nil {
			return err
		}
	}
	a.cfg = c
	return nil
}

// openLog starts the JSON log in logs/terminal.log.
func (a *App) openLog() error {
	lf, err := OpenLogFile(a.layout.Log, a.cfg.LogMaxBytes, a.cfg.LogKeep)
	if err != nil {
		return err
	}
	a.logs = lf
	var w io.Writer = lf
	if a.opt.LogCopy != nil {
		w = io.MultiWriter(lf, a.opt.LogCopy)
	}
	// redact.Handler: a platform URL with a user, password or token in it
	// never reaches the log file (error messages quote the URL).
	a.log = slog.New(redact.Handler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: a.opt.LogLevel})))
	return nil
}

// newClient builds the platform client for the configured URL, signing
// with the enrolled credentials when there are some.
func (a *App) newClient() error {
	cfg := a.Config()
	var ca []byte
	if cfg.PlatformCAFile != "" {
		p := cfg.PlatformCAFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(a.layout.Dir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("pinned platform CA: %w", err)
		}
		ca = b
	}
	c, err := client.New(client.Config{BaseURL: cfg.PlatformURL, CAPEM: ca, Clock: a.clock, Logger: a.log})
	if err != nil {
		return err
	}
	a.enrollMu.Lock()
	defer a.enrollMu.Unlock()
	if a.enrolled {
		secret, err := a.enroll.Secret(a.cipher)
		if err != nil {
			return err
		}
		c = c.WithCredentials(a.enroll.Store.TerminalNo, secret)
	}
	a.client = c
	return nil
}

// The longest enrollment code and device fingerprint the contract allows
// (sync/api/openapi.yaml EnrollRequest), in characters.
const (
	maxEnrollCode  = 64
	maxFingerprint = 256
)

// enrollWith enrolls the terminal with a one-time code and stores the
// identity. The client signs with it from now on; the Terminal built
// before keeps its identity until the program restarts.
func (a *App) enrollWith(ctx context.Context, code string) (agent.StoreInfo, error) {
	// The contract's limits, in characters as its maxLength counts them.
	if n := utf8.RuneCountInString(code); n > maxEnrollCode {
		return agent.StoreInfo{}, agent.Errorf(agent.CodeInvalidRequest,
			"the enrollment code has %d characters, at most %d: check the code", n, maxEnrollCode)
	}
	if utf8.RuneCountInString(a.opt.Fingerprint) > maxFingerprint {
		return agent.StoreInfo{}, agent.Errorf(agent.CodeInvalidRequest,
			"the device fingerprint has more than %d characters", maxFingerprint)
	}
	resp, err := a.client.Enroll(ctx, code, a.opt.Fingerprint)
	if err != nil {
		return agent.StoreInfo{}, err
	}
	e, err := enrollmentFrom(resp, a.Config().PlatformURL, a.cipher, a.clock.Now())
	if err != nil {
		return agent.StoreInfo{}, agent.Errorf(agent.CodeInternal, "the platform's enrollment answer: %v", err)
	}
	if err := SaveEnrollment(a.layout.Enrollment, e); err != nil {
		return agent.StoreInfo{}, err
	}
	secret, _ := resp.Secret() // checked by enrollmentFrom
	a.enrollMu.Lock()
	a.enroll, a.enrolled = e, true
	a.client = a.client.WithCredentials(e.Store.TerminalNo, secret)
	a.enrollMu.Unlock()
	a.log.Info("terminal enrolled", "terminal_no", e.Store.TerminalNo, "merchant_no", e.Store.MerchantNo)
	return e.Store, nil
}

// buildSync builds the outbox drainer and the refresher; both need an
// enrolled terminal (every call they make is signed).
func (a *App) buildSync() error {
	if !a.enrolled {
		return nil
	}
	var err error
	anchorer := anchor.New(a.store, a.client, a.clock, a.log)
	a.drainer, err = outbox.New(outbox.Config{Outbox: a.store, Platform: a.client, Sales: a.store,
		Clock: a.clock, Status: a.tracker, Logger: a.log,
		AfterDelivery: func(ctx context.Context) {
			if _, err := anchorer.Anchor(ctx); err != nil {
				a.log.Warn("anchor the audit head at the platform", "err", err)
			}
		}})
	if err != nil {
		return err
	}
	a.refresher, err = refresh.New(refresh.Config{Source: a.client, Library: a.store, Status: a.tracker,
		Clock: a.clock, Logger: a.log, OnProgress: a.onRefreshProgress})
	return err
}

// onRefreshProgress forwards the refresher's progress to whoever asked for
// the refresh in progress. It runs on the refreshing goroutine, which
// holds refreshMu.
func (a *App) onRefreshProgress(p refresh.Progress) {
	if a.progress != nil {
		a.progress(int64(p.Done), int64(p.Total))
	}
}

// buildTerminal builds the device manager and the Terminal and connects
// them: scans and device states flow into the Terminal, receipts out of it.
func (a *App) buildTerminal() error {
	a.devices = &deviceManager{jobs: a.store, open: a.opt.Opener, clock: a.clock, log: a.log,
		onScan:   func(ev agent.ScanEvent) { a.term.HandleScan(ev) },
		onStatus: func(ds agent.DeviceStatus) { a.term.ReportDevice(ds) }}
	a.enrollMu.Lock()
	info, enrolled := a.enroll.Store, a.enrolled
	keyB64 := a.enroll.PlatformKey
	a.enrollMu.Unlock()
	deps := agent.Deps{
		Store:         kickingStore{Store: a.store, kick: a.kick},
		Outbox:        a.store,
		Library:       a.store,
		Printer:       a.devices,
		Clock:         a.clock,
		Info:          info,
		Online:        a.tracker.OnlineFunc(),
		VerifyURLBase: a.Config().VerifyURLBase,
		PhotosDir:     a.layout.Photos,
		Logger:        a.log,
		Disk:          func() error { return DiskCheck(a.layout.Dir, a.layout.DB, a.opt.DiskState) },
	}
	if enrolled {
		key, err := (Enrollment{PlatformKey: keyB64}).Key()
		if err != nil {
			return err
		}
		deps.PlatformKey = key
		deps.Platform = observedPlatform{c: a.client, st: a.tracker, rulesChanged: a.refreshRulesSoon}
	}
	t, err := agent.NewTerminal(deps)
	if err != nil {
		return err
	}
	a.term = t
	a.devices.mu.Lock()
	a.devices.configureLocked(a.Config().Devices)
	a.devices.mu.Unlock()
	return nil
}

// kick asks the drainer to deliver now.
func (a *App) kick() {
	if a.drainer != nil {
		a.drainer.Kick()
	}
}

// Start runs the background work until ctx ends or Close: the devices, the
// platform health probe, the outbox drainer and the periodic refresh.
func (a *App) Start(ctx context.Context) {
	ctx, a.cancel = context.WithCancel(ctx)
	a.devices.run(ctx)
	cancelSub := a.tracker.Subscribe(func(s status.State) { a.term.SetOnline(s.Online) })
	a.goRun(func() { <-ctx.Done(); cancelSub() })
	if !a.enrolled {
		a.log.Warn("terminal not enrolled: enroll it on the support screen (运维 → 注册终端)")
		return
	}
	a.goRun(func() { _ = a.tracker.Probe(ctx, a.client.Health, 0, 0) })
	a.goRun(func() { _ = a.drainer.Run(ctx) })
	a.goRun(func() { a.refreshLoop(ctx) })
}

func (a *App) goRun(fn func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn()
	}()
}

// refreshLoop refreshes rules and library now, then every
// RefreshInterval; after a failure it retries with the refresh backoff.
func (a *App) refreshLoop(ctx context.Context) {
	failures := 0
	for {
		wait := a.opt.RefreshInterval
		if err := a.refreshNow(ctx, nil); err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait = refresh.DefaultRetry.Delay(failures)
			a.log.Warn("refresh failed; will retry", "err", err, "retry_in", wait)
		} else {
			failures = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// refreshNow refreshes rules and library once, reporting progress to fn.
func (a *App) refreshNow(ctx context.Context, fn func(done, total int64)) error {
	if a.refresher == nil {
		return agent.Errorf(agent.CodeUnauthorized, "the terminal is not enrolled")
	}
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	a.progress = fn
	defer func() { a.progress = nil }()
	return a.refresher.Refresh(ctx)
}

// refreshRulesSoon refreshes the rules in the background (see
// observedPlatform): one refresh at a time, like every refresh.
func (a *App) refreshRulesSoon() {
	a.goRun(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		a.refreshMu.Lock()
		defer a.refreshMu.Unlock()
		if err := a.refresher.Rules(ctx); err != nil {
			a.log.Warn("rules refresh after a refused try failed", "err", err)
		}
	})
}

// SyncNow refreshes rules and library and drains the outbox once, in the
// caller's goroutine (setup runs and tests).
func (a *App) SyncNow(ctx context.Context) (outbox.Result, error) {
	if err := a.refreshNow(ctx, nil); err != nil {
		return outbox.Result{}, err
	}
	return a.drainer.DrainNow(ctx)
}

// Terminal is the agent the UI drives.
func (a *App) Terminal() *agent.Terminal { return a.term }

// Support is the field-support implementation the UI's support screens call.
func (a *App) Support() agent.Support { return a.support }

// Config returns the settings in force.
func (a *App) Config() Config {
	a.cfgMu.Lock()
	defer a.cfgMu.Unlock()
	return a.cfg
}

// Layout returns the data directory's file names.
func (a *App) Layout() Layout { return a.layout }

// Store is the database (tests and setup commands read it).
func (a *App) Store() *store.Store { return a.store }

// Tracker is the platform connectivity state.
func (a *App) Tracker() *status.Tracker { return a.tracker }

// Logger is the app's logger (JSON into logs/terminal.log).
func (a *App) Logger() *slog.Logger { return a.log }

// Enrolled reports the enrolled identity.
func (a *App) Enrolled() (agent.StoreInfo, bool) {
	a.enrollMu.Lock()
	defer a.enrollMu.Unlock()
	return a.enroll.Store, a.enrolled
}

// Close stops the background work, waits for it (ports are closed, the
// spooler has finished the job it was sending), then closes the database
// and the log. Safe to call more than once.
func (a *App) Close() error {
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	if a.devices != nil {
		a.devices.Stop()
	}
	var errs []error
	if a.store != nil {
		errs = append(errs, a.store.Close())
		a.store = nil
	}
	if a.log != nil {
		a.log.Info("terminal stopped")
	}
	if a.logs != nil {
		errs = append(errs, a.logs.Close())
		a.logs = nil
	}
	// Files a root run made (enrollment, first staff, a sync as root)
	// go to the data directory's owner, the account the app runs as.
	errs = append(errs, GiveToDataDirOwner(a.layout.Dir))
	a.lock.Release()
	return errors.Join(errs...)
}
