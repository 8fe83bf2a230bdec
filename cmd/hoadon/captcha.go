package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hoadon/hoadon/shared/captcha"
)

func init() {
	register(command{
		words:   "captcha solve",
		usage:   "[--gemini-project P [--gemini-location L] [--gemini-model M] [--gemini-url URL]] FILE.svg [FILE.svg ...]",
		summary: "solve portal captcha SVGs offline (optional Gemini fallback)",
		run:     runCaptchaSolve,
	})
}

// runCaptchaSolve prints the answer of each file ("FILE: ANSWER" when
// several). A file that cannot be solved is reported on stderr and makes
// the command fail after the others were tried.
func runCaptchaSolve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("captcha solve", stderr)
	var cfg captcha.GeminiConfig
	fs.StringVar(&cfg.Project, "gemini-project", "", "GCP project: enables the Gemini (Vertex AI) fallback for unknown glyphs")
	fs.StringVar(&cfg.Location, "gemini-location", "", "Vertex AI location (default chosen by the genai client)")
	fs.StringVar(&cfg.Model, "gemini-model", captcha.DefaultGeminiModel, "Gemini model")
	fs.StringVar(&cfg.BaseURL, "gemini-url", "", "Vertex AI endpoint override, e.g. the local fake (no credentials sent)")
	fs.DurationVar(&cfg.Timeout, "gemini-timeout", 30*time.Second, "timeout of one Gemini call")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return fmt.Errorf("%w: no FILE.svg given", errUsage)
	}
	solver, err := captchaSolver(ctx, cfg)
	if err != nil {
		return err
	}
	failed := 0
	for _, f := range files {
		ans, err := solveFile(ctx, solver, f)
		switch {
		case err != nil && len(files) == 1:
			return err
		case err != nil:
			failed++
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
		case len(files) == 1:
			fmt.Fprintln(stdout, ans)
		default:
			fmt.Fprintf(stdout, "%s: %s\n", f, ans)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d captchas not solved", failed, len(files))
	}
	return nil
}

// captchaSolver is the built-in table, chained to Gemini when a project is
// given.
func captchaSolver(ctx context.Context, cfg captcha.GeminiConfig) (captcha.Solver, error) {
	table := captcha.NewTable()
	if cfg.Project == "" {
		if cfg.BaseURL != "" || cfg.Location != "" {
			return nil, fmt.Errorf("%w: --gemini-url/--gemini-location need --gemini-project", errUsage)
		}
		return table, nil
	}
	g, err := captcha.NewGemini(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return captcha.Chain{table, g}, nil
}

func solveFile(ctx context.Context, s captcha.Solver, name string) (string, error) {
	svg, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	ans, err := s.Solve(ctx, svg)
	if err != nil {
		var ue *captcha.UnknownGlyphError
		if errors.As(err, &ue) {
			return "", fmt.Errorf("%v (label it and run `go generate ./shared/captcha`, or add --gemini-project)", ue)
		}
		return "", err
	}
	return ans, nil
}
