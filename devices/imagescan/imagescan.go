// Package imagescan reads QR, EAN-13 and Code 128 codes from a camera
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
var ErrNoCode = errors.New("imagescan: no QR, EAN-13 or Code 128 code found")

// Result is one decoded code.
type Result struct {
	Text   string
	Format string // "QR_CODE", "EAN_13", "CODE_128"
	// Symbology is the AIM identifier the format has when a scanner sends
	// it ("]Q1", "]E0", "]C0"), so image scans look like serial ones.
	Symbology string
}

// reader is one gozxing reader and the names it reports.
type reader struct {
	r         gozxing.Reader
	format    string
	symbology string
}

// readers in the order they are tried: QR first (consumer codes and
// verification links), then the product barcode, then tickets and SNs.
func readers() []reader {
	return []reader{
		{qrcode.NewQRCodeReader(), "QR_CODE", "]Q1"},
		{oned.NewEAN13Reader(), "EAN_13", "]E0"},
		{oned.NewCode128Reader(), "CODE_128", "]C0"},
	}
}

// Decode finds a code in img. Each reader is tried in turn, first fast
// (the image as it is, a local-threshold binarizer), then harder
// (TRY_HARDER, and a global-histogram binarizer for flat lighting). The
// image is never turned here: the QR detector finds a symbol at any
// orientation, and gozxing's 1D readers read rows both ways and, with
// TRY_HARDER, turn the image a quarter themselves.
func Decode(img image.Image) (Result, error) {
	if img == nil || img.Bounds().Empty() {
		return Result{}, fmt.Errorf("imagescan: empty image")
	}
	src := gozxing.NewLuminanceSourceFromImage(img)
	fast := map[gozxing.DecodeHintType]any{}
	hard := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}

	if res, ok := tryAll(src, fast, false); ok {
		return res, nil
	}
	if res, ok := tryAll(src, hard, true); ok {
		return res, nil
	}
	return Result{}, ErrNoCode
}

// tryAll runs every reader over src with the hybrid binarizer and, when
// global is set, also the global-histogram one.
func tryAll(src gozxing.LuminanceSource, hints map[gozxing.DecodeHintType]any, global bool) (Result, bool) {
	binarizers := []func(gozxing.LuminanceSource) gozxing.Binarizer{gozxing.NewHybridBinarizer}
	if global {
		binarizers = append(binarizers, gozxing.NewGlobalHistgramBinarizer)
	}
	for _, newBin := range binarizers {
		bmp, err := gozxing.NewBinaryBitmap(newBin(src))
		if err != nil {
			continue
		}
		for _, rd := range readers() {
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
