package captcha

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hoadon/hoadon/shared/captcha/internal/glyph"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Solver turns a captcha SVG into its answer. Implementations classify their
// errors with hoadon codes; an unknown glyph is errors.Is(err, ErrUnknownGlyph).
type Solver interface {
	Solve(ctx context.Context, svg []byte) (string, error)
}

// Table is the deterministic solver: a map from glyph signature to character.
// It starts with the generated built-in table and can learn signatures at
// run time. It is safe for concurrent use; Solve takes no lock (learned
// entries are published copy-on-write).
type Table struct {
	builtin map[string]byte
	mu      sync.Mutex                      // serialises Learn and Import
	learned atomic.Pointer[map[string]byte] // never mutated once published
	pool    sync.Pool                       // *glyph.Captcha scratch values
}

var _ Solver = (*Table)(nil)

// NewTable returns a Table holding the built-in signatures generated from
// testdata/captcha.
func NewTable() *Table { return newTable(builtinTable) }

func newTable(builtin map[string]byte) *Table {
	t := &Table{builtin: builtin}
	empty := map[string]byte{}
	t.learned.Store(&empty)
	t.pool.New = func() any { return new(glyph.Captcha) }
	return t
}

// Solve returns the six-character answer of a portal captcha. It never
// guesses: glyphs whose signature the table lacks give an
// *UnknownGlyphError (hoadon.CodeBadData, errors.Is ErrUnknownGlyph) naming
// every such position; an SVG not shaped like a captcha gives ErrMalformed.
func (t *Table) Solve(ctx context.Context, svg []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	c := t.pool.Get().(*glyph.Captcha)
	defer t.pool.Put(c)
	if err := glyph.Parse(svg, c); err != nil {
		return "", malformed(err)
	}
	var ans [Length]byte
	var unknown []GlyphSignature
	learned := *t.learned.Load()
	for i := 0; i < Length; i++ {
		sig := c.Signature(i)
		ch, ok := t.builtin[string(sig)]
		if !ok {
			ch, ok = learned[string(sig)]
		}
		if !ok {
			unknown = append(unknown, GlyphSignature{Position: i + 1, Signature: string(sig)})
			continue
		}
		ans[i] = ch
	}
	if unknown != nil {
		return "", &hoadon.Error{Code: hoadon.CodeBadData, Message: unknownGlyphMessage, Err: &UnknownGlyphError{Glyphs: unknown}}
	}
	return string(ans[:]), nil
}

// lookup returns the character for sig from the built-in or learned entries.
func (t *Table) lookup(sig string, learned map[string]byte) (byte, bool) {
	if ch, ok := t.builtin[sig]; ok {
		return ch, true
	}
	ch, ok := learned[sig]
	return ch, ok
}

// Learn records the glyph signatures of svg under answer. Call it only with
// an answer the portal accepted (a successful login): the table then solves
// this captcha's unknown glyphs from now on. Signatures already known must
// agree with answer, otherwise nothing is learned and the error wraps
// ErrConflict (hoadon.CodeConflict).
func (t *Table) Learn(svg []byte, answer string) error {
	ans, err := NormalizeAnswer(answer)
	if err != nil {
		return err
	}
	var c glyph.Captcha
	if err := glyph.Parse(svg, &c); err != nil {
		return malformed(err)
	}
	add := make(map[string]byte, Length)
	for i := 0; i < Length; i++ {
		sig := string(c.Signature(i))
		if prev, ok := add[sig]; ok && prev != ans[i] {
			return conflict(sig, prev, ans[i])
		}
		add[sig] = ans[i]
	}
	return t.merge(add)
}

// merge adds entries to the learned map after checking all of them, so a
// conflict leaves the table unchanged.
func (t *Table) merge(add map[string]byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.learned.Load()
	next := make(map[string]byte, len(old)+len(add))
	for sig, ch := range old {
		next[sig] = ch
	}
	added := 0
	for sig, ch := range add {
		have, ok := t.lookup(sig, old)
		if ok && have != ch {
			return conflict(sig, have, ch)
		}
		if !ok {
			next[sig] = ch
			added++
		}
	}
	if added > 0 {
		t.learned.Store(&next)
	}
	return nil
}

// Learned returns how many signatures were learned or imported at run time.
func (t *Table) Learned() int { return len(*t.learned.Load()) }
