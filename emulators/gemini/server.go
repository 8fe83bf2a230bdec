package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Part is one part of a request's user content: text, or inline data such as
// a PNG image.
type Part struct {
	Text     string
	MIMEType string
	Data     []byte
}

// Request is what the fake received in one generateContent call, for tests
// to assert on.
type Request struct {
	Path     string // URL path as received
	Project  string // from the path ("" without the projects/ prefix)
	Location string
	Model    string
	Prompt   string // the text parts joined by newlines
	Parts    []Part
}

// Answerer produces the model's reply text for a prompt. Returning a
// *StatusError makes the fake answer with that HTTP status instead.
type Answerer func(prompt string, parts []Part) (string, error)

// StatusError is an error an Answerer returns to make the fake fail with a
// Google-style JSON error of the given HTTP status (429, 500, ...).
type StatusError struct {
	Code    int
	Message string
}

// Error implements error.
func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Code, e.Message) }

// Options configures the fake. The first of Answer, FixedAnswer and
// ExamplesDir that is set decides how it answers; with none of them it
// solves the captcha SVG found in the prompt with its built-in examples.
type Options struct {
	// Addr to listen on; default "127.0.0.1:0" (a free port).
	Addr string
	// Answer, when set, produces every reply.
	Answer Answerer
	// FixedAnswer, when set, is the reply to every request.
	FixedAnswer string
	// ExamplesDir, when set, replaces the built-in reference captchas with
	// the labelled captchas <ANSWER>.svg in this directory.
	ExamplesDir string
}

// DefaultOptions listens on a free loopback port and answers captchas with
// the built-in shape matcher.
func DefaultOptions() Options {
	return Options{Addr: "127.0.0.1:0"}
}

// Server is a running fake endpoint.
type Server struct {
	srv    *http.Server
	ln     net.Listener
	answer Answerer
	done   chan struct{}

	mu       sync.Mutex
	requests int
	last     *Request
	failN    int
	failCode int
}

// Start listens on opts.Addr and serves until Close.
func Start(opts Options) (*Server, error) {
	answer, err := answerer(opts)
	if err != nil {
		return nil, fmt.Errorf("gemini.Start: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("gemini.Start: %w", err)
	}
	s := &Server{ln: ln, answer: answer, done: make(chan struct{})}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// answerer picks the reply strategy from opts.
func answerer(opts Options) (Answerer, error) {
	switch {
	case opts.Answer != nil:
		return opts.Answer, nil
	case opts.FixedAnswer != "":
		fixed := opts.FixedAnswer
		return func(string, []Part) (string, error) { return fixed, nil }, nil
	}
	var examples fs.FS = os.DirFS(opts.ExamplesDir)
	if opts.ExamplesDir == "" {
		sub, err := fs.Sub(builtinExamples, "examples")
		if err != nil {
			return nil, err
		}
		examples = sub
	}
	m, err := loadMatcher(examples)
	if err != nil {
		return nil, fmt.Errorf("examples %q: %w", opts.ExamplesDir, err)
	}
	return m.answer, nil
}

// URL is the base URL to give the genai client (HTTPOptions.BaseURL).
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server and waits for it.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}

// Requests is the number of generateContent calls received (failed ones
// included).
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// LastRequest returns the most recent generateContent call.
func (s *Server) LastRequest() (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return Request{}, false
	}
	return *s.last, true
}

// FailNext makes the next n calls fail with HTTP status code (e.g. 429 or
// 500) before the answerer is consulted.
func (s *Server) FailNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode = n, code
}

// modelPath matches Vertex generateContent paths, with or without the
// projects/P/locations/L prefix (gcp.md §8.4).
var modelPath = regexp.MustCompile(`^/(v1|v1beta1)/(?:projects/([^/]+)/locations/([^/]+)/)?publishers/google/models/([^/:]+):generateContent$`)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	m := modelPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeError(w, http.StatusNotFound, "fake gemini: no such method "+r.URL.Path)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "fake gemini: use POST")
		return
	}
	var body generateRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 20<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "fake gemini: bad JSON: "+err.Error())
		return
	}
	req := toRequest(r.URL.Path, m, body)
	if code := s.record(req); code != 0 {
		writeError(w, code, "fake gemini: failing on demand")
		return
	}
	text, err := s.answer(req.Prompt, req.Parts)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) {
			writeError(w, se.Code, se.Message)
			return
		}
		writeError(w, http.StatusInternalServerError, "fake gemini: "+err.Error())
		return
	}
	writeAnswer(w, req.Model, text)
}

// record counts the request and returns a status to fail with, or 0.
func (s *Server) record(req Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.last = &req
	if s.failN > 0 {
		s.failN--
		return s.failCode
	}
	return 0
}

func toRequest(path string, m []string, body generateRequest) Request {
	req := Request{Path: path, Project: m[2], Location: m[3], Model: m[4]}
	var texts []string
	for _, c := range body.Contents {
		for _, p := range c.Parts {
			if p.InlineData != nil {
				req.Parts = append(req.Parts, Part{MIMEType: p.InlineData.MIMEType, Data: p.InlineData.Data})
				continue
			}
			req.Parts = append(req.Parts, Part{Text: p.Text})
			texts = append(texts, p.Text)
		}
	}
	req.Prompt = strings.Join(texts, "\n")
	return req
}

func writeAnswer(w http.ResponseWriter, model, text string) {
	resp := generateResponse{
		Candidates: []candidate{{
			Content:      content{Role: "model", Parts: []part{{Text: text}}},
			FinishReason: "STOP",
		}},
		UsageMetadata: usageMetadata{PromptTokenCount: 258, CandidatesTokenCount: 4, TotalTokenCount: 262},
		ModelVersion:  model,
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorInfo{Code: code, Message: msg, Status: statusName(code)}})
}
