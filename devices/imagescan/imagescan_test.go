package imagescan

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"tradein/agent"
)

// code draws text as a symbol with gozxing's writers, one pixel a module.
func code(t testing.TB, format gozxing.BarcodeFormat, text string) *gozxing.BitMatrix {
	t.Helper()
	var w gozxing.Writer
	h := 1
	switch format {
	case gozxing.BarcodeFormat_QR_CODE:
		w, h = qrcode.NewQRCodeWriter(), 0
	case gozxing.BarcodeFormat_EAN_13:
		w = oned.NewEAN13Writer()
	case gozxing.BarcodeFormat_CODE_128:
		w = oned.NewCode128Writer()
	}
	m, err := w.Encode(text, format, 0, h, map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 0})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// photo places the symbol in a 640×480 picture the way a webcam sees it:
// an uneven grey background with sensor noise, the code at scale pixels a
// module with washed-out contrast, softened by a blur, optionally turned a
// quarter, and saved as JPEG.
func photo(t testing.TB, m *gozxing.BitMatrix, scale int, quarterTurn bool) image.Image {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			v := 120 + x/8 + y/10 + rng.IntN(16)
			img.SetGray(x, y, color.Gray{Y: uint8(min(v, 255))})
		}
	}
	w, h := m.GetWidth(), m.GetHeight()
	bh := h * scale
	if h == 1 {
		bh = 120 // a 1D code is a row repeated
	}
	bw := w * scale
	if quarterTurn {
		bw, bh = bh, bw
	}
	x0, y0 := (640-bw)/2+13, (480-bh)/2-7
	quiet := 10 * scale
	for y := -quiet; y < bh+quiet; y++ {
		for x := -quiet; x < bw+quiet; x++ {
			px, py := x0+x, y0+y
			if px < 0 || py < 0 || px >= 640 || py >= 480 {
				continue
			}
			v := 205 + rng.IntN(12)
			if x >= 0 && y >= 0 && x < bw && y < bh {
				mx, my := x/scale, y/scale
				if quarterTurn {
					mx, my = y/scale, (bw-1-x)/scale
				}
				if h == 1 {
					my = 0
				}
				if m.Get(mx, my) {
					v = 45 + rng.IntN(12)
				}
			}
			img.SetGray(px, py, color.Gray{Y: uint8(v)})
		}
	}
	blurred := image.NewGray(img.Bounds())
	for y := 1; y < 479; y++ {
		for x := 1; x < 639; x++ {
			s := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					s += int(img.GrayAt(x+dx, y+dy).Y)
				}
			}
			blurred.SetGray(x, y, color.Gray{Y: uint8(s / 9)})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, blurred, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const verifyURL = "https://verify.example.cn/r/T0012026112100001?c=8f3a"

func TestDecodeFormats(t *testing.T) {
	cases := []struct {
		name   string
		format gozxing.BarcodeFormat
		text   string
		scale  int
		turn   bool
		want   string
		kind   agent.ScanKind
	}{
		{"qr", gozxing.BarcodeFormat_QR_CODE, verifyURL, 5, false, "QR_CODE", agent.ScanUnknown},
		{"qr-turned", gozxing.BarcodeFormat_QR_CODE, "TIQ1.eyJ2aWQiOiJWMSJ9.c2ln", 6, true, "QR_CODE", agent.ScanConsumer},
		{"ean13", gozxing.BarcodeFormat_EAN_13, "6901234567892", 3, false, "EAN_13", agent.ScanProduct},
		{"ean13-turned", gozxing.BarcodeFormat_EAN_13, "6901234567892", 3, true, "EAN_13", agent.ScanProduct},
		{"code128", gozxing.BarcodeFormat_CODE_128, "TI20261121103000000001", 2, false, "CODE_128", agent.ScanTicket},
		{"code128-turned", gozxing.BarcodeFormat_CODE_128, "HR2026ABC12345", 2, true, "CODE_128", agent.ScanSN},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Decode(photo(t, code(t, c.format, c.text), c.scale, c.turn))
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != c.text || res.Format != c.want {
				t.Fatalf("got %+v", res)
			}
			ev := res.Event(time.Unix(0, 0))
			if ev.Kind != c.kind || ev.Source != "image" || ev.Symbology == "" {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

func TestDecodeFilePNGAndJPEG(t *testing.T) {
	dir := t.TempDir()
	img := photo(t, code(t, gozxing.BarcodeFormat_QR_CODE, verifyURL), 4, false)
	for name, enc := range map[string]func(*os.File) error{
		"snap.png": func(f *os.File) error { return png.Encode(f, img) },
		"snap.jpg": func(f *os.File) error { return jpeg.Encode(f, img, &jpeg.Options{Quality: 90}) },
	} {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := enc(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		res, err := DecodeFile(p)
		if err != nil || res.Text != verifyURL {
			t.Fatalf("%s: %+v %v", name, res, err)
		}
	}
}

func TestNoCodeAndBadInput(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 320, 240))
	for i := range blank.Pix {
		blank.Pix[i] = uint8(i * 7)
	}
	if _, err := Decode(blank); !errors.Is(err, ErrNoCode) {
		t.Fatalf("blank image: %v", err)
	}
	if _, err := DecodeReader(strings.NewReader("not an image")); err == nil {
		t.Fatal("text decoded as an image")
	}
	if _, err := Decode(image.NewGray(image.Rect(0, 0, 0, 0))); err == nil {
		t.Fatal("empty image accepted")
	}
	if _, err := DecodeFile(filepath.Join(t.TempDir(), "missing.png")); err == nil {
		t.Fatal("missing file accepted")
	}
}

// BenchmarkDecodeQRPhoto decodes a QR code from a 640×480 photo-like
// JPEG (target: median ≤ 30 ms).
func BenchmarkDecodeQRPhoto(b *testing.B) {
	benchDecode(b, photo(b, code(b, gozxing.BarcodeFormat_QR_CODE, verifyURL), 5, false), true)
}

// BenchmarkDecodeEAN13PhotoTurned: a barcode photographed sideways needs
// the harder passes.
func BenchmarkDecodeEAN13PhotoTurned(b *testing.B) {
	benchDecode(b, photo(b, code(b, gozxing.BarcodeFormat_EAN_13, "6901234567892"), 3, true), true)
}

// BenchmarkDecodeNoCode is the worst case: every reader, pass and rotation
// runs and finds nothing.
func BenchmarkDecodeNoCode(b *testing.B) {
	blank := photo(b, code(b, gozxing.BarcodeFormat_QR_CODE, "x"), 0, false)
	benchDecode(b, blank, false)
}

func benchDecode(b *testing.B, img image.Image, found bool) {
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		_, err := Decode(img)
		if (err == nil) != found {
			b.Fatalf("found=%v: %v", found, err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100])/1e6, "p99-ms")
}
