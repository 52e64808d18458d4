package printer

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a printer input that never blocks, so a writer that
// ignored XOFF would be caught.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(time.Millisecond) // polling state, not timing anything
	}
}

func TestXOFFPausesPrinting(t *testing.T) {
	fromPrinter, toHost := io.Pipe()
	defer toHost.Close()
	sink := &lockedBuffer{}
	p := New(pipeDevice{fromPrinter, sink}, Config{})
	toHost.Write([]byte{XOFF})
	waitFor(t, p.Held)

	done := make(chan error, 1)
	go func() { done <- p.Print(context.Background(), make([]byte, 1000)) }()
	select {
	case err := <-done:
		t.Fatalf("Print returned while held: %v", err)
	case <-time.After(50 * time.Millisecond): // nothing may happen; a pass never depends on speed
	}
	if n := sink.Len(); n != 0 {
		t.Fatalf("%d bytes sent while the printer held XOFF", n)
	}
	toHost.Write([]byte{XON})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sink.Len() != 1000 || p.Held() {
		t.Fatalf("sent %d bytes, held %v", sink.Len(), p.Held())
	}
}

func TestXOFFTooLongFails(t *testing.T) {
	fromPrinter, toHost := io.Pipe()
	defer toHost.Close()
	p := New(pipeDevice{fromPrinter, &lockedBuffer{}}, Config{MaxHold: 20 * time.Millisecond})
	toHost.Write([]byte{XOFF})
	waitFor(t, p.Held)
	if err := p.Print(context.Background(), []byte("x")); err == nil || !strings.Contains(err.Error(), "XOFF") {
		t.Fatalf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Print(ctx, []byte("x")); err != context.Canceled {
		t.Fatalf("cancelled Print: %v", err)
	}
}

// XON/XOFF bytes are never taken for status replies.
func TestFlowBytesAreNotStatus(t *testing.T) {
	fromPrinter, toHost := io.Pipe()
	defer toHost.Close()
	toPrinter, fromHost := io.Pipe()
	go func() { // a printer that sends XON, XOFF, XON before each reply
		b := make([]byte, 3)
		for {
			if _, err := io.ReadFull(toPrinter, b); err != nil {
				return
			}
			toHost.Write([]byte{XON, XOFF, XON, 0x12})
		}
	}()
	p := New(pipeDevice{fromPrinter, fromHost}, Config{StatusTimeout: 5 * time.Second})
	st, err := p.Status(context.Background())
	if err != nil || !st.Ready() {
		t.Fatalf("status %+v %v", st, err)
	}
}
