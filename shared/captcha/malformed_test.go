package captcha_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Ensure inputs that are not portal captchas give ErrMalformed with a
// message saying what is wrong, never a panic or an answer.
func TestMalformed(t *testing.T) {
	real := string(labelled(t)["2963C9"])
	firstGlyph := real[strings.Index(real, `<path fill="`):]
	firstGlyph = firstGlyph[:strings.Index(firstGlyph, "/>")+2]
	cases := map[string]struct {
		svg  string
		want string
	}{
		"empty":         {"", "no <svg>"},
		"not xml":       {"<svg><path d='M1 1", "not XML"},
		"wrong root":    {`<html><path fill="#111" d="M1 1Z"/></html>`, "root element"},
		"seven glyphs":  {strings.Replace(real, firstGlyph, firstGlyph+firstGlyph, 1), "found 7 glyph paths"},
		"five glyphs":   {strings.Replace(real, firstGlyph, "", 1), "found 5 glyph paths"},
		"relative cmd":  {strings.Replace(real, firstGlyph, `<path fill="#111" d="M1 1l2 2Z"/>`, 1), "unsupported path command"},
		"no numbers":    {strings.Replace(real, firstGlyph, `<path fill="#111" d="MQZ"/>`, 1), "no coordinates"},
		"bad number":    {strings.Replace(real, firstGlyph, `<path fill="#111" d="M1 - 2Z"/>`, 1), "malformed number"},
		"starts with Q": {strings.Replace(real, firstGlyph, `<path fill="#111" d="Q1 2 3 4Z"/>`, 1), "must start with M"},
		"too big":       {"<svg>" + strings.Repeat(" ", 2<<20) + "</svg>", "more than"},
	}
	tab := captcha.NewTable()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tab.Solve(context.Background(), []byte(tc.svg))
			if err == nil {
				t.Fatalf("Solve = %q, want an error", got)
			}
			if !errors.Is(err, captcha.ErrMalformed) || hoadon.ErrorCode(err) != hoadon.CodeBadData {
				t.Fatalf("err = %v, want ErrMalformed/bad_data", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// Ensure a cancelled context is returned as is (so a Chain does not fall
// back on it).
func TestSolveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := captcha.NewTable().Solve(ctx, labelled(t)["2963C9"])
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// FuzzSolve checks that arbitrary input never panics and that an answer,
// when given, is Length characters of the Alphabet.
func FuzzSolve(f *testing.F) {
	f.Add(labelled(f)["2963C9"])
	f.Add([]byte(`<svg><path fill="#111" d="M1 2L3 4Q5 6 7 8Z"/></svg>`))
	tab := captcha.NewTable()
	f.Fuzz(func(t *testing.T, svg []byte) {
		got, err := tab.Solve(context.Background(), svg)
		if err != nil {
			return
		}
		if _, nerr := captcha.NormalizeAnswer(got); nerr != nil || got != strings.ToUpper(got) {
			t.Fatalf("Solve gave %q: %v", got, nerr)
		}
	})
}
