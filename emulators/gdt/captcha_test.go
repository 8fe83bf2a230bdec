package gdt_test

import (
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

var (
	svgPathRe  = regexp.MustCompile(`<path[^>]*/>`)
	glyphRe    = regexp.MustCompile(`^<path fill="#(111|222|333|444)" d="(M[0-9. LQZM]+)"/>$`)
	noiseRe    = regexp.MustCompile(`^<path d="M\d+ \d+ C\d+ \d+,\d+ \d+,\d+ \d+" stroke="#([1-9])([1-9])([1-9])" fill="none"/>$`)
	firstXRe   = regexp.MustCompile(`^M(-?[0-9.]+)`)
	nonLetters = regexp.MustCompile(`[^A-Z]`)
)

type glyphPath struct {
	x   float64
	sig string
}

// parseCaptcha splits an SVG into glyphs (ordered by first-M x, as portal
// solvers do) and noise lines; it fails on any other element.
func parseCaptcha(t *testing.T, svg string) (glyphs []glyphPath, noise int) {
	t.Helper()
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0,0,200,40">`) || !strings.HasSuffix(svg, "</svg>") {
		t.Fatalf("svg root: %.120s", svg)
	}
	paths := svgPathRe.FindAllString(svg, -1)
	for _, p := range paths {
		if noiseRe.MatchString(p) {
			noise++
			continue
		}
		m := glyphRe.FindStringSubmatch(p)
		if m == nil {
			t.Fatalf("unexpected element %.150s", p)
		}
		x, _ := strconv.ParseFloat(firstXRe.FindStringSubmatch(m[2])[1], 64)
		glyphs = append(glyphs, glyphPath{x, nonLetters.ReplaceAllString(m[2], "")})
	}
	sort.Slice(glyphs, func(i, j int) bool { return glyphs[i].x < glyphs[j].x })
	return glyphs, noise
}

// realSignatures learns char → command-letter signature from the labelled
// real captchas, independently of the simulator's glyph table.
func realSignatures(t *testing.T) map[byte]string {
	t.Helper()
	files, err := filepath.Glob("../../testdata/captcha/*.svg")
	if err != nil || len(files) < 50 {
		t.Fatalf("labelled captchas: %d files, %v", len(files), err)
	}
	sigs := map[byte]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		answer := strings.TrimSuffix(filepath.Base(f), ".svg")
		var gs []glyphPath
		for _, p := range svgPathRe.FindAllString(string(b), -1) {
			if strings.Contains(p, "stroke=") {
				continue
			}
			d := regexp.MustCompile(` d="([^"]*)"`).FindStringSubmatch(p)[1]
			x, _ := strconv.ParseFloat(firstXRe.FindStringSubmatch(d)[1], 64)
			gs = append(gs, glyphPath{x, nonLetters.ReplaceAllString(d, "")})
		}
		sort.Slice(gs, func(i, j int) bool { return gs[i].x < gs[j].x })
		for i, g := range gs {
			sigs[answer[i]] = g.sig
		}
	}
	return sigs
}

func TestCaptchaShapeMatchesRealGlyphSignatures(t *testing.T) {
	srv := start(t, nil)
	sigs := realSignatures(t)
	if len(sigs) != 30 {
		t.Fatalf("learned %d characters from the real set, want 30", len(sigs))
	}
	seen := map[byte]bool{}
	for n := 0; n < 25; n++ {
		key, svg, answer := captcha(t, srv)
		if len(key) != 24 || strings.Trim(key, "0123456789abcdef") != "" {
			t.Fatalf("key %q: want 24 lowercase hex", key)
		}
		ts, _ := hex.DecodeString(key[:8])
		created := time.Unix(int64(ts[0])<<24|int64(ts[1])<<16|int64(ts[2])<<8|int64(ts[3]), 0)
		if d := time.Since(created); d < -2*time.Second || d > time.Minute {
			t.Fatalf("key timestamp %v is not now", created)
		}
		glyphs, noise := parseCaptcha(t, svg)
		if len(glyphs) != 6 || noise != 2 {
			t.Fatalf("captcha has %d glyphs and %d noise lines, want 6 and 2", len(glyphs), noise)
		}
		for i, g := range glyphs {
			if want := sigs[answer[i]]; g.sig != want {
				t.Fatalf("captcha %s glyph %d: signature differs from the real %q", answer, i, answer[i])
			}
			seen[answer[i]] = true
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d distinct characters in 150 draws", len(seen))
	}
}

func TestCaptchaIsSingleUseAndExpires(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	srv := start(t, func(o *gdtsim.Options) { o.Now = clock.Now; o.CaptchaTTL = time.Minute })
	c := srv.Companies()[1]

	key, _, ans := captcha(t, srv)
	if r := authenticate(t, srv, c.MST, "wrong", key, ans); !strings.Contains(string(r.body), "mật khẩu") {
		t.Fatalf("right captcha, wrong password: %d %s", r.status, r.body)
	}
	r := authenticate(t, srv, c.MST, c.Password, key, ans)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Mã captcha không đúng.") {
		t.Fatalf("reused captcha: %d %s", r.status, r.body)
	}

	key, _, ans = captcha(t, srv)
	clock.Advance(61 * time.Second)
	if _, ok := srv.CaptchaAnswer(key); ok {
		t.Error("CaptchaAnswer still reports an expired key")
	}
	r = authenticate(t, srv, c.MST, c.Password, key, ans)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Mã captcha không đúng.") {
		t.Fatalf("expired captcha: %d %s", r.status, r.body)
	}
}
