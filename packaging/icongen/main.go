// Command icongen draws the application icon: a rounded teal square with a
// white recycling-style loop of two arrows around a "¥"-like mark, rendered
// with anti-aliasing by sampling each pixel. It writes the PNG sizes the
// Linux hicolor theme wants and a Windows .ico (PNG-compressed entries,
// supported since Windows Vista) for the NSIS installer.
//
// Run it once after changing the design and commit the output:
//
//	go run ./packaging/icongen -out packaging/icons
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// sizes are the hicolor directories the .deb installs; 256 is also used by
// FyneApp.toml and the Windows .ico.
var sizes = []int{32, 48, 64, 128, 256}

func main() {
	out := flag.String("out", "packaging/icons", "output directory")
	flag.Parse()
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func run(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var icoEntries [][]byte
	for _, s := range sizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, draw(s)); err != nil {
			return fmt.Errorf("encode %dpx: %w", s, err)
		}
		name := filepath.Join(out, fmt.Sprintf("tradein-terminal-%d.png", s))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			return err
		}
		if s == 32 || s == 48 || s == 256 {
			icoEntries = append(icoEntries, buf.Bytes())
		}
	}
	return os.WriteFile(filepath.Join(out, "tradein-terminal.ico"), ico(icoEntries), 0o644)
}

// draw renders the icon at size s×s with 4×4 supersampling.
func draw(s int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, s, s))
	const ss = 4
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					// u, v in [0,1): the sample position in icon space.
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(s)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(s)
					c := shade(u, v)
					r += float64(c.R) * float64(c.A)
					g += float64(c.G) * float64(c.A)
					b += float64(c.B) * float64(c.A)
					a += float64(c.A)
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a),
				A: uint8(a / (ss * ss)),
			})
		}
	}
	return img
}

var (
	teal  = color.NRGBA{0x0b, 0x7a, 0x75, 0xff}
	deep  = color.NRGBA{0x06, 0x55, 0x52, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	gold  = color.NRGBA{0xf5, 0xb7, 0x00, 0xff}
	clear = color.NRGBA{}
)

// shade returns the colour of the icon at (u, v) in unit coordinates.
func shade(u, v float64) color.NRGBA {
	if !inRoundedRect(u, v, 0.04, 0.18) {
		return clear
	}
	x, y := u-0.5, v-0.5
	d := math.Hypot(x, y)
	ang := math.Atan2(y, x) // -π..π, 0 to the right, clockwise on screen

	// The ¥ mark in gold, in the middle.
	if yen(x, y) {
		return gold
	}
	// Two arcs of a ring, each ending in an arrow head: the trade-in loop.
	const rin, rout = 0.27, 0.35
	if d >= rin && d <= rout && arcGap(ang) {
		return white
	}
	if arrowHead(x, y, -math.Pi/2+0.35, rin, rout) || arrowHead(x, y, math.Pi/2+0.35, rin, rout) {
		return white
	}
	// A soft diagonal gradient on the background.
	t := (u + v) / 2
	return lerp(teal, deep, t)
}

func inRoundedRect(u, v, m, r float64) bool {
	lo, hi := m+r, 1-m-r
	cx := math.Max(lo, math.Min(u, hi))
	cy := math.Max(lo, math.Min(v, hi))
	return math.Hypot(u-cx, v-cy) <= r
}

// arcGap reports whether angle a lies on one of the two arcs, leaving gaps
// near the top and the bottom where the arrow heads sit.
func arcGap(a float64) bool {
	gap := 0.55
	top, bottom := -math.Pi/2, math.Pi/2
	return angDist(a, top) > gap && angDist(a, bottom) > gap
}

func angDist(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 2*math.Pi)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

// arrowHead reports whether (x, y) lies in the triangle of an arrow head at
// angle a on the ring, pointing clockwise.
func arrowHead(x, y, a, rin, rout float64) bool {
	mid := (rin + rout) / 2
	w := (rout - rin) * 1.1
	// Base corners across the ring, tip further along the circle.
	bx, by := math.Cos(a), math.Sin(a)
	p1 := [2]float64{bx * (mid - w), by * (mid - w)}
	p2 := [2]float64{bx * (mid + w), by * (mid + w)}
	tipA := a - 0.42
	p3 := [2]float64{math.Cos(tipA) * mid, math.Sin(tipA) * mid}
	return inTriangle([2]float64{x, y}, p1, p2, p3)
}

func inTriangle(p, a, b, c [2]float64) bool {
	s := func(p1, p2, p3 [2]float64) float64 {
		return (p1[0]-p3[0])*(p2[1]-p3[1]) - (p2[0]-p3[0])*(p1[1]-p3[1])
	}
	d1, d2, d3 := s(p, a, b), s(p, b, c), s(p, c, a)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

// yen reports whether (x, y), relative to the centre, lies on the ¥ glyph:
// a V on top, a vertical stem and two bars.
func yen(x, y float64) bool {
	const stroke = 0.035
	onSeg := func(ax, ay, bx, by float64) bool {
		dx, dy := bx-ax, by-ay
		t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
		t = math.Max(0, math.Min(1, t))
		return math.Hypot(x-(ax+t*dx), y-(ay+t*dy)) <= stroke
	}
	return onSeg(-0.1, -0.14, 0, 0) || onSeg(0.1, -0.14, 0, 0) ||
		onSeg(0, 0, 0, 0.15) ||
		onSeg(-0.09, 0.03, 0.09, 0.03) || onSeg(-0.09, 0.09, 0.09, 0.09)
}

func lerp(a, b color.NRGBA, t float64) color.NRGBA {
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.NRGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 0xff}
}

// ico packs PNG images into an ICONDIR container. Each PNG must be at most
// 256 px; the size byte 0 means 256.
func ico(pngs [][]byte) []byte {
	var buf bytes.Buffer
	le := binary.LittleEndian
	_ = binary.Write(&buf, le, [3]uint16{0, 1, uint16(len(pngs))})
	offset := 6 + 16*len(pngs)
	for _, p := range pngs {
		cfg, _ := png.DecodeConfig(bytes.NewReader(p))
		dim := func(n int) uint8 {
			if n >= 256 {
				return 0
			}
			return uint8(n)
		}
		buf.WriteByte(dim(cfg.Width))
		buf.WriteByte(dim(cfg.Height))
		buf.Write([]byte{0, 0})                      // palette size, reserved
		_ = binary.Write(&buf, le, [2]uint16{1, 32}) // planes, bits per pixel
		_ = binary.Write(&buf, le, [2]uint32{uint32(len(p)), uint32(offset)})
		offset += len(p)
	}
	for _, p := range pngs {
		buf.Write(p)
	}
	return buf.Bytes()
}
