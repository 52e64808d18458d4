// Package imagescan reads QR, EAN-13, EAN-8 and Code 128 codes from a camera
// snapshot or an image file (PNG or JPEG) with gozxing, for counters
// without a scanner or codes a scanner cannot reach (a consumer's phone
// screen photographed by the webcam).
package imagescan

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // register the JPEG decoder
	_ "image/png"  // register the PNG decoder
	"io"
	"os"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"tradein/agent"
)

// ErrNoCode means no supported code was found in the image.
var ErrNoCode = errors.New("imagescan: no QR, EAN-13, EAN-8 or Code 128 code found")

// Result is one decoded code.
type Result struct {
	Text   string
	Format string // "QR_CODE", "EAN_13", "EAN_8", "CODE_128"
	// Symbology is the AIM identifier the format has when a scanner sends
	// it ("]Q1", "]E0", "]E4", "]C0"), so image scans look like serial ones.
	Symbology string
}

// reader is one gozxing reader and the names it reports.
type reader struct {
	r         gozxing.Reader
	format    string
	symbology string
}

// readers in the order they are tried: QR first (consumer codes and
// verification links; Decode relies on it being first), then the product
// barcodes, then tickets and SNs.
func readers() []reader {
	return []reader{
		{qrcode.NewQRCodeReader(), "QR_CODE", "]Q1"},
		{oned.NewEAN13Reader(), "EAN_13", "]E0"},
		{oned.NewEAN8Reader(), "EAN_8", "]E4"},
		{oned.NewCode128Reader(), "CODE_128", "]C0"},
	}
}

// maxUpscale is the longest side, in pixels, of an image Decode still
// enlarges for its last pass: a webcam snapshot (640×480, 1280×720). In a
// larger picture a code too small to read has too few pixels to enlarge.
const maxUpscale = 1280

// Decode finds a code in img. Each reader is tried in turn, in passes from
// the cheapest to the dearest, and the first code read is returned:
//
//  1. fast: the image as it is, a local-threshold binarizer;
//  2. harder: TRY_HARDER, and a global-histogram binarizer for flat
//     lighting;
//  3. inverted: light modules on a dark ground, as a phone in dark mode
//     shows the consumer's code (gozxing's detectors look for dark
//     modules only);
//  4. enlarged, QR codes only: the image scaled up twice (bilinear),
//     for symbols of about 2 pixels a module and flat contrast, where the
//     binarizer's 8-pixel blocks are coarser than the modules. Only for
//     images up to maxUpscale pixels a side. The 1D readers are left out:
//     an EAN's one check digit lets enlarged sensor noise pass as a
//     barcode (one in ten random reads), and their rotating TRY_HARDER
//     pass over a 4× larger image would make a snapshot without any code
//     take half a second.
//
// The image is never turned here: the QR detector finds a symbol at any
// orientation, and gozxing's 1D readers read rows both ways and, with
// TRY_HARDER, turn the image a quarter themselves.
func Decode(img image.Image) (Result, error) {
	if img == nil || img.Bounds().Empty() {
		return Result{}, fmt.Errorf("imagescan: empty image")
	}
	src := gozxing.NewLuminanceSourceFromImage(img)
	fast := map[gozxing.DecodeHintType]any{}
	hard := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}

	all := readers()
	if res, ok := tryAll(src, all, fast, false); ok {
		return res, nil
	}
	if res, ok := tryAll(src, all, hard, true); ok {
		return res, nil
	}
	if res, ok := tryAll(src.Invert(), all, hard, false); ok {
		return res, nil
	}
	if b := img.Bounds(); max(b.Dx(), b.Dy()) <= maxUpscale {
		if up, err := enlarge(src); err == nil {
			if res, ok := tryAll(up, all[:1], fast, true); ok {
				return res, nil
			}
		}
	}
	return Result{}, ErrNoCode
}

// enlarge returns src scaled up twice, interpolated bilinearly: each source
// pixel becomes four, and the new pixels between two source pixels take
// their mean, so edges stay where they were and grow no ringing.
func enlarge(src gozxing.LuminanceSource) (gozxing.LuminanceSource, error) {
	w, h := src.GetWidth(), src.GetHeight()
	lum := src.GetMatrix()
	at := func(x, y int) int { return int(lum[min(y, h-1)*w+min(x, w-1)]) }
	up := make([]byte, 4*w*h)
	for y := 0; y < h; y++ {
		r0 := up[2*y*2*w:]
		r1 := up[(2*y+1)*2*w:]
		for x := 0; x < w; x++ {
			p, right, down, diag := at(x, y), at(x+1, y), at(x, y+1), at(x+1, y+1)
			r0[2*x] = uint8(p)
			r0[2*x+1] = uint8((p + right + 1) / 2)
			r1[2*x] = uint8((p + down + 1) / 2)
			r1[2*x+1] = uint8((p + right + down + diag + 2) / 4)
		}
	}
	// A planar YUV source's Y plane is its luminance, used as it is.
	return gozxing.NewPlanarYUVLuminanceSource(up, 2*w, 2*h, 0, 0, 2*w, 2*h, false)
}

// tryAll runs the readers over src with the hybrid binarizer and, when
// global is set, also the global-histogram one.
func tryAll(src gozxing.LuminanceSource, readers []reader, hints map[gozxing.DecodeHintType]any, global bool) (Result, bool) {
	binarizers := []func(gozxing.LuminanceSource) gozxing.Binarizer{gozxing.NewHybridBinarizer}
	if global {
		binarizers = append(binarizers, gozxing.NewGlobalHistgramBinarizer)
	}
	for _, newBin := range binarizers {
		bmp, err := gozxing.NewBinaryBitmap(newBin(src))
		if err != nil {
			continue
		}
		for _, rd := range readers {
			res, err := rd.r.Decode(bmp, hints)
			if err == nil && res.GetText() != "" {
				return Result{Text: res.GetText(), Format: rd.format, Symbology: rd.symbology}, true
			}
		}
	}
	return Result{}, false
}

// DecodeReader decodes a PNG or JPEG stream.
func DecodeReader(r io.Reader) (Result, error) {
	img, _, err := image.Decode(r)
	if err != nil {
		return Result{}, fmt.Errorf("imagescan: not a PNG or JPEG image: %w", err)
	}
	return Decode(img)
}

// DecodeFile decodes a PNG or JPEG file.
func DecodeFile(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("imagescan: %w", err)
	}
	defer f.Close()
	return DecodeReader(f)
}

// Event turns a result into the ScanEvent a serial scan of the same code
// would have produced, classified by agent.Classify.
func (r Result) Event(at time.Time) agent.ScanEvent {
	kind, value := agent.Classify(r.Text)
	return agent.ScanEvent{Kind: kind, Value: value, Source: "image", Symbology: r.Symbology, At: at}
}
