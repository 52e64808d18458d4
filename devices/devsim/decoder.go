// Package devsim is the logic of cmd/devsim: a virtual barcode scanner and a
// virtual ESC/POS receipt printer on pseudo-terminals, for the demo and for
// the device tests. The printer side decodes what it receives (Decoder),
// renders each receipt as text and PNG (Render), and answers DLE EOT.
package devsim

import (
	"image"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"tradein/devices/escpos"
)

// ElementKind says what a decoded receipt element is.
type ElementKind string

const (
	ElemText    ElementKind = "text"
	ElemQR      ElementKind = "qr"      // native QR (GS ( k): Text is the payload
	ElemRaster  ElementKind = "raster"  // GS v 0 or ESC * image
	ElemBarcode ElementKind = "barcode" // GS k: Text is the data, Symbology its type
)

// Element is one printed line, image or code, with the print mode that was
// in force when it was printed.
type Element struct {
	Kind      ElementKind
	Text      string
	Align     escpos.Align
	Bold      bool
	Double    bool
	Symbology string      // "CODE128", "EAN13", … for barcodes
	QRModule  int         // module size in dots for native QR
	QRLevel   byte        // '0'..'3' (L, M, Q, H) for native QR
	Image     *image.Gray // raster images: 0 black, 255 white
}

// Receipt is everything printed between two cuts.
type Receipt struct {
	Elements []Element
	Bytes    int // bytes of the stream that made it
}

// Decoder parses an ESC/POS byte stream that arrives in arbitrary pieces.
// It understands the commands receipt printers use (text and print modes,
// Chinese mode, GS ( k QR codes, GS v 0 and ESC * images, GS k barcodes,
// cuts, DLE EOT status requests) and skips others by their length. Bad
// input is counted in Errors and never panics. Not safe for concurrent use.
type Decoder struct {
	// OnStatus, when set, is called for each DLE EOT n request; the printer
	// side writes the reply.
	OnStatus func(n byte)
	// OnReceipt, when set, is called at each cut with the finished receipt.
	OnReceipt func(Receipt)

	pending []byte
	line    []byte
	lineSet bool // the line's attributes have been captured
	lineAtt Element
	cur     Receipt
	qrData  []byte
	qrSize  int
	qrLevel byte

	align   escpos.Align
	bold    bool
	double  bool
	chinese bool

	errors     int64
	cuts       int64
	content    int64 // bytes of printing commands and text (not status requests)
	curContent int64 // content bytes of the receipt in progress
}

// maxCommand bounds one command's size (a raster image of 576×2400 dots is
// 172,800 bytes); anything larger is treated as a protocol error.
const maxCommand = 1 << 20

// Raster images wider than 2048 dots or taller than 4096 are refused: no
// receipt printer head is that wide, and decoding them would only burn memory.
const (
	maxRasterBytesPerRow = 256
	maxRasterRows        = 4096
)

// NewDecoder returns a decoder in the power-on state of a Chinese-market
// printer (Chinese mode on).
func NewDecoder() *Decoder {
	return &Decoder{chinese: true, qrSize: 3, qrLevel: '0'}
}

// Errors is the number of malformed or unknown commands seen.
func (d *Decoder) Errors() int64 { return d.errors }

// ContentBytes is the number of bytes of printing commands and text seen
// (everything except status requests).
func (d *Decoder) ContentBytes() int64 { return d.content }

// PendingContent is the number of content bytes of the receipt in
// progress (since the last cut).
func (d *Decoder) PendingContent() int64 { return d.curContent }

// Write feeds p to the decoder; it always consumes all of p.
func (d *Decoder) Write(p []byte) (int, error) {
	d.pending = append(d.pending, p...)
	i := 0
	for i < len(d.pending) {
		cuts, content := d.cuts, d.content
		n := d.step(d.pending[i:])
		if n == 0 { // incomplete command: wait for more bytes
			break
		}
		if d.cuts == cuts { // a cut counted its own bytes into the receipt it ended
			d.cur.Bytes += n
			d.curContent += d.content - content
		}
		i += n
	}
	d.pending = append(d.pending[:0], d.pending[i:]...)
	return len(p), nil
}

// Flush ends the receipt in progress (a stream that ended without a cut)
// and returns it; ok is false when nothing was printed.
func (d *Decoder) Flush() (r Receipt, ok bool) {
	d.endLine(false)
	if len(d.cur.Elements) == 0 {
		return Receipt{}, false
	}
	r = d.cur
	d.cur = Receipt{}
	d.curContent = 0
	return r, true
}

// u16 is a little-endian parameter pair (nL nH).
func u16(lo, hi byte) int { return int(lo) | int(hi)<<8 }

// step processes one command or text byte at the head of b and returns how
// many bytes it consumed (0: incomplete).
func (d *Decoder) step(b []byte) int {
	c := b[0]
	switch c {
	case escpos.LF:
		d.content++
		d.endLine(true)
		return 1
	case '\r':
		d.content++
		return 1
	case '\t':
		d.content++
		d.text(' ')
		return 1
	case escpos.DLE:
		return d.dle(b)
	case escpos.ESC:
		return d.esc(b)
	case escpos.GS:
		return d.gs(b)
	case escpos.FS:
		return d.fs(b)
	}
	d.content++
	if c < 0x20 || c == 0x7f {
		d.errors++ // stray control byte
		return 1
	}
	d.text(c)
	return 1
}

func (d *Decoder) counted(n int) int {
	d.content += int64(n)
	return n
}

func (d *Decoder) dle(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case escpos.EOT, 0x05: // DLE EOT n: status; DLE ENQ n: recovery request
		if len(b) < 3 {
			return 0
		}
		if b[1] == escpos.EOT && b[2] >= 1 && b[2] <= 4 && d.OnStatus != nil {
			d.OnStatus(b[2])
		}
		return 3
	case 0x14: // DLE DC4 fn m t
		if len(b) < 5 {
			return 0
		}
		return d.counted(5)
	}
	d.errors++
	return d.counted(1)
}

// escParams is the number of parameter bytes of the ESC commands the
// decoder knows (ESC * is variable and handled by escImage).
var escParams = map[byte]int{
	'@': 0, '2': 0, '<': 0, // initialise; default line spacing; return home
	'a': 1, 'E': 1, 'G': 1, '!': 1, 'd': 1, // justification, emphasis, print mode, feed lines
	'J': 1, '3': 1, '-': 1, 't': 1, 'M': 1, 'R': 1, ' ': 1, 'U': 1, 'V': 1, '{': 1, 'e': 1,
	'$': 2, '\\': 2, 'c': 2, // positions; paper sensor settings
	'p': 3, // cash drawer pulse
}

func (d *Decoder) esc(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	if b[1] == '*' {
		return d.escImage(b)
	}
	params, known := escParams[b[1]]
	if !known {
		d.errors++
		return d.counted(2)
	}
	if len(b) < 2+params {
		return 0
	}
	var n byte
	if params > 0 {
		n = b[2]
	}
	switch b[1] {
	case '@':
		d.endLine(false)
		d.align, d.bold, d.double = escpos.AlignLeft, false, false
	case 'a':
		if v := n % 48; v <= 2 { // 0-2 and '0'-'2'
			d.align = escpos.Align(v)
		} else {
			d.errors++
		}
	case 'E', 'G':
		d.bold = n&1 == 1
	case '!':
		d.bold = n&0x08 != 0
		d.double = n&0x30 == 0x30
	case 'd':
		d.endLine(false)
		for range n {
			d.addLine(nil)
		}
	}
	return d.counted(2 + params)
}

// escImage decodes ESC * m nL nH d…: one band of a column-format bit image.
func (d *Decoder) escImage(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	m, n := b[2], u16(b[3], b[4])
	rows := 8
	if m == 32 || m == 33 {
		rows = 24
	} else if m > 1 {
		d.errors++
		return d.counted(2)
	}
	k := n * rows / 8
	if k > maxCommand || n > maxRasterBytesPerRow*8 {
		d.errors++
		return d.counted(2)
	}
	if len(b) < 5+k {
		return 0
	}
	if n > 0 {
		img := image.NewGray(image.Rect(0, 0, n, rows))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		data := b[5 : 5+k]
		bpc := rows / 8
		for x := 0; x < n; x++ {
			for y := 0; y < rows; y++ {
				if data[x*bpc+y/8]&(0x80>>(y%8)) != 0 {
					img.SetGray(x, y, grayBlack)
				}
			}
		}
		d.endLine(false)
		d.add(Element{Kind: ElemRaster, Image: img, Align: d.align})
	}
	return d.counted(5 + k)
}

func (d *Decoder) gs(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '(':
		return d.gsParen(b)
	case 'v':
		return d.gsRaster(b)
	case 'k':
		return d.gsBarcode(b)
	case 'V':
		if len(b) < 3 {
			return 0
		}
		n := 3
		if m := b[2]; m == 65 || m == 66 || m == 97 || m == 98 || m == 103 || m == 104 {
			if len(b) < 4 {
				return 0
			}
			n = 4
		}
		d.cur.Bytes += n
		d.cut()
		return d.counted(n)
	case '!':
		if len(b) < 3 {
			return 0
		}
		d.double = b[2]&0x0f != 0 && b[2]&0xf0 != 0
		return d.counted(3)
	case 'h', 'w', 'H', 'f', 'B', 'b', 'a', 'I', 'r':
		if len(b) < 3 {
			return 0
		}
		return d.counted(3)
	case 'L', 'W', 'P', '\\', '$':
		if len(b) < 4 {
			return 0
		}
		return d.counted(4)
	}
	d.errors++
	return d.counted(2)
}

// gsParen handles GS ( x pL pH …: QR codes (GS ( k cn=49) are decoded,
// every other GS ( function is skipped by its length.
func (d *Decoder) gsParen(b []byte) int {
	if len(b) < 5 {
		return 0
	}
	n := u16(b[3], b[4])
	if len(b) < 5+n {
		return 0
	}
	if b[2] == 'k' && n >= 2 && b[5] == '1' {
		p := b[5 : 5+n]
		switch fn := p[1]; {
		case fn == 'C' && n >= 3:
			d.qrSize = int(p[2])
		case fn == 'E' && n >= 3:
			d.qrLevel = p[2]
		case fn == 'P' && n >= 3:
			d.qrData = append(d.qrData[:0], p[3:]...)
		case fn == 'Q':
			d.endLine(false)
			if len(d.qrData) == 0 {
				d.errors++
			} else {
				d.add(Element{Kind: ElemQR, Text: string(d.qrData), Align: d.align, QRModule: d.qrSize, QRLevel: d.qrLevel})
			}
		}
	}
	return d.counted(5 + n)
}

// gsRaster decodes GS v 0 m xL xH yL yH d…. The mode m (0–3, or '0'–'3')
// prints each bit as one dot (0), two dots wide (1), two dots high (2) or
// 2×2 dots (3, quadruple), as ESC/POS printers do; the image holds the
// printed dots.
func (d *Decoder) gsRaster(b []byte) int {
	if len(b) < 8 {
		return 0
	}
	if b[2] != '0' {
		d.errors++
		return d.counted(2)
	}
	m := b[3]
	if m >= '0' && m <= '3' {
		m -= '0'
	}
	xb, h := u16(b[4], b[5]), u16(b[6], b[7])
	k := xb * h
	if k > maxCommand || xb == 0 || h == 0 || xb > maxRasterBytesPerRow || h > maxRasterRows || m > 3 {
		d.errors++
		return d.counted(8)
	}
	if len(b) < 8+k {
		return 0
	}
	sx, sy := 1+int(m&1), 1+int(m>>1)
	img := image.NewGray(image.Rect(0, 0, xb*8*sx, h*sy))
	data := b[8 : 8+k]
	for y := 0; y < h*sy; y++ {
		for x := 0; x < xb*8*sx; x++ {
			v := uint8(255)
			if data[(y/sy)*xb+x/sx/8]&(0x80>>(x/sx%8)) != 0 {
				v = 0
			}
			img.Pix[y*img.Stride+x] = v
		}
	}
	d.endLine(false)
	d.add(Element{Kind: ElemRaster, Image: img, Align: d.align})
	return d.counted(8 + k)
}

var symbologies = []string{"UPC-A", "UPC-E", "EAN13", "EAN8", "CODE39", "ITF", "CODABAR", "CODE93", "CODE128"}

// gsBarcode decodes GS k m d… NUL (m 0–6) or GS k m n d… (m 65–73).
func (d *Decoder) gsBarcode(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	m := b[2]
	var data []byte
	var size int
	switch {
	case m <= 6:
		i := 3
		for i < len(b) && b[i] != 0 {
			if i-3 > 255 {
				d.errors++
				return d.counted(3)
			}
			i++
		}
		if i == len(b) {
			return 0
		}
		data, size = b[3:i], i+1
	case m >= 65 && m <= 73:
		if len(b) < 4 {
			return 0
		}
		n := int(b[3])
		if len(b) < 4+n {
			return 0
		}
		data, size = b[4:4+n], 4+n
		m -= 65
	default:
		d.errors++
		return d.counted(3)
	}
	sym := "UNKNOWN"
	if int(m) < len(symbologies) {
		sym = symbologies[m]
	}
	txt := string(data)
	if sym == "CODE128" {
		txt = code128Text(data)
	}
	d.endLine(false)
	d.add(Element{Kind: ElemBarcode, Text: txt, Symbology: sym, Align: d.align})
	return d.counted(size)
}

// code128Text removes the code-set selectors ("{A", "{B", "{C") of ESC/POS
// Code 128 data and unescapes "{{"; code set C digit pairs are expanded.
func code128Text(b []byte) string {
	var s strings.Builder
	setC := false
	for i := 0; i < len(b); i++ {
		if b[i] == '{' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'A', 'B':
				setC = false
			case 'C':
				setC = true
			case '{':
				s.WriteByte('{')
			}
			continue
		}
		if setC {
			s.WriteString(twoDigits(b[i]))
			continue
		}
		s.WriteByte(b[i])
	}
	return s.String()
}

func twoDigits(v byte) string {
	return string([]byte{'0' + v/10%10, '0' + v%10})
}

func (d *Decoder) fs(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '&':
		d.chinese = true
		return d.counted(2)
	case '.':
		d.chinese = false
		return d.counted(2)
	case '!', 'W', '-', 'C', 'S', 'p':
		need := 3
		if b[1] == 'S' || b[1] == 'p' {
			need = 4
		}
		if len(b) < need {
			return 0
		}
		switch b[1] {
		case '!':
			d.double = b[2]&0x0c == 0x0c
		case 'W':
			d.double = b[2]&1 == 1
		}
		return d.counted(need)
	}
	d.errors++
	return d.counted(2)
}

// text appends a byte of printable text to the current line.
func (d *Decoder) text(c byte) {
	if !d.lineSet {
		d.lineAtt = Element{Kind: ElemText, Align: d.align, Bold: d.bold, Double: d.double}
		d.lineSet = true
	}
	d.line = append(d.line, c)
}

// endLine finishes the current line. At an LF an empty line is a blank
// line; elsewhere (before an image, at a cut) an empty line is nothing.
func (d *Decoder) endLine(lf bool) {
	if len(d.line) == 0 && !lf {
		return
	}
	if !d.lineSet {
		d.lineAtt = Element{Kind: ElemText, Align: d.align, Bold: d.bold, Double: d.double}
	}
	d.addLine(d.line)
	d.line = d.line[:0]
	d.lineSet = false
}

func (d *Decoder) addLine(raw []byte) {
	el := d.lineAtt
	if raw == nil {
		el = Element{Kind: ElemText, Align: d.align}
	}
	el.Text = d.decodeText(raw)
	d.add(el)
}

// decodeText turns line bytes into a string: GB18030 in Chinese mode,
// ASCII otherwise (other bytes print as '?').
func (d *Decoder) decodeText(raw []byte) string {
	if d.chinese {
		if s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err == nil {
			return string(s)
		}
		d.errors++
	}
	out := make([]byte, len(raw))
	for i, c := range raw {
		if c >= 0x80 {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

func (d *Decoder) add(e Element) { d.cur.Elements = append(d.cur.Elements, e) }

func (d *Decoder) cut() {
	d.endLine(false)
	r := d.cur
	d.cur = Receipt{}
	d.curContent = 0
	d.cuts++
	if d.OnReceipt != nil {
		d.OnReceipt(r)
	}
}
