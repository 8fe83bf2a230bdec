package gdt

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// captchaStore keeps issued captcha answers until used or expired. It is
// locked, but only login traffic touches it.
type captchaStore struct {
	mu      sync.Mutex
	entries map[string]captchaEntry
	machine [2]string // two "instances", as real keys show
	counter atomic.Uint32
}

type captchaEntry struct {
	answer  string
	expires time.Time
}

func newCaptchaStore() *captchaStore {
	cs := &captchaStore{entries: map[string]captchaEntry{}}
	for i := range cs.machine {
		cs.machine[i] = hexFrom(rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), 10, false)
	}
	cs.counter.Store(rand.Uint32() & 0xffffff)
	return cs
}

// newKey returns an ObjectId-like key: 8 hex seconds, 10 hex machine, 6 hex
// counter.
func (cs *captchaStore) newKey(now time.Time) string {
	n := cs.counter.Add(1)
	return fmt.Sprintf("%08x%s%06x", uint32(now.Unix()), cs.machine[n%2], n&0xffffff)
}

func (cs *captchaStore) put(key, answer string, expires time.Time, now time.Time) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.entries) > 10000 {
		for k, e := range cs.entries {
			if !now.Before(e.expires) {
				delete(cs.entries, k)
			}
		}
	}
	cs.entries[key] = captchaEntry{answer, expires}
}

// take consumes a key (single use) and reports whether answer matched
// before expiry. Case is ignored, as solvers submit uppercase.
func (cs *captchaStore) take(key, answer string, now time.Time) bool {
	cs.mu.Lock()
	e, ok := cs.entries[key]
	delete(cs.entries, key)
	cs.mu.Unlock()
	return ok && now.Before(e.expires) && strings.EqualFold(e.answer, answer)
}

// peek returns a live answer without consuming it (test hook).
func (cs *captchaStore) peek(key string, now time.Time) (string, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	e, ok := cs.entries[key]
	if !ok || !now.Before(e.expires) {
		return "", false
	}
	return e.answer, true
}

// handleCaptcha serves GET /captcha.
func (s *Simulator) handleCaptcha(w http.ResponseWriter, r *http.Request) {
	set, err := glyphs()
	if err != nil {
		s.springFail(w, r, http.StatusInternalServerError, "/captcha", err.Error())
		return
	}
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	answer := make([]byte, 6)
	for i := range answer {
		answer[i] = captchaAlphabet[rng.IntN(len(captchaAlphabet))]
	}
	now := s.opts.Now()
	key := s.captchas.newKey(now)
	s.captchas.put(key, string(answer), now.Add(s.opts.CaptchaTTL), now)
	writeJSON(w, http.StatusOK, struct {
		Key     string `json:"key"`
		Content string `json:"content"`
	}{key, renderCaptcha(rng, set, string(answer))})
}

// renderCaptcha draws the answer like the portal's svg-captcha: one filled
// path per character in slots about 28 px apart, coordinates jittered by up
// to ±0.1, two stroked Bézier noise lines, elements shuffled.
func renderCaptcha(r *rand.Rand, set map[byte][]glyph, answer string) string {
	var parts []string
	prevStart := -1.0
	for i := 0; i < len(answer); i++ {
		g := pick(r, set[answer[i]])
		dx := 14 + float64(i)*28.3 + r.Float64()*4 - 2
		dy := r.Float64()*2 - 1
		// Keep the first-M x strictly increasing: solvers order glyphs by it.
		if start := g[0].nums[0] + dx; start < prevStart+2 {
			dx += prevStart + 2 - start
		}
		prevStart = g[0].nums[0] + dx
		grey := strings.Repeat(strconv.Itoa(1+r.IntN(4)), 3)
		parts = append(parts, `<path fill="#`+grey+`" d="`+pathData(r, g, dx, dy)+`"/>`)
	}
	for i := 0; i < 2; i++ {
		parts = append(parts, noiseLine(r))
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0,0,200,40">` +
		strings.Join(parts, "") + "</svg>"
}

// pathData writes the glyph translated by (dx, dy) with small jitter; the
// command letters stay exactly as in the real outline.
func pathData(r *rand.Rand, g glyph, dx, dy float64) string {
	var b strings.Builder
	for _, seg := range g {
		b.WriteByte(seg.cmd)
		for k, v := range seg.nums {
			if k > 0 {
				b.WriteByte(' ')
			}
			j := r.Float64()*0.2 - 0.1
			if k%2 == 0 {
				v += dx + j
			} else {
				v += dy + j
			}
			b.WriteString(strconv.FormatFloat(v, 'f', 2, 64))
		}
	}
	return b.String()
}

func noiseLine(r *rand.Rand) string {
	return fmt.Sprintf(`<path d="M%d %d C%d %d,%d %d,%d %d" stroke="#%s" fill="none"/>`,
		1+r.IntN(20), 1+r.IntN(39), 60+r.IntN(60), r.IntN(40), 80+r.IntN(60), r.IntN(40),
		180+r.IntN(16), 1+r.IntN(39), strings.Repeat(strconv.Itoa(1+r.IntN(9)), 3))
}
