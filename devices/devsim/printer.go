package devsim

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/image/font"

	"tradein/devices/escpos"
)

// PrinterConfig configures the virtual printer.
type PrinterConfig struct {
	Link   string       // stable symlink to the port; empty: use /dev/pts/N
	Width  escpos.Width // paper width for the text and PNG views; default 80
	OutDir string       // where receipt-NNNN.{txt,png,bin} go; empty: keep in memory only
	CJK    font.Face    // optional font for Hanzi in the PNGs
	Log    *slog.Logger // optional
	// RollReceipts, when > 0, is how many receipts a paper roll holds: the
	// printer reports paper out after printing that many, until the paper
	// is reloaded (SetStatus without PaperOut). 0: an endless roll.
	RollReceipts int
}

// Printed is one receipt the virtual printer printed.
type Printed struct {
	Seq     int
	Receipt Receipt
	Lines   []string // the text view (Receipt.Lines)
	Raw     []byte   // the bytes that made it
	Files   []string // the .txt, .png and .bin written, when OutDir is set
}

// PrinterSim is a virtual ESC/POS receipt printer: it decodes what it
// receives, keeps (and saves) each receipt at the cut, and answers DLE EOT
// from its simulated condition. While paper is out, the cover is open or
// it is offline, it prints nothing: a receipt that arrives then is
// discarded and counted, as a real printer loses it. Safe for concurrent use.
type PrinterSim struct {
	cfg PrinterConfig

	mu        sync.Mutex // guards everything below
	sock      socket
	state     escpos.Status
	mute      bool // does not answer DLE EOT, like printers without status support
	onRoll    int  // receipts printed on the current roll
	printed   []Printed
	discarded int
	spoiled   bool // content of the receipt in progress arrived while not ready
	raw       []byte
	changed   chan struct{} // closed and replaced at each new receipt
	dec       *Decoder
}

// NewPrinter switches on a virtual printer.
func NewPrinter(cfg PrinterConfig) (*PrinterSim, error) {
	if cfg.Width == 0 {
		cfg.Width = escpos.Width80
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.OutDir != "" {
		if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("devsim: %w", err)
		}
	}
	s := &PrinterSim{cfg: cfg, sock: socket{link: cfg.Link}, changed: make(chan struct{})}
	if err := s.Replug(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the port the terminal should open.
func (s *PrinterSim) Path() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.path()
}

// SetStatus sets the simulated condition (paper out, cover open, …).
// Clearing PaperOut loads a fresh roll.
func (s *PrinterSim) SetStatus(st escpos.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.PaperOut && !st.PaperOut {
		s.onRoll = 0
	}
	s.state = st
}

// SetMute makes the printer ignore DLE EOT requests (on) or answer them.
func (s *PrinterSim) SetMute(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mute = on
}

// Status is the simulated condition.
func (s *PrinterSim) Status() escpos.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Printed returns the receipts printed so far.
func (s *PrinterSim) Printed() []Printed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Printed(nil), s.printed...)
}

// Discarded is how many receipts arrived while the printer could not print.
func (s *PrinterSim) Discarded() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.discarded
}

// WaitPrinted waits until at least n receipts have been printed and
// returns them, or returns ctx's error.
func (s *PrinterSim) WaitPrinted(ctx context.Context, n int) ([]Printed, error) {
	for {
		s.mu.Lock()
		if len(s.printed) >= n {
			out := append([]Printed(nil), s.printed...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("devsim: waiting for %d receipts: %w", n, ctx.Err())
		}
	}
}

// Unplug disconnects the printer.
func (s *PrinterSim) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.unplug()
}

// Replug connects the printer (again) on a fresh pty at the same link.
// Its condition and receipts are kept.
func (s *PrinterSim) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.sock.plug()
	if p == nil {
		return err
	}
	s.dec = NewDecoder()
	s.raw = nil
	s.spoiled = false
	dec := s.dec
	dec.OnStatus = func(n byte) { s.answer(p, n) }
	dec.OnReceipt = func(r Receipt) { s.receiptLocked(r) }
	go s.serve(p, dec)
	return nil
}

// Close switches the printer off.
func (s *PrinterSim) Close() error { return s.Unplug() }

// serve reads the port until it is closed. Decoder callbacks run with s.mu
// held (answer and receiptLocked rely on it).
func (s *PrinterSim) serve(p *port, dec *Decoder) {
	buf := make([]byte, 4096)
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.raw = append(s.raw, buf[:n]...)
			dec.Write(buf[:n]) // a cut in here keeps or discards its receipt
			// Content of the next receipt that arrived while the printer
			// could not print is lost even if the printer recovers before
			// its cut.
			if dec.PendingContent() > 0 && !s.state.Ready() {
				s.spoiled = true
			}
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// answer replies to DLE EOT n. Called with s.mu held, from serve.
func (s *PrinterSim) answer(p *port, n byte) {
	if s.mute {
		return
	}
	if _, err := p.master.Write([]byte{s.state.Reply(n)}); err != nil {
		s.cfg.Log.Warn("devsim printer: status reply", "err", err)
	}
}

// receiptLocked keeps (or discards) a receipt at its cut. s.mu is held.
func (s *PrinterSim) receiptLocked(r Receipt) {
	raw := s.raw
	if len(raw) > r.Bytes {
		// The rest of this read belongs to the next receipt.
		s.raw = append([]byte(nil), raw[r.Bytes:]...)
		raw = raw[:r.Bytes]
	} else {
		s.raw = nil
	}
	if s.spoiled || !s.state.Ready() {
		s.spoiled = false
		s.discarded++
		s.cfg.Log.Info("devsim printer: receipt discarded, printer not ready", "status", s.state.Detail())
		return
	}
	pr := Printed{Seq: len(s.printed) + 1, Receipt: r, Lines: r.Lines(s.cfg.Width), Raw: raw}
	if s.cfg.OutDir != "" {
		files, err := s.save(pr)
		if err != nil {
			s.cfg.Log.Error("devsim printer: save receipt", "err", err)
		}
		pr.Files = files
	}
	s.printed = append(s.printed, pr)
	s.onRoll++
	if s.cfg.RollReceipts > 0 && s.onRoll >= s.cfg.RollReceipts {
		s.state.PaperOut, s.state.PaperNearEnd = true, true
		s.cfg.Log.Info("devsim printer: paper roll used up", "receipts", s.onRoll)
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.cfg.Log.Info("devsim printer: receipt printed", "seq", pr.Seq, "bytes", len(raw), "files", pr.Files)
}

// save writes the text view, the PNG and the raw bytes of pr.
func (s *PrinterSim) save(pr Printed) ([]string, error) {
	base := filepath.Join(s.cfg.OutDir, fmt.Sprintf("receipt-%04d", pr.Seq))
	txt, img, bin := base+".txt", base+".png", base+".bin"
	var errs []error
	errs = append(errs, os.WriteFile(txt, []byte(pr.Receipt.Text(s.cfg.Width)), 0o644))
	errs = append(errs, os.WriteFile(bin, pr.Raw, 0o644))
	f, err := os.Create(img)
	if err == nil {
		err = errors.Join(png.Encode(f, Render(pr.Receipt, RenderOptions{Width: s.cfg.Width, CJK: s.cfg.CJK})), f.Close())
	}
	errs = append(errs, err)
	return []string{txt, img, bin}, errors.Join(errs...)
}
