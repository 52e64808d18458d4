package escpos

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestWidths(t *testing.T) {
	cases := map[string]int{"ABC": 3, "补贴": 4, "¥1,234.56": 10, "商品A": 5, "\x1b@": 2, "😀": 1}
	for s, want := range cases {
		if got := TextWidth(s); got != want {
			t.Errorf("TextWidth(%q) = %d, want %d", s, got, want)
		}
	}
	if Width58.Columns() != 32 || Width80.Columns() != 48 || Width58.Dots() != 384 || Width80.Dots() != 576 {
		t.Fatal("paper geometry")
	}
}

func TestPairAndWrapCountCJKAsTwo(t *testing.T) {
	l := Pair("政府补贴", "-¥749.85", 32)
	if len(l) != 1 || TextWidth(l[0]) != 32 || !strings.HasPrefix(l[0], "政府补贴") || !strings.HasSuffix(l[0], "-￥749.85") {
		t.Fatalf("Pair = %q", l)
	}
	long := Pair("海尔冰箱BCD-470WGHTD 对开门一级能效超薄嵌入式", "¥4,999.00", 32)
	if len(long) < 2 {
		t.Fatalf("long pair on one line: %q", long)
	}
	for _, s := range long {
		if TextWidth(s) > 32 {
			t.Fatalf("line %q is %d columns", s, TextWidth(s))
		}
	}
	w := Wrap("以旧换新补贴活动说明：本小票为补贴凭证请妥善保管", 16)
	for _, s := range w {
		if TextWidth(s) > 16 {
			t.Fatalf("wrapped line %q too wide", s)
		}
	}
	if strings.Join(w, "") != "以旧换新补贴活动说明：本小票为补贴凭证请妥善保管" {
		t.Fatalf("wrap lost text: %q", w)
	}
	if got := Wrap("hello wonderful world", 10); strings.Join(got, "|") != "hello|wonderful|world" {
		t.Fatalf("ASCII wrap = %q", got)
	}
}

func TestEncoderCommands(t *testing.T) {
	e := NewEncoder(Width58, QRNative)
	e.Init()
	e.Align(AlignCenter)
	e.Bold(true)
	e.Double(true)
	e.Line("小票")
	e.Double(false)
	e.Bold(false)
	e.QR("https://v.example/r/1", 6)
	e.Code128("SN123")
	e.EAN13("6901234567892")
	e.Cut()
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("小票"))
	for _, want := range [][]byte{
		{ESC, '@', FS, '&'},
		{ESC, 'a', 1},
		{ESC, 'E', 1},
		{GS, '!', 0x11},
		append(gb, LF),
		{GS, '(', 'k', 24, 0, '1', 'P', '0', 'h', 't', 't', 'p', 's'},
		{GS, '(', 'k', 3, 0, '1', 'Q', '0'},
		{GS, 'k', 73, 7, '{', 'B', 'S', 'N', '1', '2', '3'},
		{GS, 'k', 67, 13, '6', '9', '0'},
		{GS, 'V', 66, 0},
	} {
		if !bytes.Contains(b, want) {
			t.Errorf("stream lacks % x", want)
		}
	}
}

func TestEncoderRefusesBadInput(t *testing.T) {
	for name, f := range map[string]func(e *Encoder){
		"ean":      func(e *Encoder) { e.EAN13("6901234567890") },
		"ean-abc":  func(e *Encoder) { e.EAN13("69012345678ab") },
		"code128":  func(e *Encoder) { e.Code128("") },
		"code128c": func(e *Encoder) { e.Code128("a\x00b") },
		"qr-empty": func(e *Encoder) { e.QR("", 4) },
		"qr-long":  func(e *Encoder) { e.QR(strings.Repeat("x", 5000), 4) },
	} {
		e := NewEncoder(Width80, QRRaster)
		f(e)
		if _, err := e.Bytes(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestRasterQR: a raster QR is sent at half its module size in GS v 0's
// quadruple mode (a quarter of the bytes), modules above
// MaxRasterQRModule are capped and odd ones rounded down; a 1-dot module
// is sent as it is.
func TestRasterQR(t *testing.T) {
	// "https://v.example/r/1" is a version-2 symbol at level M: 25 modules
	// and a 1-module quiet zone on each side.
	const modules = 27
	for _, c := range []struct{ module, sentScale int }{{6, 3}, {8, 3}, {16, 3}, {5, 2}, {4, 2}, {2, 1}, {1, 1}} {
		e := NewEncoder(Width80, QRRaster)
		e.QR("https://v.example/r/1", c.module)
		b, err := e.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		mode := byte(3)
		if c.module == 1 {
			mode = 0
		}
		if !bytes.HasPrefix(b, []byte{GS, 'v', '0', mode}) {
			t.Fatalf("module %d: not a mode-%d raster: % x", c.module, mode, b[:8])
		}
		w := int(b[4]) | int(b[5])<<8
		h := int(b[6]) | int(b[7])<<8
		if len(b) != 8+w*h || h != modules*c.sentScale || w != (modules*c.sentScale+7)/8 {
			t.Fatalf("module %d: raster %d bytes/row × %d rows, stream %d bytes; want %d rows", c.module, w, h, len(b), modules*c.sentScale)
		}
	}
	// Quadruple mode needs the doubled width to fit the paper.
	e := NewEncoder(Width58, QRRaster)
	e.RasterQuadruple(image.NewGray(image.Rect(0, 0, 193, 1)))
	if _, err := e.Bytes(); !errors.Is(err, ErrInvalid) {
		t.Fatal("a quadruple image wider than 58 mm paper was accepted")
	}
}

func TestStatusRoundTrip(t *testing.T) {
	for _, s := range []Status{{}, {PaperOut: true}, {CoverOpen: true}, {PaperNearEnd: true}, {Offline: true}} {
		var got Status
		for _, n := range []byte{StatusPrinter, StatusOffline, StatusPaperRoll} {
			if err := got.Apply(n, s.Reply(n)); err != nil {
				t.Fatal(err)
			}
		}
		// A printer that is not ready reports itself offline as well.
		want := s
		want.Offline = !s.Ready()
		want.PaperNearEnd = s.PaperNearEnd || s.PaperOut // an empty roll is also "near end"
		if got != want {
			t.Errorf("status %+v read back as %+v", want, got)
		}
	}
	var s Status
	if err := s.Apply(StatusPrinter, 0xff); err == nil {
		t.Error("0xff accepted as a status reply")
	}
	if (Status{PaperOut: true, CoverOpen: true}).Code() != "PAPER_OUT" || (Status{PaperNearEnd: true}).Code() != "PAPER_NEAR_END" || (Status{}).Code() != "" {
		t.Error("codes")
	}
}

// FuzzEncoderText checks that no text, whatever it contains, can inject a
// command: a printed line is GB18030 text of at most the line width,
// followed by exactly one LF, and it decodes back to the sanitized input.
func FuzzEncoderText(f *testing.F) {
	f.Add("海尔冰箱 BCD-470 ¥4,999.00", "补贴")
	f.Add("\x1b@\x1dV\x00evil", "\x10\x04\x01")
	f.Add("😀𠀀\xff\xfe", "")
	f.Add(strings.Repeat("长", 100), "x")
	f.Fuzz(func(t *testing.T, s, v string) {
		for _, w := range []Width{Width58, Width80} {
			e := NewEncoder(w, QRNative)
			e.Line(s)
			e.Pair(s, v)
			b, err := e.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range bytes.Split(bytes.TrimSuffix(b, []byte{LF}), []byte{LF}) {
				for _, c := range line {
					if c < 0x20 || c == 0x7f {
						t.Fatalf("control byte %#x in text line", c)
					}
				}
				txt, err := simplifiedchinese.GB18030.NewDecoder().Bytes(line)
				if err != nil {
					t.Fatalf("not GB18030: %v", err)
				}
				if TextWidth(string(txt)) > w.Columns() {
					t.Fatalf("line %q wider than %d", txt, w.Columns())
				}
			}
			first, _, _ := bytes.Cut(b, []byte{LF})
			txt, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(first)
			if string(txt) != Truncate(s, w.Columns()) {
				t.Fatalf("line decodes to %q, want %q", txt, Truncate(s, w.Columns()))
			}
		}
	})
}

func TestRasterBitOrder(t *testing.T) {
	for _, img := range []image.Image{image.NewRGBA(image.Rect(0, 0, 10, 2)), image.NewGray(image.Rect(3, 5, 13, 7))} {
		b := img.Bounds()
		set := img.(interface{ Set(x, y int, c color.Color) })
		for x := b.Min.X; x < b.Max.X; x++ {
			set.Set(x, b.Min.Y, color.White)
			set.Set(x, b.Min.Y+1, color.White)
		}
		set.Set(b.Min.X, b.Min.Y, color.Black)     // first pixel: MSB of the first byte
		set.Set(b.Min.X+9, b.Min.Y+1, color.Black) // tenth pixel of row 2: second byte, 0x40
		e := NewEncoder(Width58, QRRaster)
		e.Raster(img)
		got, err := e.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		want := []byte{GS, 'v', '0', 0, 2, 0, 2, 0, 0x80, 0x00, 0x00, 0x40}
		if !bytes.Equal(got, want) {
			t.Fatalf("%T: % x, want % x", img, got, want)
		}
	}
	e := NewEncoder(Width58, QRRaster)
	e.Raster(image.NewGray(image.Rect(0, 0, 385, 1)))
	if _, err := e.Bytes(); !errors.Is(err, ErrInvalid) {
		t.Fatal("an image wider than 58 mm paper was accepted")
	}
}

// TestGB18030Bytes pins the bytes of Chinese text: the GBK code points
// (which every GB18030 printer font has), as golang.org/x/text encodes them.
func TestGB18030Bytes(t *testing.T) {
	cases := []struct {
		in   string
		want []byte
	}{
		{"以旧换新补贴", []byte{0xd2, 0xd4, 0xbe, 0xc9, 0xbb, 0xbb, 0xd0, 0xc2, 0xb2, 0xb9, 0xcc, 0xf9}},
		{"重打印", []byte{0xd6, 0xd8, 0xb4, 0xf2, 0xd3, 0xa1}},
		{"¥5：A", []byte{0xa3, 0xa4, '5', 0xa3, 0xba, 'A'}}, // '¥' prints as the full-width '￥' (A3A4)
	}
	for _, c := range cases {
		e := NewEncoder(Width58, QRNative)
		e.Line(c.in)
		got, err := e.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if want := append(c.want, LF); !bytes.Equal(got, want) {
			t.Errorf("Line(%q) = % x, want % x", c.in, got, want)
		}
		ref, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(Sanitize(c.in)))
		if err != nil || !bytes.Equal(ref, c.want) {
			t.Errorf("x/text encodes %q as % x (%v)", c.in, ref, err)
		}
	}
}

// TestChineseModeFirst: Init selects Chinese mode (FS &) right after the
// reset (ESC @ may cancel it), before any text; nothing cancels it (FS .).
func TestChineseModeFirst(t *testing.T) {
	e := NewEncoder(Width80, QRNative)
	e.Init()
	e.Line("以旧换新")
	b, _ := e.Bytes()
	if !bytes.HasPrefix(b, []byte{ESC, '@', FS, '&', 0xd2, 0xd4}) {
		t.Fatalf("stream starts % x", b[:6])
	}
	if bytes.Contains(b, []byte{FS, '.'}) {
		t.Fatal("FS . cancels Chinese mode")
	}
}

// TestCJKColumns80: on 80 mm paper a line holds 24 Hanzi or 48 ASCII.
func TestCJKColumns80(t *testing.T) {
	e := NewEncoder(Width80, QRNative)
	e.Line(strings.Repeat("补", 30))
	e.Line(strings.Repeat("x", 60))
	e.Pair("实付金额", "¥4,249.15")
	b, _ := e.Bytes()
	lines := bytes.Split(bytes.TrimSuffix(b, []byte{LF}), []byte{LF})
	if len(lines) != 3 || len(lines[0]) != 48 || len(lines[1]) != 48 {
		t.Fatalf("lines % x", lines)
	}
	pair, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(lines[2])
	if want := "实付金额" + strings.Repeat(" ", 48-8-10) + "￥4,249.15"; string(pair) != want || TextWidth(want) != 48 {
		t.Fatalf("pair %q, want %q", pair, want)
	}
	e = NewEncoder(Width80, QRNative)
	e.Double(true)
	if e.Columns() != 24 {
		t.Fatalf("double size: %d columns", e.Columns())
	}
}

// TestQRNativeLayout pins GS ( k as Epson documents it: cn 49, fn 65
// (function 165, model 2), 67 (167, module size), 69 (169, error
// correction 48–51), 80 (180, store: pL pH count the data plus 3) and 81
// (181, print).
func TestQRNativeLayout(t *testing.T) {
	e := NewEncoder(Width80, QRNative)
	e.QRNative("ABC", 6, QRLevelM)
	got, _ := e.Bytes()
	want := []byte{
		GS, '(', 'k', 4, 0, 49, 65, 50, 0,
		GS, '(', 'k', 3, 0, 49, 67, 6,
		GS, '(', 'k', 3, 0, 49, 69, 49,
		GS, '(', 'k', 6, 0, 49, 80, 48, 'A', 'B', 'C',
		GS, '(', 'k', 3, 0, 49, 81, 48,
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("QR % x\nwant % x", got, want)
	}
	e = NewEncoder(Width80, QRNative)
	e.QRNative(strings.Repeat("x", 300), 99, 7) // size clamped to 16, unknown level → M
	got, _ = e.Bytes()
	if !bytes.Contains(got, []byte{GS, '(', 'k', 3, 0, 49, 67, 16}) || !bytes.Contains(got, []byte{GS, '(', 'k', 3, 0, 49, 69, 49}) ||
		!bytes.Contains(got, []byte{GS, '(', 'k', 303 & 0xff, 303 >> 8, 49, 80, 48, 'x'}) {
		t.Fatalf("long QR % x", got[:40])
	}
}

// TestCode128Escapes: '{' is doubled inside GS k 73 data.
func TestCode128Escapes(t *testing.T) {
	e := NewEncoder(Width80, QRNative)
	e.Code128("A{B")
	got, _ := e.Bytes()
	if !bytes.HasSuffix(got, []byte{GS, 'k', 73, 6, '{', 'B', 'A', '{', '{', 'B'}) {
		t.Fatalf("% x", got)
	}
}

// TestStatusBitsPerEpson decodes literal reply bytes as the Epson ESC/POS
// reference defines them (bits 1 and 4 always on, 0 and 7 always off).
func TestStatusBitsPerEpson(t *testing.T) {
	cases := []struct {
		n, b byte
		want Status
	}{
		{StatusPrinter, 0x12, Status{}},
		{StatusPrinter, 0x16, Status{}}, // bit 2: drawer pin, not ours
		{StatusPrinter, 0x1a, Status{Offline: true}},
		{StatusOffline, 0x16, Status{CoverOpen: true}},
		{StatusOffline, 0x1a, Status{}}, // bit 3: feed button pressed
		{StatusOffline, 0x32, Status{PaperOut: true}},
		{StatusOffline, 0x52, Status{Error: true}},
		{StatusError, 0x1a, Status{Error: true}}, // autocutter
		{StatusError, 0x32, Status{Error: true}}, // unrecoverable
		{StatusError, 0x52, Status{Error: true}}, // auto-recoverable
		{StatusError, 0x12, Status{}},
		{StatusPaperRoll, 0x1e, Status{PaperNearEnd: true}},
		{StatusPaperRoll, 0x72, Status{PaperOut: true}},
		{StatusPaperRoll, 0x7e, Status{PaperNearEnd: true, PaperOut: true}},
	}
	for _, c := range cases {
		var got Status
		if err := got.Apply(c.n, c.b); err != nil || got != c.want {
			t.Errorf("DLE EOT %d reply %#02x = %+v, %v; want %+v", c.n, c.b, got, err, c.want)
		}
	}
	for _, b := range []byte{0x00, 0x13, 0x11, 0x92, 0xff} {
		var s Status
		if err := s.Apply(StatusPrinter, b); err == nil {
			t.Errorf("%#02x accepted as a status reply", b)
		}
	}
	replies := []struct {
		s    Status
		n, b byte
	}{
		{Status{}, StatusPrinter, 0x12},
		{Status{CoverOpen: true}, StatusPrinter, 0x1a},
		{Status{CoverOpen: true}, StatusOffline, 0x16},
		{Status{PaperOut: true}, StatusOffline, 0x32},
		{Status{PaperOut: true}, StatusPaperRoll, 0x7e},
		{Status{PaperNearEnd: true}, StatusPaperRoll, 0x1e},
		{Status{Error: true}, StatusError, 0x32},
	}
	for _, c := range replies {
		if got := c.s.Reply(c.n); got != c.b {
			t.Errorf("%+v.Reply(%d) = %#02x, want %#02x", c.s, c.n, got, c.b)
		}
	}
}
