// Package serialport is the one place where go.bug.st/serial opens a port.
// Everything else in devices/ works on io.Reader / io.ReadWriter, so tests
// can use pipes and pseudo-terminals and the drivers stay free of OS detail.
package serialport

import (
	"fmt"
	"io"
	"strings"

	"go.bug.st/serial"
)

// Config says which port to open and how. Zero fields take the defaults of
// a retail barcode scanner or receipt printer: 9600 baud, 8 data bits, no
// parity, 1 stop bit ("9600 8N1").
type Config struct {
	Path     string // e.g. "/dev/ttyUSB0", "COM3", or a symlink made by cmd/devsim
	Baud     int    // default 9600
	DataBits int    // 5..8, default 8
	Parity   string // "N" (default), "E", "O", "M" (mark), "S" (space)
	StopBits string // "1" (default), "1.5", "2"
}

// WithDefaults returns c with zero fields set to 9600 8N1.
func (c Config) WithDefaults() Config {
	if c.Baud == 0 {
		c.Baud = 9600
	}
	if c.DataBits == 0 {
		c.DataBits = 8
	}
	if c.Parity == "" {
		c.Parity = "N"
	}
	if c.StopBits == "" {
		c.StopBits = "1"
	}
	return c
}

// mode translates c into go.bug.st/serial's Mode, rejecting values that are
// not a real line setting.
func (c Config) mode() (*serial.Mode, error) {
	c = c.WithDefaults()
	m := &serial.Mode{BaudRate: c.Baud, DataBits: c.DataBits}
	if c.Baud < 0 {
		return nil, fmt.Errorf("serialport: baud %d is negative", c.Baud)
	}
	if c.DataBits < 5 || c.DataBits > 8 {
		return nil, fmt.Errorf("serialport: data bits %d not in 5..8", c.DataBits)
	}
	switch strings.ToUpper(c.Parity) {
	case "N", "NONE":
		m.Parity = serial.NoParity
	case "E", "EVEN":
		m.Parity = serial.EvenParity
	case "O", "ODD":
		m.Parity = serial.OddParity
	case "M", "MARK":
		m.Parity = serial.MarkParity
	case "S", "SPACE":
		m.Parity = serial.SpaceParity
	default:
		return nil, fmt.Errorf("serialport: unknown parity %q (want N, E, O, M or S)", c.Parity)
	}
	switch c.StopBits {
	case "1":
		m.StopBits = serial.OneStopBit
	case "1.5":
		m.StopBits = serial.OnePointFiveStopBits
	case "2":
		m.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("serialport: unknown stop bits %q (want 1, 1.5 or 2)", c.StopBits)
	}
	return m, nil
}

// Opener opens a configured port. Drivers take an Opener so tests can hand
// them anything that reads and writes; Open is the real one.
type Opener func(Config) (io.ReadWriteCloser, error)

// Open opens the serial port c.Path with c's line settings.
//
// It never touches the modem lines (DTR/RTS): many USB adapters and all
// pseudo-terminals refuse those ioctls ("inappropriate ioctl for device"),
// and neither scanners nor receipt printers need them. On a pseudo-terminal
// the baud rate and parity are accepted and ignored. Close unblocks a Read
// in progress.
func Open(c Config) (io.ReadWriteCloser, error) {
	m, err := c.mode()
	if err != nil {
		return nil, err
	}
	if c.Path == "" {
		return nil, fmt.Errorf("serialport: no port configured")
	}
	p, err := serial.Open(c.Path, m)
	if err != nil {
		return nil, fmt.Errorf("serialport: open %s: %w", c.Path, err)
	}
	return port{p}, nil
}

// port adapts serial.Port to io.ReadWriteCloser. go.bug.st/serial reports a
// port that vanished as a zero-byte read with a PortError; we pass that on
// as an error, so a reader never spins on (0, nil).
type port struct{ p serial.Port }

func (p port) Read(b []byte) (int, error) {
	n, err := p.p.Read(b)
	if n == 0 && err == nil && len(b) > 0 {
		return 0, io.ErrNoProgress
	}
	return n, err
}

func (p port) Write(b []byte) (int, error) { return p.p.Write(b) }
func (p port) Close() error                { return p.p.Close() }
