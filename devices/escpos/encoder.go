package escpos

import (
	"bytes"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Encoder builds the ESC/POS byte stream of one receipt. The first error
// sticks and is returned by Bytes; later calls do nothing. Not safe for
// concurrent use.
type Encoder struct {
	buf    bytes.Buffer
	width  Width
	qr     QRMode
	double bool
	err    error
}

// NewEncoder returns an encoder for paper width w that prints QR codes in
// mode qr.
func NewEncoder(w Width, qr QRMode) *Encoder {
	if w != Width58 {
		w = Width80
	}
	if qr != QRRaster {
		qr = QRNative
	}
	return &Encoder{width: w, qr: qr}
}

// Columns is the current line width in columns: half the paper's columns
// while double size is on.
func (e *Encoder) Columns() int {
	if e.double {
		return e.width.Columns() / 2
	}
	return e.width.Columns()
}

func (e *Encoder) raw(b ...byte) {
	if e.err == nil {
		e.buf.Write(b)
	}
}

// Init resets the printer (ESC @) and selects Chinese character mode
// (FS &) so that GB18030 two-byte codes print as Hanzi.
func (e *Encoder) Init() {
	e.raw(ESC, '@', FS, '&')
	e.double = false
}

// Align sets the justification of following lines, images and codes (ESC a).
func (e *Encoder) Align(a Align) {
	if a > AlignRight {
		a = AlignLeft
	}
	e.raw(ESC, 'a', byte(a))
}

// Bold turns emphasis on or off (ESC E).
func (e *Encoder) Bold(on bool) { e.raw(ESC, 'E', b2u(on)) }

// Double turns double width and height on or off (GS !), for both ASCII
// and Chinese characters (FS ! is not needed: GS ! applies in Chinese mode
// on the printers we target, and FS W is sent too for those that need it).
func (e *Encoder) Double(on bool) {
	if on {
		e.raw(GS, '!', 0x11, FS, 'W', 1)
	} else {
		e.raw(GS, '!', 0x00, FS, 'W', 0)
	}
	e.double = on
}

// Text writes s (sanitized, GB18030) without ending the line.
func (e *Encoder) Text(s string) { e.raw(encodeGB(Sanitize(s))...) }

// Line writes s truncated to the line width, then a line feed.
func (e *Encoder) Line(s string) {
	e.Text(Truncate(s, e.Columns()))
	e.raw(LF)
}

// Wrapped writes s over as many lines as it needs.
func (e *Encoder) Wrapped(s string) {
	for _, l := range Wrap(s, e.Columns()) {
		e.Line(l)
	}
}

// Pair writes label and value on one line, value flush right.
func (e *Encoder) Pair(label, value string) {
	for _, l := range Pair(label, value, e.Columns()) {
		e.Line(l)
	}
}

// Rule writes a full-width line of ch (an ASCII character).
func (e *Encoder) Rule(ch byte) {
	if ch < 0x21 || ch > 0x7e {
		ch = '-'
	}
	e.raw(bytes.Repeat([]byte{ch}, e.Columns())...)
	e.raw(LF)
}

// Feed feeds n blank lines (ESC d n).
func (e *Encoder) Feed(n int) {
	e.raw(ESC, 'd', byte(clamp(n, 0, 255)))
}

// Cut feeds to the cutter and cuts the paper, leaving a hinge (GS V 66 0).
func (e *Encoder) Cut() { e.raw(GS, 'V', 66, 0) }

// QR prints data as a QR code in the encoder's QR mode, with error
// correction M and modules of moduleSize dots (1..16).
func (e *Encoder) QR(data string, moduleSize int) {
	if e.qr == QRRaster {
		e.QRRaster(data, moduleSize)
	} else {
		e.QRNative(data, moduleSize, QRLevelM)
	}
}

// maxQRPayload is what a version-40 symbol at level M holds in byte mode.
const maxQRPayload = 2331

// QRNative prints data with the printer's own QR generator: GS ( k with
// functions 165 (model 2), 167 (module size), 169 (error correction), 180
// (store data) and 181 (print).
func (e *Encoder) QRNative(data string, moduleSize int, level byte) {
	if data == "" || len(data) > maxQRPayload {
		e.fail(errorf("QR payload of %d bytes (want 1..%d)", len(data), maxQRPayload))
		return
	}
	if level < QRLevelL || level > QRLevelH {
		level = QRLevelM
	}
	e.raw(GS, '(', 'k', 4, 0, '1', 'A', '2', 0)
	e.raw(GS, '(', 'k', 3, 0, '1', 'C', byte(clamp(moduleSize, 1, 16)))
	e.raw(GS, '(', 'k', 3, 0, '1', 'E', level)
	n := len(data) + 3
	e.raw(GS, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
	e.raw([]byte(data)...)
	e.raw(GS, '(', 'k', 3, 0, '1', 'Q', '0')
}

// MaxRasterQRModule is the largest module, in dots, QRRaster prints: 6
// dots are 0.75 mm at 203 dpi, more than twice what a phone camera or a
// handheld scanner needs. Printers without GS ( k are mostly the slow
// serial ones, where every dot row of a bitmap costs transmission time.
const MaxRasterQRModule = 6

// QRRaster draws data with gozxing's QR encoder and prints it as a raster
// image (GS v 0), for printers without GS ( k. The module is moduleSize
// dots, at most MaxRasterQRModule, rounded down to an even number from 2 on:
// the bitmap is sent at half that size in GS v 0's quadruple mode (m = 3,
// every bit printed as 2×2 dots), which sends a quarter of the bytes of the
// same printed symbol. A 51-byte URL at 6-dot modules is 1.5 KB instead of
// 5.5 KB, 1.5 s less at 9600 baud; error correction stays at level M,
// since a thermal receipt fades and creases before it is scanned.
func (e *Encoder) QRRaster(data string, moduleSize int) {
	module := clamp(moduleSize, 1, MaxRasterQRModule)
	if module == 1 {
		img, err := QRImage(data, 1)
		if err != nil {
			e.fail(err)
			return
		}
		e.Raster(img)
		return
	}
	img, err := QRImage(data, module/2)
	if err != nil {
		e.fail(err)
		return
	}
	e.RasterQuadruple(img)
}

// QRImage renders data as a QR code (level M, 1-module quiet zone) with
// modules of scale×scale pixels.
func QRImage(data string, scale int) (*image.Gray, error) {
	if data == "" || len(data) > maxQRPayload {
		return nil, errorf("QR payload of %d bytes (want 1..%d)", len(data), maxQRPayload)
	}
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           1,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(data, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, errorf("QR encode: %v", err)
	}
	w, h := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := 0; y < h*scale; y++ {
		for x := 0; x < w*scale; x++ {
			c := color.Gray{Y: 255}
			if m.Get(x/scale, y/scale) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img, nil
}

// Raster prints img as a 1-bit raster image (GS v 0, normal density):
// pixels darker than mid-grey are black. Images wider than the paper are
// refused; the height is limited to 2400 dots (30 cm).
func (e *Encoder) Raster(img image.Image) { e.raster(img, 1) }

// RasterQuadruple is Raster in GS v 0's quadruple mode (m = 3): each pixel
// of img prints as 2×2 dots, so img must fit half the paper's dots and
// 1200 rows.
func (e *Encoder) RasterQuadruple(img image.Image) { e.raster(img, 2) }

// raster sends img with GS v 0, each pixel printed as scale×scale dots
// (scale 1: mode 0; scale 2: mode 3, quadruple).
func (e *Encoder) raster(img image.Image, scale int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 || w*scale > e.width.Dots() || h*scale > 2400 {
		e.fail(errorf("raster image %dx%d at %dx scale does not fit %d dots", w, h, scale, e.width.Dots()))
		return
	}
	mode := byte(0)
	if scale == 2 {
		mode = 3
	}
	rowBytes := (w + 7) / 8
	e.raw(GS, 'v', '0', mode, byte(rowBytes), byte(rowBytes>>8), byte(h), byte(h>>8))
	dark := func(x, y int) bool {
		return color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y < 128
	}
	if g, ok := img.(*image.Gray); ok { // QR codes: read pixels directly
		dark = func(x, y int) bool { return g.Pix[(b.Min.Y+y-g.Rect.Min.Y)*g.Stride+b.Min.X+x-g.Rect.Min.X] < 128 }
	}
	row := make([]byte, rowBytes)
	for y := 0; y < h; y++ {
		clear(row)
		for x := 0; x < w; x++ {
			if dark(x, y) {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		e.raw(row...)
	}
}

// Code128 prints data as a Code 128 barcode (code set B) with the digits
// printed below (HRI). data is printable ASCII, 1..64 characters; a '{' is
// sent as "{{", since "{x" selects a code set or a function character.
func (e *Encoder) Code128(data string) {
	if len(data) == 0 || len(data) > 64 {
		e.fail(errorf("Code128 data of %d bytes (want 1..64)", len(data)))
		return
	}
	body := []byte{'{', 'B'}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7e {
			e.fail(errorf("Code128 data has byte %#x", data[i]))
			return
		}
		if data[i] == '{' {
			body = append(body, '{')
		}
		body = append(body, data[i])
	}
	e.barcodeSetup()
	e.raw(GS, 'k', 73, byte(len(body)))
	e.raw(body...)
}

// EAN13 prints a 13-digit EAN (the check digit must be right) with HRI.
func (e *Encoder) EAN13(data string) {
	if !validEAN13(data) {
		e.fail(errorf("EAN-13 %q is not 13 digits with a valid check digit", data))
		return
	}
	e.barcodeSetup()
	e.raw(GS, 'k', 67, 13)
	e.raw([]byte(data)...)
}

func (e *Encoder) barcodeSetup() {
	e.raw(GS, 'h', 80, GS, 'w', 2, GS, 'H', 2)
}

func validEAN13(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i < 12 {
			if i%2 == 1 {
				d *= 3
			}
			sum += d
		}
	}
	return (10-sum%10)%10 == int(s[12]-'0')
}

// Bytes returns the encoded stream, or the first error.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	return bytes.Clone(e.buf.Bytes()), nil
}

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
