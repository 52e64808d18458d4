package devsim

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"tradein/devices/escpos"
)

var (
	grayBlack = color.Gray{Y: 0}
	grayWhite = color.Gray{Y: 255}
)

// Geometry of Font A on a 203 dpi head: 12×24 dot ASCII cells, 24×24
// Hanzi, lines 30 dots apart (the default 1/6 inch spacing).
const (
	cellW      = 12
	cellH      = 24
	lineH      = 30
	barHeight  = 80
	barModule  = 2
	sideMargin = 0
)

// Lines is the text view of r for paper width w, one string per printed
// line: text as printed (aligned with spaces), "[QR] payload" for native
// QR codes, "[IMAGE w×h]" for images (followed by "[IMAGE-QR] payload"
// when the image is a readable QR code), "[CODE128] data" for barcodes.
func (r Receipt) Lines(w escpos.Width) []string {
	cols := w.Columns()
	var out []string
	for _, e := range r.Elements {
		switch e.Kind {
		case ElemText:
			for _, row := range rows(e, cols) {
				e.Text = row
				out = append(out, alignText(e, cols))
			}
		case ElemQR:
			out = append(out, "[QR] "+e.Text)
		case ElemBarcode:
			out = append(out, "["+e.Symbology+"] "+e.Text)
		case ElemRaster:
			b := e.Image.Bounds()
			out = append(out, fmt.Sprintf("[IMAGE %dx%d]", b.Dx(), b.Dy()))
			if b.Dx() > 1024 || b.Dy() > 1024 {
				continue // larger than any QR a receipt carries
			}
			if s, err := decodeQR(e.Image); err == nil {
				out = append(out, "[IMAGE-QR] "+s)
			}
		}
	}
	return out
}

// Text is Lines joined with newlines.
func (r Receipt) Text(w escpos.Width) string { return strings.Join(r.Lines(w), "\n") + "\n" }

// rows splits a text element into the lines the printer prints: a line
// longer than the paper wraps, as on a real printer.
func rows(e Element, cols int) []string {
	if e.Double {
		cols /= 2
	}
	if escpos.TextWidth(e.Text) <= cols {
		return []string{e.Text}
	}
	return escpos.Wrap(e.Text, cols)
}

func alignText(e Element, cols int) string {
	tw := escpos.TextWidth(e.Text)
	if e.Double {
		tw *= 2
	}
	pad := 0
	switch e.Align {
	case escpos.AlignCenter:
		pad = (cols - tw) / 2
	case escpos.AlignRight:
		pad = cols - tw
	}
	return strings.TrimRight(strings.Repeat(" ", max(pad, 0))+e.Text, " ")
}

// decodeQR reads a QR code from a printed image with gozxing.
func decodeQR(img image.Image) (string, error) {
	// A quiet zone helps the detector; receipts print with a narrow one.
	b := img.Bounds()
	pad := image.NewGray(image.Rect(0, 0, b.Dx()+32, b.Dy()+32))
	draw.Draw(pad, pad.Bounds(), image.NewUniform(grayWhite), image.Point{}, draw.Src)
	draw.Draw(pad, b.Sub(b.Min).Add(image.Pt(16, 16)), img, b.Min, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(pad)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// RenderOptions configure Render.
type RenderOptions struct {
	Width escpos.Width
	// CJK draws non-ASCII characters; nil draws each as an outlined
	// full-width box (no CJK font ships with the program; pass one with
	// cmd/devsim -font to see the Hanzi).
	CJK font.Face
}

// Render draws r as the printer would print it, black on white, as wide as
// the paper's printable dots.
func Render(r Receipt, o RenderOptions) *image.Gray {
	if o.Width == 0 {
		o.Width = escpos.Width80
	}
	width := o.Width.Dots()
	type placed struct {
		img image.Image // nil for text
		e   Element
		h   int
	}
	var items []placed
	height := 8
	for _, e := range r.Elements {
		p := placed{e: e}
		switch e.Kind {
		case ElemText:
			p.h = lineH * len(rows(e, o.Width.Columns()))
			if e.Double {
				p.h *= 2
			}
		case ElemQR:
			p.img = qrImage(e)
		case ElemRaster:
			p.img = e.Image
		case ElemBarcode:
			p.img = barcodeImage(e)
			p.h = lineH // the HRI line under the bars
		}
		if p.img != nil {
			p.h += p.img.Bounds().Dy() + 4
		}
		items = append(items, p)
		height += p.h
	}
	canvas := image.NewGray(image.Rect(0, 0, width, height+8))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(grayWhite), image.Point{}, draw.Src)
	y := 8
	for _, p := range items {
		switch {
		case p.e.Kind == ElemText:
			row := p.e
			step := p.h / len(rows(p.e, o.Width.Columns()))
			for i, text := range rows(p.e, o.Width.Columns()) {
				row.Text = text
				drawText(canvas, row, y+i*step, width, o.CJK)
			}
		case p.img != nil:
			b := p.img.Bounds()
			x := alignX(p.e.Align, b.Dx(), width)
			draw.Draw(canvas, image.Rect(x, y, x+b.Dx(), y+b.Dy()), p.img, b.Min, draw.Src)
			if p.e.Kind == ElemBarcode {
				hri := Element{Kind: ElemText, Text: p.e.Text, Align: p.e.Align}
				drawText(canvas, hri, y+b.Dy()+4, width, o.CJK)
			}
		}
		y += p.h
	}
	return canvas
}

func alignX(a escpos.Align, w, width int) int {
	switch a {
	case escpos.AlignCenter:
		return max((width-w)/2, 0)
	case escpos.AlignRight:
		return max(width-w, 0)
	}
	return sideMargin
}

// drawText draws one line in 12×24 cells (24×48 when double).
func drawText(dst *image.Gray, e Element, y, width int, cjk font.Face) {
	scale := 1
	if e.Double {
		scale = 2
	}
	text := escpos.Sanitize(e.Text)
	line := image.NewGray(image.Rect(0, 0, escpos.TextWidth(text)*cellW+cellW, cellH))
	draw.Draw(line, line.Bounds(), image.NewUniform(grayWhite), image.Point{}, draw.Src)
	x := 0
	for _, r := range text {
		if r < 0x80 {
			latinGlyph(line, cjk, r, x, e.Bold)
			x += cellW
			continue
		}
		if cjk != nil {
			glyph(line, cjk, r, x, 20, e.Bold)
		} else {
			box(line, x+2, 2, x+2*cellW-3, cellH-3)
		}
		x += 2 * cellW
	}
	w := x * scale
	x0 := alignX(e.Align, w, width)
	for py := 0; py < cellH*scale; py++ {
		for px := 0; px < w && x0+px < width; px++ {
			if line.GrayAt(px/scale, py/scale).Y < 128 {
				dst.SetGray(x0+px, y+py, grayBlack)
			}
		}
	}
}

// latinGlyph draws ASCII r in its 12×24 cell at x: with the CJK font's own
// Latin when it has the glyph (Noto Sans CJK does; DroidSansFallback has
// none), squeezed into the cell as a printer's narrow Font A is; else with
// the small built-in 7×13 face, so ASCII is never missing.
func latinGlyph(dst *image.Gray, cjk font.Face, r rune, x int, bold bool) {
	var adv fixed.Int26_6
	ok := false
	if cjk != nil {
		adv, ok = cjk.GlyphAdvance(r)
	}
	if !ok || adv <= 0 {
		glyph(dst, basicfont.Face7x13, r, x+2, 17, bold)
		return
	}
	w := max(adv.Ceil()+1, cellW)
	tmp := image.NewGray(image.Rect(0, 0, w, cellH))
	draw.Draw(tmp, tmp.Bounds(), image.NewUniform(grayWhite), image.Point{}, draw.Src)
	glyph(tmp, cjk, r, max(cellW-adv.Ceil(), 0)/2, 20, bold) // narrow glyphs centred in the cell
	for py := 0; py < cellH; py++ {
		for px := 0; px < cellW; px++ {
			if tmp.GrayAt(px*w/cellW, py).Y < 128 {
				dst.SetGray(x+px, py, grayBlack)
			}
		}
	}
}

func glyph(dst *image.Gray, face font.Face, r rune, x, baseline int, bold bool) {
	d := &font.Drawer{Dst: dst, Src: image.NewUniform(grayBlack), Face: face}
	for i := 0; i <= b2i(bold); i++ {
		d.Dot = fixed.P(x+i, baseline)
		d.DrawString(string(r))
	}
}

func box(dst *image.Gray, x0, y0, x1, y1 int) {
	for x := x0; x <= x1; x++ {
		dst.SetGray(x, y0, grayBlack)
		dst.SetGray(x, y1, grayBlack)
	}
	for y := y0; y <= y1; y++ {
		dst.SetGray(x0, y, grayBlack)
		dst.SetGray(x1, y, grayBlack)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// qrImage draws the payload of a native QR command as the printer would:
// the level and module size it was given, with a 2-module quiet zone.
func qrImage(e Element) image.Image {
	level := map[byte]string{'0': "L", '1': "M", '2': "Q", '3': "H"}[e.QRLevel]
	if level == "" {
		level = "M"
	}
	m, err := qrcode.NewQRCodeWriter().Encode(e.Text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: level, gozxing.EncodeHintType_MARGIN: 2})
	if err != nil {
		return errorMark()
	}
	return scaleMatrix(m, max(1, min(e.QRModule, 16)), 1)
}

// barcodeImage draws a 1D barcode with gozxing's writers.
func barcodeImage(e Element) image.Image {
	var w gozxing.Writer
	switch e.Symbology {
	case "CODE128":
		w = oned.NewCode128Writer()
	case "EAN13":
		w = oned.NewEAN13Writer()
	default:
		return errorMark()
	}
	format := gozxing.BarcodeFormat_CODE_128
	if e.Symbology == "EAN13" {
		format = gozxing.BarcodeFormat_EAN_13
	}
	m, err := w.Encode(e.Text, format, 0, 1, map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 0})
	if err != nil {
		return errorMark()
	}
	return scaleMatrix(m, barModule, barHeight)
}

// scaleMatrix turns a gozxing bit matrix into an image, sx dots a module
// across and sy rows per matrix row (1D codes have one row).
func scaleMatrix(m *gozxing.BitMatrix, sx, sy int) *image.Gray {
	w, h := m.GetWidth(), m.GetHeight()
	ys := sx
	if h == 1 {
		ys = sy
	}
	img := image.NewGray(image.Rect(0, 0, w*sx, h*ys))
	for y := 0; y < h*ys; y++ {
		for x := 0; x < w*sx; x++ {
			if m.Get(x/sx, y/ys) {
				img.Pix[y*img.Stride+x] = 0
			} else {
				img.Pix[y*img.Stride+x] = 255
			}
		}
	}
	return img
}

// errorMark is what a printer prints for a code it cannot draw: a crossed box.
func errorMark() image.Image {
	img := image.NewGray(image.Rect(0, 0, 48, 48))
	draw.Draw(img, img.Bounds(), image.NewUniform(grayWhite), image.Point{}, draw.Src)
	box(img, 0, 0, 47, 47)
	for i := 0; i < 48; i++ {
		img.SetGray(i, i, grayBlack)
		img.SetGray(47-i, i, grayBlack)
	}
	return img
}
