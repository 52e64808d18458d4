package devsim

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"tradein/devices/escpos"
	"tradein/devices/serialport"
)

func sample(t testing.TB, qr escpos.QRMode) []byte {
	e := escpos.NewEncoder(escpos.Width58, qr)
	e.Init()
	e.Align(escpos.AlignCenter)
	e.Bold(true)
	e.Double(true)
	e.Line("销售单")
	e.Double(false)
	e.Bold(false)
	e.Align(escpos.AlignLeft)
	e.Pair("政府补贴", "-¥749.85")
	e.Line("SN：ABC-123456")
	e.Align(escpos.AlignCenter)
	e.QR("https://verify.example.cn/r/ORD1", 6)
	e.Code128("TI20261121000001")
	e.EAN13("6901234567892")
	e.Feed(2)
	e.Cut()
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var sampleLines = []string{
	strings.Repeat(" ", 10) + "销售单",               // 3 Hanzi at double width = 12 of 32 columns
	"政府补贴" + strings.Repeat(" ", 15) + "-￥749.85", // 8 + 15 + 9 = 32
	"SN：ABC-123456",
	"[QR] https://verify.example.cn/r/ORD1",
	"[CODE128] TI20261121000001",
	"[EAN13] 6901234567892",
	"",
	"",
}

func decodeAll(t testing.TB, b []byte, step int) []Receipt {
	d := NewDecoder()
	var out []Receipt
	d.OnReceipt = func(r Receipt) { out = append(out, r) }
	for i := 0; i < len(b); i += step {
		d.Write(b[i:min(i+step, len(b))])
	}
	if d.Errors() != 0 {
		t.Fatalf("%d decode errors", d.Errors())
	}
	return out
}

func TestDecoderTextView(t *testing.T) {
	b := sample(t, escpos.QRNative)
	for _, step := range []int{len(b), 1, 7} {
		rs := decodeAll(t, b, step)
		if len(rs) != 1 {
			t.Fatalf("step %d: %d receipts", step, len(rs))
		}
		if got := rs[0].Lines(escpos.Width58); !reflect.DeepEqual(got, sampleLines) {
			t.Fatalf("step %d: lines\n%q\nwant\n%q", step, got, sampleLines)
		}
		if rs[0].Bytes != len(b) {
			t.Fatalf("receipt bytes %d, stream %d", rs[0].Bytes, len(b))
		}
	}
	el := decodeAll(t, b, len(b))[0].Elements[0]
	if !el.Bold || !el.Double || el.Align != escpos.AlignCenter {
		t.Fatalf("title attributes %+v", el)
	}
}

func TestDecoderRasterQRAndPNG(t *testing.T) {
	rs := decodeAll(t, sample(t, escpos.QRRaster), 5)
	lines := rs[0].Lines(escpos.Width58)
	if !contains(lines, "[IMAGE-QR] https://verify.example.cn/r/ORD1") {
		t.Fatalf("raster QR not read back: %q", lines)
	}
	// The PNG of both variants holds a QR code that reads back.
	for _, mode := range []escpos.QRMode{escpos.QRNative, escpos.QRRaster} {
		img := Render(decodeAll(t, sample(t, mode), 64)[0], RenderOptions{Width: escpos.Width58})
		if img.Bounds().Dx() != 384 {
			t.Fatalf("PNG width %d", img.Bounds().Dx())
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		dec, _ := png.Decode(&buf)
		bmp, _ := gozxing.NewBinaryBitmapFromImage(dec)
		res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
		if err != nil || res.GetText() != "https://verify.example.cn/r/ORD1" {
			t.Fatalf("%s: QR from PNG: %v %v", mode, res, err)
		}
	}
}

func TestDecoderStatusRequestsAndGarbage(t *testing.T) {
	d := NewDecoder()
	var asked []byte
	d.OnStatus = func(n byte) { asked = append(asked, n) }
	d.Write([]byte{0x10, 0x04})
	d.Write([]byte{0x01, 0x10, 0x04, 0x04, 0x10, 0x04, 0x02})
	if !bytes.Equal(asked, []byte{1, 4, 2}) {
		t.Fatalf("status requests %v", asked)
	}
	if d.ContentBytes() != 0 {
		t.Fatalf("status requests counted as content")
	}
	d.Write([]byte("\x01\x02ok\x1b\xff\n\x1d\x99"))
	if d.Errors() != 4 {
		t.Fatalf("errors %d, want 4", d.Errors())
	}
	if r, ok := d.Flush(); !ok || r.Elements[0].Text != "ok" {
		t.Fatalf("flush %+v %v", r, ok)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzDecoder feeds arbitrary streams, in arbitrary pieces: the decoder
// never panics, never allocates without bound, and gives the same result
// however the stream is split.
func FuzzDecoder(f *testing.F) {
	f.Add(sample(f, escpos.QRNative), uint8(3))
	f.Add(sample(f, escpos.QRRaster), uint8(200))
	f.Add([]byte("\x1dv0\x00\xff\xff\xff\xff"), uint8(1))
	f.Add([]byte("\x1d(k\xff\xff1P0"), uint8(2))
	f.Add([]byte("\x1dk\x49\x05{Babc\x1dk\x02123"), uint8(1))
	f.Add([]byte("\x1b*\x21\x03\x00abcdefghi\x1dV\x00"), uint8(4))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		run := func(step int) []string {
			d := NewDecoder()
			var out []string
			d.OnReceipt = func(r Receipt) { out = append(out, r.Lines(escpos.Width80)...) }
			for i := 0; i < len(in); i += step {
				d.Write(in[i:min(i+step, len(in))])
			}
			if r, ok := d.Flush(); ok {
				out = append(out, r.Lines(escpos.Width80)...)
				Render(r, RenderOptions{Width: escpos.Width58})
			}
			return out
		}
		a, b := run(len(in)+1), run(int(split%32)+1)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("split changed the result:\n%q\n%q", a, b)
		}
	})
}

// TestPrinterOverPseudoTerminal sends a receipt through a real pty opened
// with go.bug.st/serial, asks for status on the same line, and checks the
// saved files.
func TestPrinterOverPseudoTerminal(t *testing.T) {
	dir := t.TempDir()
	sim, err := NewPrinter(PrinterConfig{Link: dir + "/printer", Width: escpos.Width58, OutDir: dir + "/out"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	port, err := serialport.Open(serialport.Config{Path: sim.Path(), Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	sim.SetStatus(escpos.Status{PaperNearEnd: true})
	if _, err := port.Write(escpos.StatusRequest(escpos.StatusPaperRoll)); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, 1)
	if _, err := port.Read(reply); err != nil {
		t.Fatal(err)
	}
	var st escpos.Status
	if err := st.Apply(escpos.StatusPaperRoll, reply[0]); err != nil || !st.PaperNearEnd || st.PaperOut {
		t.Fatalf("status %+v %v", st, err)
	}

	b := sample(t, escpos.QRNative)
	for i := 0; i < len(b); i += 100 {
		if _, err := port.Write(b[i:min(i+100, len(b))]); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ps, err := sim.WaitPrinted(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ps[0].Lines, sampleLines) || !bytes.HasSuffix(ps[0].Raw, b) { // Raw also holds the status request sent first
		t.Fatalf("printed %q", ps[0].Lines)
	}
	txt, err := os.ReadFile(dir + "/out/receipt-0001.txt")
	if err != nil || !strings.Contains(string(txt), "政府补贴") {
		t.Fatalf("saved text %q %v", txt, err)
	}
	if fi, err := os.Stat(dir + "/out/receipt-0001.png"); err != nil || fi.Size() == 0 {
		t.Fatalf("png: %v", err)
	}
}

// TestDecoderCode128Braces: the encoder's "{{" escape reads back as '{'.
func TestDecoderCode128Braces(t *testing.T) {
	e := escpos.NewEncoder(escpos.Width58, escpos.QRNative)
	e.Init()
	e.Code128("A{B")
	e.Cut()
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeAll(t, b, 1)[0].Lines(escpos.Width58); !reflect.DeepEqual(got, []string{"[CODE128] A{B"}) {
		t.Fatalf("lines %q", got)
	}
}

// TestDecoderRasterModes: GS v 0's mode doubles the width (1), the height
// (2) or both (3, quadruple; also as '3') of every bit, as a printer does.
func TestDecoderRasterModes(t *testing.T) {
	// One byte per row, two rows: 1000 0000 / 0000 0001.
	for _, c := range []struct {
		m      byte
		w, h   int
		blacks [][2]int
	}{
		{0, 8, 2, [][2]int{{0, 0}, {7, 1}}},
		{1, 16, 2, [][2]int{{0, 0}, {1, 0}, {14, 1}, {15, 1}}},
		{2, 8, 4, [][2]int{{0, 0}, {0, 1}, {7, 2}, {7, 3}}},
		{3, 16, 4, [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {14, 2}, {15, 2}, {14, 3}, {15, 3}}},
		{'3', 16, 4, [][2]int{{0, 0}, {1, 1}, {15, 3}}},
	} {
		b := []byte{0x1b, '@', 0x1d, 'v', '0', c.m, 1, 0, 2, 0, 0x80, 0x01, 0x1d, 'V', 66, 0}
		rs := decodeAll(t, b, len(b))
		if len(rs) != 1 || len(rs[0].Elements) != 1 {
			t.Fatalf("m=%d: %+v", c.m, rs)
		}
		img := rs[0].Elements[0].Image
		if img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h {
			t.Fatalf("m=%d: image %v, want %dx%d", c.m, img.Bounds(), c.w, c.h)
		}
		black := 0
		for _, p := range img.Pix {
			if p == 0 {
				black++
			}
		}
		for _, p := range c.blacks {
			if img.GrayAt(p[0], p[1]).Y != 0 {
				t.Errorf("m=%d: dot %v is white", c.m, p)
			}
		}
		if want := 2 * (1 + int(c.m&1)) * (1 + int(c.m>>1&1)); c.m < 4 && black != want {
			t.Errorf("m=%d: %d black dots, want %d", c.m, black, want)
		}
	}
	d := NewDecoder()
	d.Write([]byte{0x1d, 'v', '0', 4, 1, 0, 1, 0, 0xff})
	if d.Errors() == 0 {
		t.Error("GS v 0 with mode 4 accepted")
	}
}
