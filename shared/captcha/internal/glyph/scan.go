// Package glyph reads a GDT captcha SVG into its glyphs: which paths are
// glyphs (not noise), each glyph's command signature and left edge, and the
// polygons of its outline. It is shared by the solver and by the table
// generator so that both see a captcha the same way, and it keeps the solve
// path light: Scan walks the path data once and appends the signature to a
// caller-owned buffer.
package glyph

import (
	"fmt"
	"strconv"
)

// Scan appends the signature of the path data d to sig and returns it
// together with the smallest x coordinate in d (the glyph's left edge).
//
// The signature is the sequence of absolute command letters with L dropped,
// run-length encoded: "MQQQQZMQQZ" becomes "MQ4ZMQ2Z". L is dropped because
// the portal's font draws each curve with one to three tiny line segments in
// front of it; only M, Q and Z carry the shape (the reference measured the
// M/Q/Z signature constant per character over 600 labelled glyphs).
//
// Only absolute M, L, Q, C, S, T and Z are accepted: every other command
// (relative lower-case commands, H, V, A) would break the x/y pairing used
// for the left edge, and the portal does not emit them, so Scan reports them
// instead of guessing.
func Scan(sig []byte, d string) ([]byte, float64, error) {
	s := scanner{sig: sig, minX: posInf}
	if err := s.walk(d); err != nil {
		return sig, 0, err
	}
	if s.letters == 0 || s.firstLetter != 'M' {
		return sig, 0, fmt.Errorf("glyph: path data must start with M")
	}
	if s.xs == 0 {
		return sig, 0, fmt.Errorf("glyph: path data has no coordinates")
	}
	s.flush()
	return s.sig, s.minX, nil
}

const posInf = 1e308

type scanner struct {
	sig         []byte
	cur         byte // letter of the current run (0 if none)
	count       int  // length of the current run
	letters     int
	firstLetter byte
	param       int // index of the next number within the current command
	xs          int // x coordinates seen
	minX        float64
}

func (s *scanner) walk(d string) error {
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			n, v, err := number(d[i:])
			if err != nil {
				return err
			}
			s.coordinate(v)
			i += n
		default:
			if err := s.command(c); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

func (s *scanner) command(c byte) error {
	switch c {
	case 'M', 'L', 'Q', 'C', 'S', 'T', 'Z':
	default:
		return fmt.Errorf("glyph: unsupported path command %q", c)
	}
	if s.letters == 0 {
		s.firstLetter = c
	}
	s.letters++
	s.param = 0
	if c == 'L' {
		return nil
	}
	if c != s.cur {
		s.flush()
		s.cur = c
	}
	s.count++
	return nil
}

func (s *scanner) coordinate(v float64) {
	if s.param%2 == 0 {
		s.xs++
		if v < s.minX {
			s.minX = v
		}
	}
	s.param++
}

// flush writes the current run to the signature.
func (s *scanner) flush() {
	if s.count == 0 {
		return
	}
	s.sig = append(s.sig, s.cur)
	if s.count > 1 {
		s.sig = strconv.AppendInt(s.sig, int64(s.count), 10)
	}
	s.count = 0
}

// number parses a plain decimal number (optional minus sign, digits, at most
// one dot) at the start of b. The portal writes coordinates with toFixed(2),
// so exponents never occur and are rejected by the caller as an unknown
// command letter.
func number(b string) (int, float64, error) {
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i++
	}
	var v, scale float64 = 0, 0
	digits := 0
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + float64(c-'0')
			if scale > 0 {
				scale *= 10
			}
			digits++
		case c == '.' && scale == 0:
			scale = 1
		default:
			return finish(i, digits, v, scale, neg, b)
		}
	}
	return finish(i, digits, v, scale, neg, b)
}

func finish(i, digits int, v, scale float64, neg bool, b string) (int, float64, error) {
	if digits == 0 {
		return 0, 0, fmt.Errorf("glyph: malformed number %q", b[:i])
	}
	if scale > 1 {
		v /= scale
	}
	if neg {
		v = -v
	}
	return i, v, nil
}
