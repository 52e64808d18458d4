package theme

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"
)

const notoRegular = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

// TestExtractSCFaceFromCollection checks that the face extracted from
// Debian's Noto CJK collection is a valid standalone font with Chinese
// glyphs, i.e. what Fyne's font loader will accept.
func TestExtractSCFaceFromCollection(t *testing.T) {
	if _, err := os.Stat(notoRegular); err != nil {
		t.Skipf("fonts-noto-cjk not installed (make deps installs it): %v", err)
	}
	res, err := LoadFont(notoRegular)
	if err != nil {
		t.Fatal(err)
	}
	if res.Name() != "Noto Sans CJK SC.otf" {
		t.Fatalf("picked face %q, want the SC face", res.Name())
	}
	f, err := font.ParseTTF(bytes.NewReader(res.Content()))
	if err != nil {
		t.Fatalf("extracted face does not parse: %v", err)
	}
	for _, r := range "以旧换新补贴¥0123" {
		if _, ok := f.NominalGlyph(r); !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
}

// TestRenderChinese renders Chinese text with the theme in Fyne's test
// driver and saves the picture for a person to look at
// ($TRADEIN_ARTIFACTS or the test's temp dir).
func TestRenderChinese(t *testing.T) {
	a := test.NewTempApp(t)
	th := New()
	a.Settings().SetTheme(th)
	w := test.NewWindow(container.NewVBox(
		widget.NewLabel("以旧换新门店终端 — 补贴 ¥999.80"),
		widget.NewLabelWithStyle("应付 ¥3,999.20", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	))
	defer w.Close()
	w.Resize(fyne.NewSize(420, 100))
	img := w.Canvas().Capture()
	dir := os.Getenv("TRADEIN_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	out := filepath.Join(dir, "theme-chinese.png")
	fh, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := png.Encode(fh, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("font %s; picture %s", th.Source, out)
}

func FuzzFaceFamilies(f *testing.F) {
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"))
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x40"))
	f.Add([]byte("\x00\x01\x00\x00\x00\x01"))
	if data, err := os.ReadFile(notoRegular); err == nil {
		f.Add(data[:4096])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := FaceFamilies(data)
		if err != nil {
			return
		}
		for i := range names {
			_, _ = ExtractFace(data, i)
		}
	})
}
