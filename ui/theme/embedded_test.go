package theme

import (
	"bytes"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/font"

	"tradein/agent"
	"tradein/ui/i18n"
)

// TestEmbeddedFontCoversTheScreens checks that every character the screens
// show in Chinese, every category name and the money sign are in the
// embedded subset, so none of them needs the (slower, larger) per-glyph
// fallback to system fonts.
func TestEmbeddedFontCoversTheScreens(t *testing.T) {
	f, err := font.ParseTTF(bytes.NewReader(embeddedFont))
	if err != nil {
		t.Fatalf("embedded font does not parse: %v", err)
	}
	texts := []string{"¥1,234.56 以旧换新门店终端 重打印"}
	for _, k := range i18n.Keys() {
		zh, _ := i18n.Lookup(i18n.ZH, k)
		texts = append(texts, zh)
	}
	for _, r := range agent.DefaultRules().Categories {
		texts = append(texts, r.NameZH)
	}
	missing := map[rune]bool{}
	for _, s := range texts {
		for _, r := range s {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				continue
			}
			if _, ok := f.NominalGlyph(r); !ok {
				missing[r] = true
			}
		}
	}
	if len(missing) > 0 {
		var rs []rune
		for r := range missing {
			rs = append(rs, r)
		}
		t.Errorf("embedded font lacks %d characters the screens use: %q (add them to fonts/README.md's list and rebuild the subset)", len(rs), string(rs))
	}
}

func TestNewUsesTheEmbeddedFontByDefault(t *testing.T) {
	t.Setenv(FontEnv, "")
	th := New()
	if th.Source != "embedded "+embeddedFontName {
		t.Fatalf("font source %q", th.Source)
	}
	if th.Font(fyne.TextStyle{Bold: true}) != th.regular {
		t.Fatal("bold text should use the regular face when no bold CJK face matches")
	}
}
