package gdt

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"sync"
)

// glyphsJSON holds outlines of each captcha character extracted from real
// portal captchas by internal/glyphgen (go generate).
//
//go:embed glyphs.json
var glyphsJSON []byte

// captchaAlphabet is the portal's 30-symbol alphabet (no 0 1 I L O U).
const captchaAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// segment is one path command with its absolute coordinates.
type segment struct {
	cmd  byte
	nums []float64
}

// glyph is one parsed outline, leftmost x at 0.
type glyph []segment

var (
	glyphOnce sync.Once
	glyphSet  map[byte][]glyph
	glyphErr  error
	segRe     = regexp.MustCompile(`([MLQZ])([^MLQZ]*)`)
	numRe     = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?`)
)

// glyphs parses the embedded table once.
func glyphs() (map[byte][]glyph, error) {
	glyphOnce.Do(func() {
		var t struct {
			Glyphs map[string][]string `json:"glyphs"`
		}
		if err := json.Unmarshal(glyphsJSON, &t); err != nil {
			glyphErr = fmt.Errorf("gdt.glyphs: %w", err)
			return
		}
		glyphSet = map[byte][]glyph{}
		for i := 0; i < len(captchaAlphabet); i++ {
			ch := captchaAlphabet[i]
			for _, d := range t.Glyphs[string(ch)] {
				glyphSet[ch] = append(glyphSet[ch], parseGlyph(d))
			}
			if len(glyphSet[ch]) == 0 {
				glyphErr = fmt.Errorf("gdt.glyphs: no outline for %q", ch)
				return
			}
		}
	})
	return glyphSet, glyphErr
}

func parseGlyph(d string) glyph {
	var g glyph
	for _, m := range segRe.FindAllStringSubmatch(d, -1) {
		seg := segment{cmd: m[1][0]}
		for _, n := range numRe.FindAllString(m[2], -1) {
			v, _ := strconv.ParseFloat(n, 64)
			seg.nums = append(seg.nums, v)
		}
		g = append(g, seg)
	}
	return g
}
