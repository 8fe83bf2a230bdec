package captcha_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// countingSolver is a func-field fake: fixed answer or error, counts calls.
type countingSolver struct {
	answer string
	err    error
	calls  int
}

func (s *countingSolver) Solve(ctx context.Context, _ []byte) (string, error) {
	s.calls++
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return s.answer, s.err
}

// Ensure the chain falls back only on unknown glyphs.
func TestChainFallbackRules(t *testing.T) {
	set := labelled(t)
	unknown := unknownGlyphSVG(t, set["2963C9"])
	ctx := context.Background()

	t.Run("unknown glyph falls back", func(t *testing.T) {
		next := &countingSolver{answer: "ABC234"}
		got, err := captcha.Chain{captcha.NewTable(), next}.Solve(ctx, unknown)
		if err != nil || got != "ABC234" || next.calls != 1 {
			t.Fatalf("got %q, %v, calls %d", got, err, next.calls)
		}
	})
	t.Run("malformed does not", func(t *testing.T) {
		next := &countingSolver{answer: "ABC234"}
		_, err := captcha.Chain{captcha.NewTable(), next}.Solve(ctx, []byte("<svg/>"))
		if !errors.Is(err, captcha.ErrMalformed) || next.calls != 0 {
			t.Fatalf("err %v, calls %d", err, next.calls)
		}
	})
	t.Run("cancelled does not", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		next := &countingSolver{answer: "ABC234"}
		_, err := captcha.Chain{captcha.NewTable(), next}.Solve(cctx, unknown)
		if !errors.Is(err, context.Canceled) || next.calls != 0 {
			t.Fatalf("err %v, calls %d", err, next.calls)
		}
	})
	t.Run("all unknown keeps both errors", func(t *testing.T) {
		_, err := captcha.Chain{captcha.NewTable(), captcha.NewTable()}.Solve(ctx, unknown)
		var ue *captcha.UnknownGlyphError
		if !errors.As(err, &ue) || hoadon.ErrorCode(err) != hoadon.CodeBadData {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty chain", func(t *testing.T) {
		if _, err := (captcha.Chain{}).Solve(ctx, unknown); hoadon.ErrorCode(err) != hoadon.CodeInternal {
			t.Fatalf("err = %v", err)
		}
	})
}
