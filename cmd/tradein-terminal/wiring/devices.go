package wiring

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"

	"tradein/agent"
	"tradein/devices/escpos"
	"tradein/devices/printer"
	"tradein/devices/receipt"
	"tradein/devices/scanner"
	"tradein/devices/serialport"
)

// deviceManager runs the scanner driver and the receipt spooler for the
// device settings in force, and replaces them when field support saves new
// settings. It is the Terminal's agent.ReceiptPrinter: receipts go to the
// current spooler, and because jobs live in the store, a job queued under
// the old settings prints under the new ones.
//
// Safe for concurrent use. mu is held while the devices are swapped, so a
// receipt is never handed to a spooler that is being stopped.
type deviceManager struct {
	jobs     agent.PrintJobs
	open     serialport.Opener
	clock    agent.Clock
	log      *slog.Logger
	onScan   func(agent.ScanEvent)
	onStatus func(agent.DeviceStatus)

	mu      sync.RWMutex
	cfg     agent.DeviceConfig
	spooler *printer.Spooler
	scan    *scanner.Driver // nil unless the scanner is serial
	parent  context.Context // set by run; nil before
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ agent.ReceiptPrinter = (*deviceManager)(nil)

// errNoPrinter is what the spooler reports when no printer port is set: its
// jobs wait as FAILED for field support to choose a printer.
var errNoPrinter = errors.New("no receipt printer configured")

// configure builds the drivers for cfg without running them. mu must be
// held for writing.
func (m *deviceManager) configureLocked(cfg agent.DeviceConfig) {
	m.cfg = cfg
	open := m.open
	if cfg.Printer.Port == "" {
		open = func(serialport.Config) (io.ReadWriteCloser, error) { return nil, errNoPrinter }
	}
	width := escpos.Width80
	if cfg.Printer.Columns == 32 {
		width = escpos.Width58
	}
	m.spooler = printer.NewSpooler(printer.SpoolerConfig{
		Port:    serialport.Config{Path: cfg.Printer.Port, Baud: cfg.Printer.Baud},
		Receipt: receipt.Options{Width: width, QR: escpos.QRMode(cfg.Printer.QRMode)},
		Clock:   m.clock,
		Log:     m.log,
	}, m.jobs, open, m.onStatus)

	m.scan = nil
	s := cfg.Scanner
	switch {
	case s.Mode == agent.ScannerSerial && s.Port == "":
		m.onStatus(agent.DeviceStatus{Name: "scanner", State: agent.DeviceError, Code: "DISCONNECTED",
			Detail: "no scanner port configured", At: m.clock.Now()})
	case s.Mode == agent.ScannerSerial:
		suffix, _ := scannerSuffix(s.Suffix) // validated before
		m.scan = scanner.New(scanner.Config{
			Port: serialport.Config{Path: s.Port, Baud: s.Baud, DataBits: s.DataBits,
				Parity: parityLetter(s.Parity), StopBits: s.StopBits},
			Framer: scanner.FramerConfig{Suffix: suffix, IdleTimeout: s.IdleTimeout, AIM: s.AIMPrefix},
			Clock:  m.clock,
			Log:    m.log,
		}, m.open, m.onScan, m.onStatus)
	case s.Mode == agent.ScannerWedge:
		// The window receives the keys; the UI tells scans from typing.
		m.onStatus(agent.DeviceStatus{Name: "scanner", Port: "keyboard", State: agent.DeviceIdle, At: m.clock.Now()})
	default:
		m.onStatus(agent.DeviceStatus{Name: "scanner", State: agent.DeviceClosed, Detail: "scanner off", At: m.clock.Now()})
	}
}

// parityLetter maps the settings' "none"/"even"/"odd" to serialport's letters.
func parityLetter(p string) string {
	switch strings.ToLower(p) {
	case "even":
		return "E"
	case "odd":
		return "O"
	}
	return "N"
}

// run starts the drivers under ctx. They stop when ctx ends or on Apply.
func (m *deviceManager) run(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.parent = ctx
	m.startLocked()
}

// startLocked runs the configured drivers. mu must be held for writing.
func (m *deviceManager) startLocked() {
	ctx, cancel := context.WithCancel(m.parent)
	m.cancel = cancel
	sp, sc := m.spooler, m.scan
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		_ = sp.Run(ctx)
	}()
	if sc != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			_ = sc.Run(ctx)
		}()
	}
}

// stopLocked stops the running drivers and waits until their ports are
// closed. mu must be held for writing.
func (m *deviceManager) stopLocked() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.wg.Wait()
}

// Apply replaces the device settings: the drivers are stopped (ports
// closed), rebuilt for cfg and started again when they were running.
func (m *deviceManager) Apply(cfg agent.DeviceConfig) {
	m.mu.Lock()
	defer m.mu.Unlock()
	running := m.cancel != nil
	m.stopLocked()
	m.configureLocked(cfg)
	if running && m.parent != nil && m.parent.Err() == nil {
		m.startLocked()
	}
}

// Stop stops the drivers and waits for them.
func (m *deviceManager) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopLocked()
}

// Config returns the settings in force.
func (m *deviceManager) Config() agent.DeviceConfig {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.cfg
}

// PrintReceipt queues r on the current spooler.
func (m *deviceManager) PrintReceipt(ctx context.Context, r agent.Receipt) (string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.spooler.PrintReceipt(ctx, r)
}

// PrepareReceipt renders r on the current spooler without storing it.
func (m *deviceManager) PrepareReceipt(ctx context.Context, r agent.Receipt) (agent.PrintJob, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.spooler.PrepareReceipt(ctx, r)
}

// Wake tells the current spooler that a job was stored.
func (m *deviceManager) Wake() {
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.spooler.Wake()
}

// FailedJobs lists print jobs waiting for the operator.
func (m *deviceManager) FailedJobs(ctx context.Context) ([]agent.PrintJob, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.spooler.FailedJobs(ctx)
}

// RetryJob queues a failed job again.
func (m *deviceManager) RetryJob(ctx context.Context, id string) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.spooler.RetryJob(ctx, id)
}

// SkipJob gives up on a job.
func (m *deviceManager) SkipJob(ctx context.Context, id string) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.spooler.SkipJob(ctx, id)
}
