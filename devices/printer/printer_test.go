package printer

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"tradein/devices/escpos"
)

// pipeDevice joins a Printer to a goroutine playing the printer.
type pipeDevice struct {
	io.Reader
	io.Writer
}

func TestStatusTimeoutOverPipe(t *testing.T) {
	toPrinter, fromHost := io.Pipe()
	fromPrinter, toHost := io.Pipe()
	defer toHost.Close()
	go io.Copy(io.Discard, toPrinter) // a printer that never answers
	p := New(pipeDevice{fromPrinter, fromHost}, Config{StatusTimeout: 20 * time.Millisecond})
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrNoStatus) {
		t.Fatalf("err = %v", err)
	}
	// The port goes away: the error says so instead of timing out.
	toHost.Close()
	deadline := time.Now().Add(5 * time.Second)
	for p.Gone() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if _, err := p.Status(context.Background()); err == nil || errors.Is(err, ErrNoStatus) {
		t.Fatalf("err = %v", err)
	}
}

func TestStatusOverPipe(t *testing.T) {
	toPrinter, fromHost := io.Pipe()
	fromPrinter, toHost := io.Pipe()
	defer toHost.Close()
	want := escpos.Status{PaperNearEnd: true, CoverOpen: true}
	go func() { // a printer answering each DLE EOT n
		b := make([]byte, 3)
		for {
			if _, err := io.ReadFull(toPrinter, b); err != nil {
				return
			}
			toHost.Write([]byte{want.Reply(b[2])})
		}
	}()
	p := New(pipeDevice{fromPrinter, fromHost}, Config{})
	got, err := p.Status(context.Background())
	if err != nil || !got.CoverOpen || !got.PaperNearEnd || got.PaperOut || got.Ready() {
		t.Fatalf("status %+v %v", got, err)
	}
}

// TestPacedWrites: at 9600 baud a 1,000-byte job is written in 256-byte
// chunks with the wire time of each chunk between them.
func TestPacedWrites(t *testing.T) {
	r, w := io.Pipe()
	got := make(chan int, 10)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			if err != nil {
				close(got)
				return
			}
			got <- n
		}
	}()
	// The clock advances 10 ms per reading: each write "takes" 10 ms, which
	// the pause after it must make up for.
	clock := &stepClock{at: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), step: 10 * time.Millisecond}
	var slept []time.Duration
	p := New(pipeDevice{eofReader{}, w}, Config{PaceBaud: 9600, Clock: clock, Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}})
	if err := p.Print(context.Background(), make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var sizes []int
	for n := range got {
		sizes = append(sizes, n)
	}
	if len(sizes) != 4 || sizes[0] != 256 || sizes[3] != 232 || len(slept) != 3 {
		t.Fatalf("chunks %v, sleeps %v", sizes, slept)
	}
	for _, d := range slept {
		if want := 256*10*time.Second/9600 - 10*time.Millisecond; d != want {
			t.Fatalf("pause %v for a 256-byte chunk at 9600 baud, want %v", d, want)
		}
	}
}

// stepClock is an agent.Clock that moves on by step at every reading.
type stepClock struct {
	at   time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.at = c.at.Add(c.step)
	return c.at
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { select {} }
