// Package theme is the terminal's Fyne theme: Fyne's default look with a
// CJK font, so Chinese text renders with real glyphs instead of boxes.
package theme

import (
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// FontEnv names an environment variable that points at a font file
// (.ttf, .otf or .ttc) to use instead of the search below.
const FontEnv = "TRADEIN_FONT"

// boldCandidates are the bold faces matching a Noto CJK or YaHei regular
// face chosen with TRADEIN_FONT.
var boldCandidates = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
	`C:\Windows\Fonts\msyhbd.ttc`,
}

// scFamily is the face wanted from collections: Noto's and Microsoft
// YaHei's Simplified Chinese faces have "SC" or "YaHei" in their family
// names; other collections fall back to their first face.
var scFamilies = []string{"CJK SC", "YaHei", "MicroHei", "ZenHei"}

// Theme is Fyne's default theme with a CJK text font. Safe for concurrent use.
type Theme struct {
	fyne.Theme
	regular, bold fyne.Resource
	// Source says where the font came from, for the support screen and logs.
	Source string
}

// embeddedFont is the Simplified Chinese face of Noto Sans CJK (SIL OFL
// 1.1) cut down to GB2312's 7,445 characters (6,763 hanzi), ASCII and the
// symbols the screens use (see fonts/README.md). go-text parses every glyph
// of a font when Fyne first measures text: a full CJK font costs 40+ MB of
// heap for that. Characters outside the subset (a rare hanzi in a product
// name) are drawn by Fyne's per-glyph fallback from the system fonts.
//
//go:embed fonts/NotoSansCJKsc-GB2312.otf
var embeddedFont []byte

const embeddedFontName = "NotoSansCJKsc-GB2312.otf"

// New returns the terminal theme. Its text font is, in order: the file
// named by TRADEIN_FONT, a font in a "fonts" folder next to the
// executable, else the embedded GB2312 subset. A bold CJK face is loaded
// only to match a Noto CJK or YaHei regular face; otherwise bold text uses
// the regular face rather than paying for a second CJK font.
func New() *Theme {
	t := &Theme{Theme: theme.DefaultTheme()}
	reg, src, err := findFont(os.Getenv(FontEnv))
	if err != nil {
		reg, src = fyne.NewStaticResource(embeddedFontName, embeddedFont), "embedded "+embeddedFontName
	}
	t.regular, t.Source = reg, src
	chosen := !strings.HasPrefix(src, "embedded ")
	if chosen && (strings.Contains(src, "NotoSansCJK") || strings.Contains(src, "msyh")) {
		if b, _, err := findFont("", boldCandidates...); err == nil {
			t.bold = b
		}
	}
	slog.Info("CJK font loaded", "source", src)
	return t
}

// Font returns the CJK font for normal and bold text; monospace and symbol
// fonts stay Fyne's (they fall back per glyph).
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if t.regular == nil || s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	if s.Bold && t.bold != nil {
		return t.bold
	}
	return t.regular
}

// findFont loads the first usable font of: the explicit path, the fonts
// folder next to the executable, then the candidates.
func findFont(explicit string, candidates ...string) (fyne.Resource, string, error) {
	var paths []string
	if explicit != "" {
		paths = append(paths, explicit)
	}
	if exe, err := os.Executable(); err == nil {
		for _, pat := range []string{"*.ttf", "*.otf", "*.ttc"} {
			m, _ := filepath.Glob(filepath.Join(filepath.Dir(exe), "fonts", pat))
			paths = append(paths, m...)
		}
	}
	for _, p := range candidates {
		if runtime.GOOS == "windows" || !strings.HasPrefix(p, `C:\`) {
			paths = append(paths, p)
		}
	}
	var errs []string
	for _, p := range paths {
		res, err := LoadFont(p)
		if err == nil {
			return res, p, nil
		}
		if !os.IsNotExist(err) {
			errs = append(errs, err.Error())
		}
	}
	return nil, "", fmt.Errorf("no font among %d candidates %v", len(paths), errs)
}

// LoadFont reads a font file; from a collection it extracts the
// Simplified Chinese face (or the first).
func LoadFont(path string) (fyne.Resource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	if IsCollection(data) {
		names, err := FaceFamilies(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		idx := 0
	search:
		for _, want := range scFamilies {
			for i, n := range names {
				if strings.Contains(n, want) {
					idx = i
					break search
				}
			}
		}
		face, err := ExtractFace(data, idx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		data = face
		name = names[idx] + ".otf"
	}
	return fyne.NewStaticResource(name, data), nil
}
