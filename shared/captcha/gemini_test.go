package captcha_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/emulators/gemini"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// startFake starts the fake Vertex endpoint answering with answer.
func startFake(t *testing.T, answer gemini.Answerer) *gemini.Server {
	t.Helper()
	srv, err := gemini.Start(gemini.Options{Answer: answer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newGemini is the real genai-backed solver pointed at srv.
func newGemini(t *testing.T, srv *gemini.Server, timeout time.Duration) *captcha.Gemini {
	t.Helper()
	g, err := captcha.NewGemini(context.Background(), captcha.GeminiConfig{
		Project: "p1", Location: "asia-southeast1", Model: "gemini-2.5-flash",
		BaseURL: srv.URL(), Timeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Ensure the chain answers known captchas from the table without calling
// Gemini, and falls back to Gemini (real genai client, fake endpoint) for an
// unknown glyph, sending the Vertex path, the prompt, a PNG and the SVG.
func TestChainFallsBackToGemini(t *testing.T) {
	set := labelled(t)
	svg := unknownGlyphSVG(t, set["2963C9"])
	srv := startFake(t, func(string, []gemini.Part) (string, error) { return " 29w3c9\n", nil })
	chain := captcha.Chain{captcha.NewTable(), newGemini(t, srv, 0)}

	if got, err := chain.Solve(context.Background(), set["DYC89Q"]); err != nil || got != "DYC89Q" {
		t.Fatalf("known captcha: %q, %v", got, err)
	}
	if srv.Requests() != 0 {
		t.Fatalf("Gemini called %d times for a known captcha", srv.Requests())
	}

	got, err := chain.Solve(context.Background(), svg)
	if err != nil || got != "29W3C9" {
		t.Fatalf("Solve = %q, %v; want 29W3C9 (upper-cased Gemini answer)", got, err)
	}
	req, _ := srv.LastRequest()
	if srv.Requests() != 1 {
		t.Fatalf("Requests = %d", srv.Requests())
	}
	for _, want := range []string{"/projects/p1/", "/locations/asia-southeast1/", "/models/gemini-2.5-flash:generateContent"} {
		if !strings.Contains(req.Path, want) {
			t.Errorf("path %q lacks %q", req.Path, want)
		}
	}
	for _, want := range []string{captcha.Alphabet, "exactly 6 characters", "except I, L, O and U", "<svg"} {
		if !strings.Contains(req.Prompt, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	var sawPNG bool
	for _, p := range req.Parts {
		if p.MIMEType == "image/png" {
			if _, err := png.Decode(bytes.NewReader(p.Data)); err != nil {
				t.Errorf("PNG part does not decode: %v", err)
			}
			sawPNG = true
		}
	}
	if !sawPNG {
		t.Error("no PNG part sent")
	}
}

// Ensure Gemini replies are validated: case and decoration are tolerated,
// anything but six alphabet characters is ErrInvalidAnswer (bad_data).
func TestGeminiAnswerValidation(t *testing.T) {
	svg := labelled(t)["2963C9"]
	cases := map[string]string{ // reply → want ("" = error)
		"abc234":               "ABC234",
		" `ABC234` \n":         "ABC234",
		`"zz99kk"`:             "ZZ99KK",
		"ABC23":                "",
		"ABC2345":              "",
		"ABCDE1":               "",
		"ABCDEI":               "",
		"AB CD3":               "",
		"The answer is ABC234": "",
		"":                     "",
	}
	for reply, want := range cases {
		t.Run(reply, func(t *testing.T) {
			srv := startFake(t, func(string, []gemini.Part) (string, error) { return reply, nil })
			got, err := newGemini(t, srv, 0).Solve(context.Background(), svg)
			if want != "" {
				if err != nil || got != want {
					t.Fatalf("Solve = %q, %v; want %q", got, err, want)
				}
				return
			}
			if !errors.Is(err, captcha.ErrInvalidAnswer) || hoadon.ErrorCode(err) != hoadon.CodeBadData {
				t.Fatalf("Solve = %q, %v; want ErrInvalidAnswer/bad_data", got, err)
			}
			if reply != "" && strings.Contains(err.Error(), strings.TrimSpace(reply)) {
				t.Fatalf("error %q repeats the reply", err)
			}
		})
	}
}

// Ensure Gemini HTTP failures are classified: 429 rate-limited, 5xx
// transient, 403 unauthorized; and a Chain returns them without going on.
func TestGeminiErrorsClassified(t *testing.T) {
	set := labelled(t)
	cases := []struct {
		status int
		want   hoadon.Code
	}{
		{http.StatusTooManyRequests, hoadon.CodeRateLimited},
		{http.StatusInternalServerError, hoadon.CodeTransient},
		{http.StatusServiceUnavailable, hoadon.CodeTransient},
		{http.StatusForbidden, hoadon.CodeUnauthorized},
		{http.StatusBadRequest, hoadon.CodeInvalid},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := startFake(t, func(string, []gemini.Part) (string, error) { return "ABC234", nil })
			srv.FailNext(1, tc.status)
			third := &countingSolver{answer: "ZZZZZZ"}
			chain := captcha.Chain{captcha.NewTable(), newGemini(t, srv, 0), third}
			_, err := chain.Solve(context.Background(), unknownGlyphSVG(t, set["2963C9"]))
			if got := hoadon.ErrorCode(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
			if third.calls != 0 {
				t.Fatal("chain went on after a non-glyph error")
			}
			if hoadon.Retryable(err) != (tc.want == hoadon.CodeRateLimited || tc.want == hoadon.CodeTransient) {
				t.Fatalf("Retryable(%v) wrong", err)
			}
		})
	}
}

// Ensure a Gemini call that exceeds Timeout is a transient error.
func TestGeminiTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := startFake(t, func(string, []gemini.Part) (string, error) {
		<-release
		return "ABC234", nil
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	_, err := newGemini(t, srv, 50*time.Millisecond).Solve(context.Background(), labelled(t)["2963C9"])
	if hoadon.ErrorCode(err) != hoadon.CodeTransient {
		t.Fatalf("err = %v, want transient", err)
	}
}

// Ensure NewGemini validates its config.
func TestNewGeminiNeedsProject(t *testing.T) {
	_, err := captcha.NewGemini(context.Background(), captcha.GeminiConfig{BaseURL: "http://127.0.0.1:1"})
	if hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
}
