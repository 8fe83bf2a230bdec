package glyph

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Length is the number of glyphs (characters) in every portal captcha.
const Length = 6

// Alphabet lists the characters the portal draws: digits 2-9 and the upper
// case letters without I, L, O and U (gdt-portal.md §2.2).
const Alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// MaxSVGBytes bounds the input: portal captchas are 13-15 KB, so anything
// far larger is not a captcha and is refused before parsing.
const MaxSVGBytes = 1 << 20

// Glyph is one filled path of a captcha.
type Glyph struct {
	start, end int // signature = Captcha.buf[start:end]
	MinX       float64
	D          string // the path data, kept for rasterising
}

// Captcha is a parsed captcha: Length glyphs sorted left to right, their
// signatures stored back to back in one buffer. Reusing a Captcha value
// across Parse calls reuses that buffer.
type Captcha struct {
	Glyphs [Length]Glyph
	buf    []byte
}

// Signature returns glyph i's signature bytes (valid until the next Parse).
func (c *Captcha) Signature(i int) []byte { return c.buf[c.Glyphs[i].start:c.Glyphs[i].end] }

// Parse reads the SVG with encoding/xml, drops the noise curves (any path
// with a stroke attribute or fill="none"), computes every glyph's signature
// and left edge, and sorts the glyphs by that edge. An error means the SVG
// is not shaped like a portal captcha; its message says how.
func Parse(svg []byte, out *Captcha) error {
	if len(svg) > MaxSVGBytes {
		return fmt.Errorf("svg is %d bytes, more than %d", len(svg), MaxSVGBytes)
	}
	out.buf = out.buf[:0]
	dec := xml.NewDecoder(bytes.NewReader(svg))
	n, sawRoot := 0, false
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !sawRoot {
			if se.Name.Local != "svg" {
				return fmt.Errorf("root element is <%s>, want <svg>", se.Name.Local)
			}
			sawRoot = true
			continue
		}
		if se.Name.Local != "path" {
			continue // draws no glyph outline (e.g. a background rect)
		}
		d, noise := pathAttrs(se)
		if noise {
			continue
		}
		if n < Length {
			if err := out.add(n, d); err != nil {
				return err
			}
		}
		n++ // glyphs beyond Length are only counted, for the error below
	}
	if !sawRoot {
		return fmt.Errorf("no <svg> element")
	}
	if n != Length {
		return fmt.Errorf("found %d glyph paths, want %d", n, Length)
	}
	out.sort()
	return nil
}

// pathAttrs returns a path's data and whether it is a noise curve.
func pathAttrs(se xml.StartElement) (d string, noise bool) {
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "d":
			d = a.Value
		case "stroke":
			noise = true
		case "fill":
			if a.Value == "none" {
				noise = true
			}
		}
	}
	return d, noise
}

// add scans the path data of the i-th glyph in document order.
func (c *Captcha) add(i int, d string) error {
	start := len(c.buf)
	buf, minX, err := Scan(c.buf, d)
	if err != nil {
		return fmt.Errorf("glyph path %d in document order: %v", i+1, err)
	}
	c.buf = buf
	c.Glyphs[i] = Glyph{start: start, end: len(buf), MinX: minX, D: d}
	return nil
}

// sort orders the glyphs by left edge (insertion sort: six elements).
func (c *Captcha) sort() {
	for i := 1; i < Length; i++ {
		for j := i; j > 0 && c.Glyphs[j].MinX < c.Glyphs[j-1].MinX; j-- {
			c.Glyphs[j], c.Glyphs[j-1] = c.Glyphs[j-1], c.Glyphs[j]
		}
	}
}
