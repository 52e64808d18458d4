package serialport

import (
	"errors"
	"io"
	"testing"

	"github.com/creack/pty"
	"go.bug.st/serial/enumerator"
)

// TestOpenPseudoTerminal opens a real pseudo-terminal through
// go.bug.st/serial: baud and parity are accepted, modem lines untouched,
// bytes flow both ways, and Close unblocks a pending Read.
func TestOpenPseudoTerminal(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	defer master.Close()
	defer tty.Close()

	p, err := Open(Config{Path: tty.Name(), Baud: 115200, Parity: "E", StopBits: "2", DataBits: 7})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := master.Write([]byte("6901234567892\r")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	got := ""
	for len(got) < 14 {
		n, err := p.Read(buf)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		got += string(buf[:n])
	}
	if got != "6901234567892\r" {
		t.Fatalf("read %q", got)
	}
	if _, err := p.Write([]byte{0x10, 0x04, 0x01}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	n, err := master.Read(buf)
	if err != nil || string(buf[:n]) != "\x10\x04\x01" {
		t.Fatalf("master read %q, %v", buf[:n], err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := p.Read(buf)
		done <- err
	}()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; err == nil {
		t.Fatal("Read after Close returned no error")
	}
}

func TestOpenRejectsBadSettings(t *testing.T) {
	for _, c := range []Config{
		{Path: "/dev/null", Parity: "X"},
		{Path: "/dev/null", StopBits: "3"},
		{Path: "/dev/null", DataBits: 9},
		{Path: ""},
		{Path: "/nonexistent/tty"},
	} {
		if p, err := Open(c); err == nil {
			p.Close()
			t.Errorf("Open(%+v) succeeded", c)
		}
	}
}

func TestListShowsUSBIDs(t *testing.T) {
	l := func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{
			{Name: "/dev/ttyUSB1", IsUSB: true, VID: "0483", PID: "5740", Product: "Printer"},
			{Name: "/dev/ttyS0"},
			nil,
			{Name: "/dev/ttyUSB0", IsUSB: true, VID: "1A86", PID: "7523"},
		}, nil
	}
	ps, err := List(l)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/dev/ttyS0", "/dev/ttyUSB0 (USB 1A86:7523)", "/dev/ttyUSB1 (USB 0483:5740 Printer)"}
	if len(ps) != len(want) {
		t.Fatalf("got %d ports", len(ps))
	}
	for i, p := range ps {
		if p.Label() != want[i] {
			t.Errorf("port %d: %q, want %q", i, p.Label(), want[i])
		}
	}
	boom := errors.New("boom")
	if _, err := List(func() ([]*enumerator.PortDetails, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("error not wrapped: %v", err)
	}
	// The real lister must not fail on a machine without serial ports.
	if _, err := List(nil); err != nil {
		t.Logf("system lister: %v", err)
	}
	var _ io.ReadWriteCloser = port{}
}
