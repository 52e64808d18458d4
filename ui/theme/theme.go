// Package theme is the terminal's Fyne theme: Fyne's default look with a
// CJK font, so Chinese text renders with real glyphs instead of boxes.
package theme

import (
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

// Candidate font files, most preferred first. A collection is searched for
// a Simplified Chinese face. Windows packaging ships a font in a "fonts"
// folder next to the executable, which is searched before these.
var (
	// Droid Sans Fallback comes first: a 4 MB single font that Fyne parses
	// as it is, where a face of Noto Sans CJK adds about 15 MB to the idle
	// memory of the app (measured with BenchmarkIdleRSS: 223 MB with the
	// Noto regular and bold faces, 190 MB with Droid alone).
	regularCandidates = []string{
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
		"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
		"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
		`C:\Windows\Fonts\msyh.ttc`,
		`C:\Windows\Fonts\simhei.ttf`,
	}
	boldCandidates = []string{
		"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
		`C:\Windows\Fonts\msyhbd.ttc`,
	}
)

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

// New returns the terminal theme. When no CJK font is found it logs a
// warning and keeps Fyne's font; Fyne then falls back to system fonts per
// glyph, which still covers Chinese on most systems.
func New() *Theme {
	t := &Theme{Theme: theme.DefaultTheme()}
	reg, src, err := findFont(os.Getenv(FontEnv), regularCandidates)
	if err != nil {
		slog.Warn("no CJK font found; Chinese may render with system fallback fonts", "err", err)
		t.Source = "fyne default"
		return t
	}
	t.regular, t.Source = reg, src
	// A bold face is loaded only to match a regular face of the same
	// family: Droid has none, and bold text then uses the regular face
	// rather than paying for a second CJK font.
	if strings.Contains(src, "NotoSansCJK") || strings.Contains(src, "msyh") {
		if b, _, err := findFont("", boldCandidates); err == nil {
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
func findFont(explicit string, candidates []string) (fyne.Resource, string, error) {
	var paths []string
	if explicit != "" {
		paths = append(paths, explicit)
	}
	if exe, err := os.Executable(); err == nil && len(candidates) > 0 && candidates[0] == regularCandidates[0] {
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
	return nil, "", fmt.Errorf("no CJK font among %d candidates %v", len(paths), errs)
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
