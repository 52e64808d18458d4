package devsim

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tradein/devices/escpos"
	"tradein/devices/serialport"
)

// TestSimScriptDrivesBothDevices runs a script against both virtual
// devices, reading the scanner and writing the printer through real ptys.
func TestSimScriptDrivesBothDevices(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	s, err := Start(Options{Dir: dir, OutDir: filepath.Join(dir, "out"), Width: escpos.Width58, Suffix: "CRLF", Prefix: "]E0", Baud: 115200, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	scan, err := serialport.Open(serialport.Config{Path: filepath.Join(dir, "scanner")})
	if err != nil {
		t.Fatal(err)
	}
	defer scan.Close()
	prn, err := serialport.Open(serialport.Config{Path: filepath.Join(dir, "printer")})
	if err != nil {
		t.Fatal(err)
	}
	defer prn.Close()

	ctx := context.Background()
	script := "# a timed script\n6901234567892\n:sleep 1ms\n:scan :odd\n:raw 00ff\n:paper out\n:bogus\n:status\n"
	if err := s.Run(ctx, strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	want := "]E06901234567892\r\n]E0:odd\r\n\x00\xff"
	got := make([]byte, 0, len(want))
	buf := make([]byte, 64)
	for len(got) < len(want) {
		n, err := scan.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != want {
		t.Fatalf("scanner sent %q", got)
	}
	if !strings.Contains(out.String(), `error: unknown command ":bogus"`) || !strings.Contains(out.String(), "paper out, 0 printed") {
		t.Fatalf("output %q", out.String())
	}

	receipt := func(text string) []byte {
		e := escpos.NewEncoder(escpos.Width58, escpos.QRNative)
		e.Init()
		e.Line(text)
		e.Cut()
		b, _ := e.Bytes()
		return b
	}
	// Paper out: the printer loses what it is sent.
	prn.Write(receipt("lost"))
	ask := func(n byte) byte {
		prn.Write(escpos.StatusRequest(n))
		r := make([]byte, 1)
		if _, err := io.ReadFull(prn, r); err != nil {
			t.Fatal(err)
		}
		return r[0]
	}
	var st escpos.Status
	st.Apply(escpos.StatusPaperRoll, ask(escpos.StatusPaperRoll))
	if !st.PaperOut || s.Printer.Discarded() != 1 {
		t.Fatalf("status %+v, discarded %d", st, s.Printer.Discarded())
	}
	s.Exec(ctx, ":paper ok")
	prn.Write(receipt("kept"))
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ps, err := s.Printer.WaitPrinted(c, 1)
	if err != nil || ps[0].Lines[0] != "kept" || len(ps[0].Files) != 3 {
		t.Fatalf("printed %+v %v", ps, err)
	}
	s.Exec(ctx, ":offline")
	var off escpos.Status
	if err := off.Apply(escpos.StatusPrinter, ask(escpos.StatusPrinter)); err != nil || !off.Offline {
		t.Fatalf(":offline: status %+v %v", off, err)
	}
	s.Exec(ctx, ":online")
	if b := ask(escpos.StatusPrinter); b != 0x12 {
		t.Fatalf(":online: DLE EOT 1 = %#02x", b)
	}
	s.Exec(ctx, ":mute on")
	s.Exec(ctx, ":cover open")
	if !s.Printer.Status().CoverOpen {
		t.Fatal(":cover open ignored")
	}
	if err := s.Exec(ctx, ":quit"); err != errQuit {
		t.Fatalf(":quit = %v", err)
	}
}

func TestParseStatusFlag(t *testing.T) {
	st, err := ParseStatus("paper-near, cover-open")
	if err != nil || !st.PaperNearEnd || !st.CoverOpen || st.PaperOut {
		t.Fatalf("%+v %v", st, err)
	}
	if _, err := ParseStatus("jammed"); err == nil {
		t.Fatal("unknown status accepted")
	}
	if _, err := suffixBytes("ETX"); err == nil {
		t.Fatal("unknown suffix accepted")
	}
}
