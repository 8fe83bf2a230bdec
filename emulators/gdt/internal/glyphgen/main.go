// Command glyphgen extracts per-character glyph outlines from the labelled
// real portal captchas (testdata/captcha/<ANSWER>.svg) and writes them as the
// simulator's embedded glyph table, so simulated captchas carry the real
// portal's command-letter signatures. Run it through `go generate` in
// emulators/gdt.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxVariants caps how many outlines are kept per character: a few variants
// make rendered captchas less repetitive without bloating the binary.
const maxVariants = 3

var (
	pathRe   = regexp.MustCompile(`<path[^>]*>`)
	fillRe   = regexp.MustCompile(`fill="(#[0-9a-fA-F]+)"`)
	dRe      = regexp.MustCompile(` d="([^"]*)"`)
	tokenRe  = regexp.MustCompile(`[MLQCZ]|-?[0-9]+(?:\.[0-9]+)?`)
	answerRe = regexp.MustCompile(`^[2-9A-Z]{6}$`)
)

// table is the file format read by the simulator (see glyphs.go).
type table struct {
	Source string              `json:"source"`
	Glyphs map[string][]string `json:"glyphs"`
}

type glyph struct {
	x   float64
	d   string
	sig string
}

func main() {
	in := flag.String("in", "../../testdata/captcha", "directory of labelled captcha SVGs")
	out := flag.String("out", "glyphs.json", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "glyphgen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	files, err := filepath.Glob(filepath.Join(in, "*.svg"))
	if err != nil {
		return fmt.Errorf("glob: %w", err)
	}
	sort.Strings(files)
	samples := map[string][]glyph{}
	for _, f := range files {
		answer := strings.TrimSuffix(filepath.Base(f), ".svg")
		if !answerRe.MatchString(answer) {
			continue
		}
		glyphs, err := readGlyphs(f)
		if err != nil {
			return err
		}
		if len(glyphs) != len(answer) {
			return fmt.Errorf("%s: %d glyph paths for a %d-char answer", f, len(glyphs), len(answer))
		}
		for i, g := range glyphs {
			ch := string(answer[i])
			samples[ch] = append(samples[ch], g)
		}
	}
	t := table{Source: "testdata/captcha (real portal captchas, labelled)", Glyphs: map[string][]string{}}
	for ch, gs := range samples {
		t.Glyphs[ch] = pickVariants(gs)
	}
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// readGlyphs returns the filled glyph paths of one SVG ordered left to right
// by the x of their first M command (what portal solvers do).
func readGlyphs(file string) ([]glyph, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	var out []glyph
	for _, p := range pathRe.FindAllString(string(b), -1) {
		if strings.Contains(p, "stroke=") || strings.Contains(p, `fill="none"`) || !fillRe.MatchString(p) {
			continue
		}
		m := dRe.FindStringSubmatch(p)
		if m == nil {
			return nil, fmt.Errorf("%s: glyph path without d", file)
		}
		g, err := normalise(m[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].x < out[j].x })
	return out, nil
}

// normalise shifts a glyph so its leftmost coordinate is x=0 and keeps y.
// Numbers alternate x, y after each command letter.
func normalise(d string) (glyph, error) {
	toks := tokenRe.FindAllString(d, -1)
	vals := make([]float64, len(toks))
	g := glyph{x: -1}
	minX, k := 1e9, 0
	var sig strings.Builder
	for i, t := range toks {
		if isLetter(t) {
			sig.WriteString(t)
			k = 0
			continue
		}
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return glyph{}, fmt.Errorf("number %q: %w", t, err)
		}
		vals[i] = v
		if k%2 == 0 {
			if g.x < 0 {
				g.x = v
			}
			minX = min(minX, v)
		}
		k++
	}
	g.d, g.sig = shiftPath(toks, vals, minX), sig.String()
	return g, nil
}

// shiftPath rewrites the path with every x reduced by dx, two decimals.
func shiftPath(toks []string, vals []float64, dx float64) string {
	var b strings.Builder
	k := 0
	for i, t := range toks {
		if isLetter(t) {
			b.WriteString(t)
			k = 0
			continue
		}
		v := vals[i]
		if k%2 == 0 {
			v -= dx
		}
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(v, 'f', 2, 64))
		k++
	}
	return b.String()
}

func isLetter(t string) bool { return len(t) == 1 && t[0] >= 'A' && t[0] <= 'Z' }

// pickVariants keeps the outlines whose full command-letter signature is
// the most common one for the character (guarding against mislabelled
// samples), at most maxVariants of them.
func pickVariants(gs []glyph) []string {
	count := map[string]int{}
	for _, g := range gs {
		count[g.sig]++
	}
	best := ""
	for s, n := range count {
		if n > count[best] || (n == count[best] && s < best) {
			best = s
		}
	}
	var out []string
	for _, g := range gs {
		if g.sig == best && len(out) < maxVariants {
			out = append(out, g.d)
		}
	}
	return out
}
