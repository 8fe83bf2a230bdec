package captcha

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sort"

	"github.com/hoadon/hoadon/shared/captcha/internal/glyph"
)

// Rasterising for the Gemini fallback: vision models read a picture far
// better than SVG source, and the portal's glyphs are plain polygons once
// their quadratic curves are flattened, so a small scanline filler (nonzero
// winding, as SVG's default fill-rule) draws them without any image module.
// The noise curves are left out on purpose.

const (
	svgWidth, svgHeight = 200, 40 // the portal's viewBox
	rasterScale         = 3       // 600×120 pixels
)

// edge is one polygon side, oriented for the winding rule.
type edge struct {
	x0, y0, x1, y1 float64
	dir            int // +1 downward, -1 upward
}

// renderPNG draws the captcha's glyphs black on white and encodes a PNG.
func renderPNG(c *glyph.Captcha) ([]byte, error) {
	img := image.NewGray(image.Rect(0, 0, svgWidth*rasterScale, svgHeight*rasterScale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for i := range c.Glyphs {
		polys, err := glyph.Outline(c.Glyphs[i].D)
		if err != nil {
			return nil, fmt.Errorf("glyph %d: %w", i+1, err)
		}
		fill(img, edges(polys))
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// edges scales the closed polygons to pixels and drops horizontal sides.
func edges(polys [][]glyph.Point) []edge {
	var out []edge
	for _, p := range polys {
		for i := range p {
			a, b := p[i], p[(i+1)%len(p)]
			if a.Y == b.Y {
				continue
			}
			e := edge{a.X * rasterScale, a.Y * rasterScale, b.X * rasterScale, b.Y * rasterScale, 1}
			if e.y0 > e.y1 {
				e = edge{e.x1, e.y1, e.x0, e.y0, -1}
			}
			out = append(out, e)
		}
	}
	return out
}

type crossing struct {
	x   float64
	dir int
}

// fill paints the pixels whose centres have a nonzero winding number.
func fill(img *image.Gray, es []edge) {
	bounds := img.Bounds()
	var xs []crossing
	for py := bounds.Min.Y; py < bounds.Max.Y; py++ {
		y := float64(py) + 0.5
		xs = xs[:0]
		for _, e := range es {
			if y >= e.y0 && y < e.y1 {
				x := e.x0 + (y-e.y0)*(e.x1-e.x0)/(e.y1-e.y0)
				xs = append(xs, crossing{x, e.dir})
			}
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i].x < xs[j].x })
		wind := 0
		for i, c := range xs {
			wind += c.dir
			if wind != 0 && i+1 < len(xs) {
				span(img, py, c.x, xs[i+1].x)
			}
		}
	}
}

// span paints the pixels of row py whose centres lie in [x0, x1).
func span(img *image.Gray, py int, x0, x1 float64) {
	for px := int(x0 + 0.5); float64(px)+0.5 < x1 && px < img.Bounds().Max.X; px++ {
		if px >= 0 {
			img.SetGray(px, py, color.Gray{Y: 0})
		}
	}
}
