package captcha

import (
	"bytes"
	"image/png"
	"os"
	"testing"

	"github.com/hoadon/hoadon/shared/captcha/internal/glyph"
)

// Ensure the rasteriser draws the glyphs: a valid PNG of the right size
// with ink inside each glyph's column range and none left of the first
// glyph (noise curves are not drawn).
func TestRenderPNG(t *testing.T) {
	svg, err := os.ReadFile("../../testdata/captcha/2963C9.svg")
	if err != nil {
		t.Fatal(err)
	}
	var c glyph.Captcha
	if err := glyph.Parse(svg, &c); err != nil {
		t.Fatal(err)
	}
	b, err := renderPNG(&c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 600 || r.Dy() != 120 {
		t.Fatalf("size %v", r)
	}
	ink := func(x0, x1 int) int {
		n := 0
		for y := 0; y < 120; y++ {
			for x := x0; x < x1; x++ {
				if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
					n++
				}
			}
		}
		return n
	}
	for i, g := range c.Glyphs {
		x := int(g.MinX * rasterScale)
		if n := ink(x, x+20*rasterScale); n < 200 {
			t.Errorf("glyph %d: only %d dark pixels", i+1, n)
		}
	}
	if n := ink(0, int(c.Glyphs[0].MinX*rasterScale)-2); n != 0 {
		t.Errorf("%d dark pixels left of the first glyph (noise drawn?)", n)
	}
}

// BenchmarkRenderPNG measures the rasterisation done before each Gemini call.
func BenchmarkRenderPNG(b *testing.B) {
	svg, err := os.ReadFile("../../testdata/captcha/2963C9.svg")
	if err != nil {
		b.Fatal(err)
	}
	var c glyph.Captcha
	if err := glyph.Parse(svg, &c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := renderPNG(&c); err != nil {
			b.Fatal(err)
		}
	}
}
