package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/emulators/gemini"
)

const captchaTestdata = "../../testdata/captcha"

// Ensure `hoadon captcha solve` answers all 100 labelled captchas.
func TestCaptchaSolveAllLabelled(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(captchaTestdata, "*.svg"))
	if err != nil || len(files) != 100 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), append([]string{"captcha", "solve"}, files...), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(files) {
		t.Fatalf("%d output lines for %d files", len(lines), len(files))
	}
	for i, f := range files {
		want := fmt.Sprintf("%s: %s", f, strings.TrimSuffix(filepath.Base(f), ".svg"))
		if lines[i] != want {
			t.Errorf("line %d = %q, want %q", i, lines[i], want)
		}
	}
}

// Ensure one file prints the bare answer.
func TestCaptchaSolveOneFile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"captcha", "solve", filepath.Join(captchaTestdata, "DYC89Q.svg")}, &stdout, &stderr)
	if code != 0 || stdout.String() != "DYC89Q\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// captchaWithUnknownGlyph writes a copy of a labelled captcha whose first
// glyph (in document order) is replaced by an outline no character has.
func captchaWithUnknownGlyph(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(captchaTestdata, "2963C9.svg"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, `<path fill="`)
	j := i + strings.Index(s[i:], "/>") + 2
	s = s[:i] + `<path fill="#333" d="M100 10L100 30Q101 35 100 38Z"/>` + s[j:]
	name := filepath.Join(t.TempDir(), "unknown.svg")
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// Ensure an unknown glyph fails with a clear message, the other files are
// still answered, and usage errors exit 2.
func TestCaptchaSolveErrors(t *testing.T) {
	unknown := captchaWithUnknownGlyph(t)
	good := filepath.Join(captchaTestdata, "DYC89Q.svg")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"captcha", "solve", unknown, good}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), unknown+": the captcha has a character the offline solver does not know: try again") ||
		strings.Contains(stderr.String(), "signature MQZ") || strings.Contains(stderr.String(), "bad_data") ||
		!strings.Contains(stderr.String(), "1 of 2 captchas not solved") {
		t.Fatalf("stderr = %q", stderr.String())
	}
	if stdout.String() != good+": DYC89Q\n" {
		t.Fatalf("stdout = %q", stdout.String())
	}
	for _, args := range [][]string{{"captcha", "solve"}, {"captcha", "solve", "--gemini-url", "http://x", good}} {
		stderr.Reset()
		if code := Main(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
	}
	stderr.Reset()
	if code := Main(context.Background(), []string{"captcha", "solve", "/nonexistent.svg"}, &stdout, &stderr); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
}

// Ensure --json reports each file's answer or error, and --verbose logs
// the glyph signatures a developer needs while the user message stays plain.
func TestCaptchaSolveJSONAndVerbose(t *testing.T) {
	unknown := captchaWithUnknownGlyph(t)
	good := filepath.Join(captchaTestdata, "DYC89Q.svg")
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"captcha", "solve", "--json", good, unknown}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	var got []struct {
		File, Answer string
		Error        *struct{ Code, Message string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if len(got) != 2 || got[0].Answer != "DYC89Q" || got[0].Error != nil || got[1].Answer != "" || got[1].Error == nil ||
		got[1].Error.Code != "bad_data" || !strings.HasPrefix(got[1].Error.Message, "the captcha has a character") {
		t.Fatalf("JSON = %s", stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := Main(context.Background(), []string{"captcha", "solve", "--verbose", unknown}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr.String(), "signature MQZ") || !strings.Contains(stderr.String(), "go generate ./shared/captcha") ||
		!strings.Contains(stderr.String(), "hoadon captcha solve: the captcha has a character") {
		t.Fatalf("stderr = %q", stderr.String())
	}
}

// Ensure --gemini-* flags enable the fallback through the genai client.
func TestCaptchaSolveGeminiFallback(t *testing.T) {
	srv, err := gemini.Start(gemini.Options{FixedAnswer: "W963C9"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"captcha", "solve",
		"--gemini-project", "p1", "--gemini-location", "asia-southeast1", "--gemini-url", srv.URL(),
		captchaWithUnknownGlyph(t)}, &stdout, &stderr)
	if code != 0 || stdout.String() != "W963C9\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if req, _ := srv.LastRequest(); srv.Requests() != 1 || req.Project != "p1" || req.Model != "gemini-2.5-flash" {
		t.Fatalf("requests %d, last %+v", srv.Requests(), req)
	}
}
