package imagescan

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// The degraded test set: the codes a counter meets (a verification URL and
// a consumer code as QR, a product's EAN-13 and a small box's EAN-8), each
// through the ways a webcam snapshot goes wrong. Every image is generated
// here, deterministically, so the set needs no files and the comparison
// with zbarimg (an independent decoder, Debian's zbar-tools) is repeatable.

// degradation describes how one snapshot went wrong.
type degradation struct {
	name   string
	scale  float64 // pixels a module
	rotate float64 // degrees, around the code's centre
	tilt   float64 // perspective: degrees the code's plane leans back from the camera (around the horizontal)
	blur   int     // box-blur radius in pixels, applied twice (≈ Gaussian)
	noise  int     // amplitude of uniform sensor noise, ± grey levels
	dark   uint8   // grey of the dark modules
	light  uint8   // grey of the light modules and the quiet zone
	invert bool    // light modules on a dark ground (a phone in dark mode)
	jpegQ  int     // JPEG quality; 0 keeps the image lossless
}

// degradations are the ways each code is spoiled. rotate applies to QR
// codes as given; 1D codes, which no decoder reads far off the horizontal,
// are turned by a third of it.
var degradations = []degradation{
	{name: "clean", scale: 4, dark: 40, light: 215, noise: 6, jpegQ: 85},
	{name: "blur", scale: 4, blur: 1, dark: 40, light: 215, noise: 6, jpegQ: 85},
	{name: "noise", scale: 4, dark: 40, light: 215, noise: 45},
	{name: "rotate-20", scale: 4, rotate: 20, dark: 40, light: 215, noise: 6, jpegQ: 85},
	{name: "rotate-40", scale: 4, rotate: 40, dark: 40, light: 215, noise: 6, jpegQ: 85},
	{name: "perspective", scale: 4, tilt: 40, rotate: 6, dark: 40, light: 215, noise: 6, jpegQ: 85},
	{name: "inverted", scale: 4, invert: true, dark: 30, light: 200, noise: 6, jpegQ: 85},
	{name: "inverted-tilted", scale: 4, invert: true, rotate: 15, blur: 1, dark: 25, light: 180, noise: 10, jpegQ: 75},
	{name: "jpeg-q10", scale: 3, dark: 40, light: 215, noise: 6, jpegQ: 10},
	{name: "low-contrast", scale: 4, dark: 110, light: 160, noise: 4, jpegQ: 85},
	{name: "small", scale: 2.2, dark: 40, light: 215, noise: 4, jpegQ: 90},
}

// sample is one code in the set.
type sample struct {
	format gozxing.BarcodeFormat
	text   string
}

var samples = []sample{
	{gozxing.BarcodeFormat_QR_CODE, verifyURL},
	{gozxing.BarcodeFormat_QR_CODE, "TIQ1.eyJ2aWQiOiJWMjAyNjExMjEwMDAwMSIsImNhdCI6IlBIT05FIiwicmVnIjoiMTEwMTA1In0.c2lnbmF0dXJl"},
	{gozxing.BarcodeFormat_EAN_13, "6901234567892"},
	{gozxing.BarcodeFormat_EAN_8, "69012341"},
}

// degradedImage is one entry of the set.
type degradedImage struct {
	name string
	text string
	img  image.Image
}

// degradedSet builds every sample through every degradation.
func degradedSet(t testing.TB) []degradedImage {
	t.Helper()
	var set []degradedImage
	for i, s := range samples {
		for j, d := range degradations {
			m := symbol(t, s.format, s.text)
			if m.GetHeight() == 1 {
				d.rotate /= 3
			}
			name := fmt.Sprintf("%s-%s-%s", strings.ToLower(s.format.String()), d.name, []string{"a", "b", "c", "d"}[i%4])
			set = append(set, degradedImage{name: name, text: s.text, img: snapshot(t, m, d, uint64(i*100+j))})
		}
	}
	return set
}

// symbol draws text as a symbol, one cell a module, without a quiet zone.
func symbol(t testing.TB, format gozxing.BarcodeFormat, text string) *gozxing.BitMatrix {
	t.Helper()
	if format == gozxing.BarcodeFormat_EAN_8 {
		m, err := oned.NewEAN8Writer().Encode(text, format, 0, 1, map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 0})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	return code(t, format, text)
}

// snapshot renders m into a 640×480 webcam picture spoiled as d says: an
// uneven background, the code turned and foreshortened (sampled
// bilinearly), its grey levels, blur, noise and JPEG compression.
func snapshot(t testing.TB, m *gozxing.BitMatrix, d degradation, seed uint64) image.Image {
	t.Helper()
	const W, H = 640, 480
	rng := rand.New(rand.NewPCG(seed, 7))
	w, h := m.GetWidth(), m.GetHeight()
	oneD := h == 1
	// The symbol in module units, with a 4-module quiet zone (10 for 1D);
	// a 1D code is 40 % as tall as wide.
	quiet := 4.0
	symH := float64(h)
	if oneD {
		quiet, symH = 10, float64(w)*0.4
	}
	dark, light := float64(d.dark), float64(d.light)
	if d.invert {
		dark, light = light, dark
	}
	cos, sin := math.Cos(d.rotate*math.Pi/180), math.Sin(d.rotate*math.Pi/180)
	halfW, halfH := float64(w)*d.scale/2, symH*d.scale/2
	// module returns the ink (1 dark, 0 light) at symbol coordinates u, v
	// in modules, and whether the point lies on the symbol or its quiet zone.
	module := func(u, v float64) (float64, bool) {
		if u < -quiet || v < -quiet || u >= float64(w)+quiet || v >= symH+quiet {
			return 0, false
		}
		x, y := int(math.Floor(u)), int(math.Floor(v))
		if x < 0 || x >= w || y < 0 || float64(y) >= symH {
			return 0, true
		}
		if oneD {
			y = 0
		}
		if m.Get(x, y) {
			return 1, true
		}
		return 0, true
	}
	img := image.NewGray(image.Rect(0, 0, W, H))
	cx, cy := W/2.0+11, H/2.0-5
	// Each pixel averages 2×2 points (the sensor's area), each mapped back
	// through the rotation and the keystone (rows nearer the top are
	// narrower) to the point of the symbol it sees.
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			desk := 100 + float64(x)/8 + float64(y)/10 // the desk behind the code
			g := 0.0
			for sy := 0; sy < 2; sy++ {
				for sx := 0; sx < 2; sx++ {
					dx, dy := float64(x)+float64(sx)/2-cx, float64(y)+float64(sy)/2-cy
					if d.tilt != 0 {
						// The plane leans back by tilt: a pinhole camera of
						// focal length f sees its point (X, Y) at
						// (fX/z, fY·cos/z) with z = f + Y·sin.
						const f = 700.0
						ts, tc := math.Sin(d.tilt*math.Pi/180), math.Cos(d.tilt*math.Pi/180)
						Y := dy * f / (f*tc - dy*ts)
						dx, dy = dx*(f+Y*ts)/f, Y
					}
					rx, ry := dx*cos+dy*sin, -dx*sin+dy*cos
					if ink, on := module((rx+halfW)/d.scale, (ry+halfH)/d.scale); on {
						g += light + (dark-light)*ink
					} else {
						g += desk
					}
				}
			}
			img.Pix[y*img.Stride+x] = clampGray(g / 4)
		}
	}
	for i := 0; i < 2 && d.blur > 0; i++ {
		img = boxBlur(img, d.blur)
	}
	if d.noise > 0 {
		for i, p := range img.Pix {
			img.Pix[i] = clampGray(float64(int(p) + rng.IntN(2*d.noise+1) - d.noise))
		}
	}
	if d.jpegQ == 0 {
		return img
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: d.jpegQ}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func clampGray(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// boxBlur averages each pixel with its (2r+1)² neighbours (edges clamped).
func boxBlur(src *image.Gray, r int) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			s, n := 0, 0
			for yy := max(y-r, b.Min.Y); yy <= min(y+r, b.Max.Y-1); yy++ {
				for xx := max(x-r, b.Min.X); xx <= min(x+r, b.Max.X-1); xx++ {
					s += int(src.Pix[yy*src.Stride+xx])
					n++
				}
			}
			dst.Pix[y*dst.Stride+x] = uint8(s / n)
		}
	}
	return dst
}

// minDegradedRead is how many of the 44 images Decode must read: all but
// the EAN-13 and the EAN-8 drowned in noise, which zbarimg misses too (and
// which Decode does not enlarge: see Decode).
const minDegradedRead = 42

// TestDegradedSetAgainstZbar decodes the degraded set with Decode and with
// zbarimg: Decode never returns a wrong value, reads at least
// minDegradedRead images, and reads at least as many as zbarimg does.
func TestDegradedSetAgainstZbar(t *testing.T) {
	set := degradedSet(t)
	dir := t.TempDir()
	ours, wrong := 0, 0
	var missed []string
	for _, s := range set {
		res, err := Decode(s.img)
		switch {
		case err != nil:
			missed = append(missed, s.name)
		case res.Text != s.text:
			wrong++
			t.Errorf("%s: read %q, want %q", s.name, res.Text, s.text)
		default:
			ours++
		}
	}
	t.Logf("imagescan read %d of %d degraded images; missed %v", ours, len(set), missed)
	if ours < minDegradedRead {
		t.Errorf("imagescan read %d of %d, want at least %d", ours, len(set), minDegradedRead)
	}

	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Log("zbarimg not installed (apt-get install zbar-tools); no comparison")
		return
	}
	theirs := 0
	var zmissed []string
	for _, s := range set {
		p := filepath.Join(dir, s.name+".png")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, s.img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, _ := exec.Command(zbar, "--raw", "-q", p).Output()
		if got := strings.TrimSpace(string(out)); got == s.text {
			theirs++
		} else {
			zmissed = append(zmissed, s.name)
		}
	}
	t.Logf("zbarimg read %d of %d; missed %v", theirs, len(set), zmissed)
	if ours < theirs {
		t.Errorf("imagescan read %d, zbarimg %d of the same %d images", ours, theirs, len(set))
	}
}

// TestDegradedSetImages writes the set as PNGs to $DEGRADED_DIR, to look at
// them or feed them to other decoders; skipped when it is unset.
func TestDegradedSetImages(t *testing.T) {
	dir := os.Getenv("DEGRADED_DIR")
	if dir == "" {
		t.Skip("DEGRADED_DIR not set")
	}
	for _, s := range degradedSet(t) {
		var buf bytes.Buffer
		if err := png.Encode(&buf, s.img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkDegradedSet decodes the whole degraded set once per iteration
// and reports the median time of one image.
func BenchmarkDegradedSet(b *testing.B) {
	set := degradedSet(b)
	times := make([]time.Duration, 0, b.N*len(set))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range set {
			start := time.Now()
			Decode(s.img)
			times = append(times, time.Since(start))
		}
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100])/1e6, "p99-ms")
}

// TestEnlarge: every source pixel becomes four; the new ones between two
// (or four) source pixels take their rounded mean; the last row and column
// repeat.
func TestEnlarge(t *testing.T) {
	src, err := gozxing.NewPlanarYUVLuminanceSource([]byte{0, 100, 200, 51}, 2, 2, 0, 0, 2, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	up, err := enlarge(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0, 50, 100, 100,
		100, 88, 76, 76,
		200, 126, 51, 51,
		200, 126, 51, 51,
	}
	if got := up.GetMatrix(); up.GetWidth() != 4 || up.GetHeight() != 4 || !bytes.Equal(got, want) {
		t.Fatalf("enlarged %dx%d %v, want %v", up.GetWidth(), up.GetHeight(), got, want)
	}
}
