package captcha

import (
	"context"
	"errors"
	"fmt"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Chain tries its solvers in order, moving on only when a solver reports an
// unknown glyph (errors.Is(err, ErrUnknownGlyph)). Any other error, and a
// cancelled or expired context, ends the chain at once: a malformed SVG or a
// rate-limited Gemini would not get better by asking the next solver.
// Typical use: Chain{NewTable(), gemini}.
type Chain []Solver

var _ Solver = Chain(nil)

// Solve returns the first answer; the error of the last solver tried
// otherwise, naming the unknown-glyph error that led to it.
func (c Chain) Solve(ctx context.Context, svg []byte) (string, error) {
	if len(c) == 0 {
		return "", hoadon.Errorf(hoadon.CodeInternal, "captcha.Chain: no solvers")
	}
	var prev error
	for i, s := range c {
		ans, err := s.Solve(ctx, svg)
		if err == nil {
			return ans, nil
		}
		if prev != nil {
			err = fmt.Errorf("captcha.Chain: solver %d of %d (after: %v): %w", i+1, len(c), prev, err)
		}
		if ctx.Err() != nil || !errors.Is(err, ErrUnknownGlyph) || i == len(c)-1 {
			return "", err
		}
		prev = err
	}
	return "", hoadon.Errorf(hoadon.CodeInternal, "captcha.Chain: unreachable")
}
