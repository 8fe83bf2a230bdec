package gemini_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/genai"

	"github.com/hoadon/hoadon/emulators/gemini"
)

const examplesDir = "../../testdata/captcha"

func start(t *testing.T, opts gemini.Options) *gemini.Server {
	t.Helper()
	srv, err := gemini.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// client is the official genai client on the Vertex backend, pointed at srv.
func client(t *testing.T, srv *gemini.Server) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		Backend: genai.BackendVertexAI, Project: "proj-1", Location: "asia-southeast1",
		HTTPClient:  &http.Client{},
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL() + "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func userContent(parts ...*genai.Part) []*genai.Content {
	return []*genai.Content{genai.NewContentFromParts(parts, genai.RoleUser)}
}

// Ensure the real genai client's request reaches the fake with the Vertex
// path, text and inline image parts, and reads the fake's answer.
func TestGenerateContentRoundTrip(t *testing.T) {
	srv := start(t, gemini.Options{FixedAnswer: "ABC234"})
	png := []byte("\x89PNG fake bytes")
	resp, err := client(t, srv).Models.GenerateContent(context.Background(), "gemini-2.5-flash",
		userContent(genai.NewPartFromText("read the code"), genai.NewPartFromBytes(png, "image/png")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Text(); got != "ABC234" {
		t.Fatalf("Text = %q", got)
	}
	req, ok := srv.LastRequest()
	if !ok {
		t.Fatal("no request recorded")
	}
	wantPath := "/v1beta1/projects/proj-1/locations/asia-southeast1/publishers/google/models/gemini-2.5-flash:generateContent"
	if req.Path != wantPath || req.Project != "proj-1" || req.Location != "asia-southeast1" || req.Model != "gemini-2.5-flash" {
		t.Fatalf("request = %+v, want path %s", req, wantPath)
	}
	if req.Prompt != "read the code" || len(req.Parts) != 2 || req.Parts[1].MIMEType != "image/png" || !bytes.Equal(req.Parts[1].Data, png) {
		t.Fatalf("parts = %+v", req.Parts)
	}
	if srv.Requests() != 1 {
		t.Fatalf("Requests = %d", srv.Requests())
	}
}

// Ensure failures on demand reach the client as genai.APIError with the
// Google status names, and the fake recovers afterwards.
func TestFailures(t *testing.T) {
	srv := start(t, gemini.Options{Answer: func(prompt string, _ []gemini.Part) (string, error) {
		if strings.Contains(prompt, "boom") {
			return "", &gemini.StatusError{Code: 503, Message: "overloaded"}
		}
		return "ZZZZZZ", nil
	}})
	c := client(t, srv)
	ctx := context.Background()
	srv.FailNext(1, http.StatusTooManyRequests)
	_, err := c.Models.GenerateContent(ctx, "m", genai.Text("x"), nil)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 429 || apiErr.Status != "RESOURCE_EXHAUSTED" {
		t.Fatalf("err = %v, want APIError 429 RESOURCE_EXHAUSTED", err)
	}
	_, err = c.Models.GenerateContent(ctx, "m", genai.Text("boom"), nil)
	if !errors.As(err, &apiErr) || apiErr.Code != 503 || apiErr.Status != "UNAVAILABLE" {
		t.Fatalf("err = %v, want APIError 503", err)
	}
	resp, err := c.Models.GenerateContent(ctx, "m", genai.Text("x"), nil)
	if err != nil || resp.Text() != "ZZZZZZ" {
		t.Fatalf("after failures: %v, %v", resp, err)
	}
	if srv.Requests() != 3 {
		t.Fatalf("Requests = %d, want 3", srv.Requests())
	}
}

// Ensure wrong paths and methods are refused.
func TestBadRequests(t *testing.T) {
	srv := start(t, gemini.Options{FixedAnswer: "X"})
	cases := map[string]struct {
		method, path, body string
		want               int
	}{
		"unknown path": {"POST", "/v1beta1/models/m:countTokens", "{}", 404},
		"GET":          {"GET", "/v1beta1/publishers/google/models/m:generateContent", "", 405},
		"bad json":     {"POST", "/v1beta1/publishers/google/models/m:generateContent", "{", 400},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL()+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if _, err := gemini.Start(gemini.Options{ExamplesDir: t.TempDir()}); err == nil {
		t.Fatal("Start with an empty ExamplesDir succeeded")
	}
}

// Ensure the default answerer (shape matching against the 14 embedded
// examples) solves every labelled captcha sent as prompt text, 86 of which
// it has never seen, and refuses a prompt without SVG.
func TestDefaultOptionsSolve(t *testing.T) {
	srv := start(t, gemini.DefaultOptions())
	c := client(t, srv)
	names, err := filepath.Glob(filepath.Join(examplesDir, "*.svg"))
	if err != nil || len(names) != 100 {
		t.Fatalf("%d labelled captchas, %v", len(names), err)
	}
	for _, n := range names {
		svg, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Models.GenerateContent(context.Background(), "gemini-2.5-flash",
			userContent(genai.NewPartFromText("Read this captcha"), genai.NewPartFromText(string(svg))), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(filepath.Base(n), ".svg"); resp.Text() != want {
			t.Errorf("answer = %q, want %s", resp.Text(), want)
		}
	}
	_, err = c.Models.GenerateContent(context.Background(), "m", genai.Text("no svg here"), nil)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 400 {
		t.Fatalf("err = %v, want 400 for a prompt without SVG", err)
	}
}
