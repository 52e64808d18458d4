// Package printer drives an ESC/POS receipt printer over any
// io.ReadWriter (Printer) and spools receipts through a durable job store
// (Spooler, which implements agent.ReceiptPrinter).
package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/devices/escpos"
)

// ErrNoStatus means the printer did not answer DLE EOT in time: some
// printers (or cables without a receive line) never answer. Callers print
// anyway.
var ErrNoStatus = errors.New("printer: no status reply")

// Defaults. A printer answers DLE EOT within a few milliseconds even while
// printing; 500 ms covers slow USB adapters. 256-byte chunks fit the
// smallest receive buffers of cheap 58 mm printers.
const (
	DefaultStatusTimeout = 500 * time.Millisecond
	DefaultChunkSize     = 256
)

// Config configures a Printer.
type Config struct {
	StatusTimeout time.Duration // per status request; default DefaultStatusTimeout
	ChunkSize     int           // bytes per write; default DefaultChunkSize
	// PaceBaud, when > 0, paces writes to this line speed (10 bits a
	// byte): after each chunk the printer is given the time the chunk
	// takes on the wire. For printers without flow control that drop bytes
	// when their buffer overflows. 0 writes as fast as the port accepts.
	PaceBaud int
	// Sleep waits between paced chunks; nil uses a timer. Tests pass one
	// that records instead of sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// Clock measures how long a chunk's write took, which pacing subtracts
	// from the chunk's wire time; nil uses the system clock.
	Clock agent.Clock
	// MaxHold is how long the printer may hold XOFF before Print fails;
	// default DefaultMaxHold. XON/XOFF is always honoured: a printer
	// without software flow control never sends those bytes.
	MaxHold time.Duration
}

// Printer talks to one printer. Status and Print must not be called
// concurrently (the Spooler calls them from one goroutine).
type Printer struct {
	cfg     Config
	w       io.Writer
	replies chan byte
	readErr chan error // receives the reader's error once, then is closed
	flow    flow
	dead    error // the reader's error, once seen
}

// New returns a Printer writing to and reading replies from rw. It starts a
// goroutine that reads rw until rw fails (close rw to stop it).
func New(rw io.ReadWriter, cfg Config) *Printer {
	if cfg.StatusTimeout <= 0 {
		cfg.StatusTimeout = DefaultStatusTimeout
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = DefaultChunkSize
	}
	if cfg.Sleep == nil {
		cfg.Sleep = backoff.Sleep
	}
	if cfg.MaxHold <= 0 {
		cfg.MaxHold = DefaultMaxHold
	}
	if cfg.Clock == nil {
		cfg.Clock = agent.SystemClock{}
	}
	p := &Printer{cfg: cfg, w: rw, replies: make(chan byte, 64), readErr: make(chan error, 1)}
	go p.read(rw)
	return p
}

func (p *Printer) read(r io.Reader) {
	buf := make([]byte, 64)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if p.flow.observe(b) {
				continue
			}
			select {
			case p.replies <- b:
			default: // nobody asked: line noise or a late reply; drop it
			}
		}
		if err != nil {
			p.readErr <- err
			close(p.readErr)
			return
		}
	}
}

// Gone returns the error that ended reading (the port vanished), or nil.
func (p *Printer) Gone() error {
	if p.dead != nil {
		return p.dead
	}
	select {
	case err, ok := <-p.readErr:
		if ok {
			p.dead = fmt.Errorf("printer: port lost: %w", err)
		}
	default:
	}
	return p.dead
}

// Status asks the printer for its condition (DLE EOT 1, 2 and 4). It
// returns ErrNoStatus when any reply does not come within StatusTimeout,
// and the port's error when the port is gone.
func (p *Printer) Status(ctx context.Context) (escpos.Status, error) {
	var st escpos.Status
	for _, n := range []byte{escpos.StatusPrinter, escpos.StatusOffline, escpos.StatusPaperRoll} {
		if err := p.Gone(); err != nil {
			return st, err
		}
		p.drain()
		if _, err := p.w.Write(escpos.StatusRequest(n)); err != nil {
			return st, fmt.Errorf("printer: status request: %w", err)
		}
		b, err := p.reply(ctx)
		if err != nil {
			return st, err
		}
		if err := st.Apply(n, b); err != nil {
			return st, fmt.Errorf("%w: %v", ErrNoStatus, err)
		}
	}
	return st, nil
}

// drain drops replies nobody waits for any more.
func (p *Printer) drain() {
	for {
		select {
		case <-p.replies:
		default:
			return
		}
	}
}

func (p *Printer) reply(ctx context.Context) (byte, error) {
	t := time.NewTimer(p.cfg.StatusTimeout)
	defer t.Stop()
	select {
	case b := <-p.replies:
		return b, nil
	case <-t.C:
		if err := p.Gone(); err != nil {
			return 0, err
		}
		return 0, ErrNoStatus
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Held reports whether the printer has sent XOFF and not yet XON.
func (p *Printer) Held() bool { return p.flow.Held() }

// Print writes data in chunks, paced when PaceBaud is set and paused while
// the printer holds XOFF. An error means the printer may have printed part
// of it.
func (p *Printer) Print(ctx context.Context, data []byte) error {
	for len(data) > 0 {
		if err := p.flow.wait(ctx, p.cfg.MaxHold); err != nil {
			return err
		}
		n := min(p.cfg.ChunkSize, len(data))
		start := p.cfg.Clock.Now()
		if _, err := p.w.Write(data[:n]); err != nil {
			return fmt.Errorf("printer: write: %w", err)
		}
		data = data[n:]
		if p.cfg.PaceBaud > 0 && len(data) > 0 {
			wire := time.Duration(n) * 10 * time.Second / time.Duration(p.cfg.PaceBaud)
			if err := p.cfg.Sleep(ctx, wire-p.cfg.Clock.Now().Sub(start)); err != nil {
				return err
			}
		}
	}
	return nil
}
