package gdt_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoadon/hoadon/shared/gdt"
)

// fixture is a tiny stand-in portal for unit tests: each test sets the
// handler for the paths it exercises; every request is recorded.
type fixture struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	reqs     []*http.Request
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, handlers: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(context.Background()))
	h := f.handlers[r.URL.Path]
	f.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// handle sets the handler of a path under /api.
func (f *fixture) handle(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers["/api"+path] = h
}

func (f *fixture) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// client returns a gdt client pointed at the fixture's /api layout.
func (f *fixture) client(mod ...func(*gdt.Config)) *gdt.Client {
	f.t.Helper()
	cfg := gdt.Config{BaseURL: f.srv.URL + "/api", Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := gdt.New(cfg)
	if err != nil {
		f.t.Fatalf("gdt.New: %v", err)
	}
	return c
}

// reply writes a status, optional headers and a body.
func reply(status int, contentType, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func jsonReply(status int, v any) http.HandlerFunc {
	b, _ := json.Marshal(v)
	return reply(status, "application/json;charset=UTF-8", string(b))
}

// testToken signs a JWT shaped like the portal's (HS512, sub/type/iat/exp).
func testToken(t *testing.T, sub string, ttl time.Duration) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{
		"sub": sub, "type": 2, "iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	})
	s, err := tok.SignedString([]byte("fixture-key-not-the-portals"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// session is a session with a valid-looking token (fixtures check none).
func (f *fixture) session() *gdt.Session {
	f.t.Helper()
	s, err := gdt.NewSession("0100109106", testToken(f.t, "0100109106", time.Hour))
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}
