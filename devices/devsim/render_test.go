package devsim

import (
	"image"
	"testing"

	"golang.org/x/image/font"

	"tradein/devices/escpos"
)

// TestRenderDrawsEveryCell: every character of a line is inked in its
// cell (12 dots for ASCII, 24 for a Hanzi), with the built-in face and
// boxes, and with the installed CJK font when there is one.
func TestRenderDrawsEveryCell(t *testing.T) {
	faces := map[string]font.Face{"builtin": nil}
	if p := findCJKFont(); p != "" {
		f, err := LoadFont(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		faces[p] = f
	} else {
		t.Log("no CJK font installed; only the built-in face is checked")
	}
	text := "M1:W补贴."
	r := Receipt{Elements: []Element{{Kind: ElemText, Text: text}}}
	for name, face := range faces {
		img := Render(r, RenderOptions{Width: escpos.Width58, CJK: face})
		x := 0
		for _, ch := range text {
			w := 12 * escpos.TextWidth(string(ch))
			if !inked(img, image.Rect(x, 8, x+w, 8+cellH)) {
				t.Errorf("%s: %q not drawn in its cell at x=%d", name, ch, x)
			}
			x += w
		}
		if inked(img, image.Rect(x, 8, img.Bounds().Dx(), 8+cellH)) {
			t.Errorf("%s: ink after the last cell", name)
		}
	}
}

func inked(img *image.Gray, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.GrayAt(x, y).Y < 128 {
				return true
			}
		}
	}
	return false
}
