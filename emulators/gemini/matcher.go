package gemini

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// builtinExamples are 14 labelled portal captchas (copied from
// testdata/captcha) in which every character occurs at least twice: the
// default answerer's reference glyphs, embedded so the fake works from any
// working directory.
//
//go:embed examples/*.svg
var builtinExamples embed.FS

// The fake's own captcha solver. It deliberately works differently from
// shared/captcha (which maps path-command signatures): it ignores the
// commands, turns every glyph's coordinates into a normalised point cloud
// and picks the label of the nearest example glyph by symmetric Chamfer
// distance. A misreading of the captcha format therefore cannot hide on
// both sides of a fallback test.

const (
	cloudPoints  = 32 // points kept per glyph (evenly subsampled)
	perCharMax   = 3  // example glyphs kept per character
	glyphsPerSVG = 6
)

var (
	pathTag  = regexp.MustCompile(`<path\b[^>]*>`)
	dAttr    = regexp.MustCompile(`\sd="([^"]*)"`)
	numberRe = regexp.MustCompile(`-?[0-9]*\.?[0-9]+`)
	svgText  = regexp.MustCompile(`(?s)<svg\b.*</svg>`)
)

type point struct{ x, y float64 }

// shape is one glyph: its left position in the captcha and its cloud.
type shape struct {
	centre float64
	cloud  []point
}

type example struct {
	char  byte
	cloud []point
}

type matcher struct{ examples []example }

// loadMatcher reads labelled captchas <ANSWER>.svg from the root of fsys.
func loadMatcher(fsys fs.FS) (*matcher, error) {
	names, err := fs.Glob(fsys, "*.svg")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no labelled captchas (<ANSWER>.svg) found")
	}
	sort.Strings(names)
	m := &matcher{}
	count := map[byte]int{}
	for _, n := range names {
		label := strings.TrimSuffix(path.Base(n), ".svg")
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		shapes, err := glyphShapes(string(b))
		if err != nil || len(label) != len(shapes) {
			return nil, fmt.Errorf("example %s: %d glyphs for label %q (%v)", n, len(shapes), label, err)
		}
		for i, s := range shapes {
			if count[label[i]] < perCharMax {
				count[label[i]]++
				m.examples = append(m.examples, example{char: label[i], cloud: s.cloud})
			}
		}
	}
	return m, nil
}

// answer finds the SVG in the prompt's text parts and solves it.
func (m *matcher) answer(prompt string, parts []Part) (string, error) {
	svg := svgText.FindString(prompt)
	if svg == "" {
		return "", &StatusError{Code: 400, Message: "fake gemini: no <svg> in the prompt"}
	}
	shapes, err := glyphShapes(svg)
	if err != nil {
		return "", &StatusError{Code: 400, Message: "fake gemini: " + err.Error()}
	}
	out := make([]byte, len(shapes))
	for i, s := range shapes {
		out[i] = m.nearest(s.cloud)
	}
	return string(out), nil
}

func (m *matcher) nearest(cloud []point) byte {
	best, bestD := byte('?'), math.Inf(1)
	for _, e := range m.examples {
		if d := chamfer(cloud, e.cloud); d < bestD {
			best, bestD = e.char, d
		}
	}
	return best
}

// glyphShapes extracts the filled (non-noise) paths, left to right.
func glyphShapes(svg string) ([]shape, error) {
	var out []shape
	for _, tag := range pathTag.FindAllString(svg, -1) {
		if strings.Contains(tag, "stroke=") || strings.Contains(tag, `fill="none"`) {
			continue
		}
		d := dAttr.FindStringSubmatch(tag)
		if d == nil {
			continue
		}
		s, err := cloudOf(d[1])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) != glyphsPerSVG {
		return nil, fmt.Errorf("found %d glyph paths, want %d", len(out), glyphsPerSVG)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].centre < out[j].centre })
	return out, nil
}

// cloudOf reads every coordinate pair of d and normalises the cloud to a
// unit box anchored at its top-left, keeping the aspect ratio.
func cloudOf(d string) (shape, error) {
	nums := numberRe.FindAllString(d, -1)
	if len(nums) < 2 || len(nums)%2 != 0 {
		return shape{}, errors.New("glyph path without coordinate pairs")
	}
	pts := make([]point, 0, len(nums)/2)
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	var sumX float64
	for i := 0; i < len(nums); i += 2 {
		x, err1 := strconv.ParseFloat(nums[i], 64)
		y, err2 := strconv.ParseFloat(nums[i+1], 64)
		if err1 != nil || err2 != nil {
			return shape{}, fmt.Errorf("bad number near %q", nums[i])
		}
		pts = append(pts, point{x, y})
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		sumX += x
	}
	scale := math.Max(maxX-minX, maxY-minY)
	if scale == 0 {
		scale = 1
	}
	cloud := make([]point, 0, cloudPoints)
	step := float64(len(pts)) / cloudPoints
	if step < 1 {
		step = 1
	}
	for f := 0.0; int(f) < len(pts) && len(cloud) < cloudPoints; f += step {
		p := pts[int(f)]
		cloud = append(cloud, point{(p.x - minX) / scale, (p.y - minY) / scale})
	}
	return shape{centre: sumX / float64(len(pts)), cloud: cloud}, nil
}

// chamfer is the symmetric mean nearest-neighbour distance of two clouds.
func chamfer(a, b []point) float64 {
	return oneWay(a, b) + oneWay(b, a)
}

func oneWay(a, b []point) float64 {
	var sum float64
	for _, p := range a {
		best := math.Inf(1)
		for _, q := range b {
			dx, dy := p.x-q.x, p.y-q.y
			if d := dx*dx + dy*dy; d < best {
				best = d
			}
		}
		sum += math.Sqrt(best)
	}
	return sum / float64(len(a))
}
