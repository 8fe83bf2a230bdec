package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/hoadon"
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
// several, a JSON array with --json). A file that cannot be solved is
// reported (on stderr, or in the JSON) and makes the command fail after the
// others were tried; the developer detail of an unknown glyph goes to the
// log (shown with --verbose).
func runCaptchaSolve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("captcha solve", stderr)
	var cfg captcha.GeminiConfig
	fs.StringVar(&cfg.Project, "gemini-project", "", "GCP project: enables the Gemini (Vertex AI) fallback for unknown glyphs")
	fs.StringVar(&cfg.Location, "gemini-location", "", "Vertex AI location (default chosen by the genai client)")
	fs.StringVar(&cfg.Model, "gemini-model", captcha.DefaultGeminiModel, "Gemini model")
	fs.StringVar(&cfg.BaseURL, "gemini-url", "", "Vertex AI endpoint override, e.g. the local fake (no credentials sent)")
	fs.DurationVar(&cfg.Timeout, "gemini-timeout", 30*time.Second, "timeout of one Gemini call")
	asJSON := fs.Bool("json", false, `print a JSON array of {"file","answer"} or {"file","error":{"code","message"}}`)
	verbose := fs.Bool("verbose", false, "log the detail of each failure (glyph signatures to label)")
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
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	results := make([]captchaResult, 0, len(files))
	failed := 0
	for _, f := range files {
		ans, err := solveFile(ctx, solver, f)
		r := captchaResult{File: f, Answer: ans}
		if err != nil {
			failed++
			r.Error = &resultError{Code: hoadon.ErrorCode(err), Message: hoadon.ErrorMessage(err)}
			log.Info("captcha not solved", "file", f, "err", err)
		}
		results = append(results, r)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, results); err != nil {
			return err
		}
	} else {
		printCaptchaResults(stdout, stderr, results)
	}
	switch {
	case failed == 0:
		return nil
	case len(files) == 1 && !*asJSON:
		return errors.New(results[0].Error.Message)
	}
	return fmt.Errorf("%d of %d captchas not solved", failed, len(files))
}

// captchaResult is one file's line of `captcha solve --json`.
type captchaResult struct {
	File   string       `json:"file"`
	Answer string       `json:"answer,omitempty"`
	Error  *resultError `json:"error,omitempty"`
}

// resultError is a failure as a user reads it.
type resultError struct {
	Code    hoadon.Code `json:"code"`
	Message string      `json:"message"`
}

func printCaptchaResults(stdout, stderr io.Writer, results []captchaResult) {
	for _, r := range results {
		switch {
		case r.Error != nil && len(results) > 1:
			fmt.Fprintf(stderr, "%s: %s\n", r.File, r.Error.Message)
		case r.Error != nil:
		case len(results) == 1:
			fmt.Fprintln(stdout, r.Answer)
		default:
			fmt.Fprintf(stdout, "%s: %s\n", r.File, r.Answer)
		}
	}
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
		return "", hoadon.Wrap(hoadon.CodeInvalid, err, "reading the captcha file")
	}
	return s.Solve(ctx, svg)
}
