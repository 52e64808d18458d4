package devsim

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// ScannerConfig configures the virtual scanner.
type ScannerConfig struct {
	// Link is a stable path (symlink) to the port; empty uses /dev/pts/N
	// directly (then Replug yields a different path).
	Link string
	// Suffix is appended to each code; default "\r" (CR) unless NoSuffix.
	Suffix   string
	NoSuffix bool // scanners framed by idle time send no suffix
	// Prefix is prepended to each code, e.g. an AIM identifier "]E0".
	Prefix string
	// Baud, when > 0, paces the bytes as a serial line would (10 bits a
	// byte): a pty moves bytes instantly, a real scanner does not.
	Baud int
}

// ScannerSim is a virtual serial barcode scanner. Safe for concurrent use.
type ScannerSim struct {
	cfg  ScannerConfig
	mu   sync.Mutex // guards sock and sends
	sock socket
}

// NewScanner plugs in a virtual scanner.
func NewScanner(cfg ScannerConfig) (*ScannerSim, error) {
	if cfg.NoSuffix {
		cfg.Suffix = ""
	} else if cfg.Suffix == "" {
		cfg.Suffix = "\r"
	}
	s := &ScannerSim{cfg: cfg, sock: socket{link: cfg.Link}}
	if err := s.Replug(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the port the terminal should open.
func (s *ScannerSim) Path() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.path()
}

// Send sends one code with the configured prefix and suffix.
func (s *ScannerSim) Send(code string) error {
	return s.SendRaw([]byte(s.cfg.Prefix + code + s.cfg.Suffix))
}

// SendRaw sends bytes as they are (garbage, split frames …), paced when
// Baud is set.
func (s *ScannerSim) SendRaw(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.sock.p
	if p == nil {
		return fmt.Errorf("devsim: scanner unplugged")
	}
	if s.cfg.Baud <= 0 {
		_, err := p.master.Write(b)
		return err
	}
	// Write in slices of about a millisecond of line time and sleep for
	// the rest of it, so the receiver sees bytes trickle in.
	chunk := max(1, s.cfg.Baud/10/1000)
	perByte := time.Second * 10 / time.Duration(s.cfg.Baud)
	for len(b) > 0 {
		n := min(chunk, len(b))
		start := time.Now()
		if _, err := p.master.Write(b[:n]); err != nil {
			return err
		}
		time.Sleep(time.Duration(n)*perByte - time.Since(start))
		b = b[n:]
	}
	return nil
}

// Unplug pulls the scanner out: its link disappears and the terminal's
// open port fails.
func (s *ScannerSim) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.unplug()
}

// Replug plugs the scanner (back) in on a new pty, at the same link.
func (s *ScannerSim) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.sock.plug()
	if p == nil {
		return err
	}
	// Nothing reads what the terminal writes to a scanner; drain it so a
	// chatty driver never blocks.
	go io.Copy(io.Discard, p.master)
	return nil
}

// Close unplugs the scanner for good.
func (s *ScannerSim) Close() error { return s.Unplug() }
