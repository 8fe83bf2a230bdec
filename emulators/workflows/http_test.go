package workflows_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/emulators/oidc"
)

// backend is the HTTP service the test workflows call.
type backend struct {
	*httptest.Server
	mu       sync.Mutex
	calls    map[string]int // per ?id= for /flaky
	inflight atomic.Int32
	peak     atomic.Int32
	issuer   string
}

func newBackend(t *testing.T) *backend {
	b := &backend{calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", b.echo)
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"error":"status %d"}`, code)
	})
	mux.HandleFunc("/flaky", b.flaky)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/inflight", func(w http.ResponseWriter, r *http.Request) {
		n := b.inflight.Add(1)
		defer b.inflight.Add(-1)
		for {
			p := b.peak.Load()
			if n <= p || b.peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(15 * time.Millisecond)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/secure", b.secure)
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // connection established, then lost before any response
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(make([]byte, 2*1024*1024+1))
	})
	mux.HandleFunc("/claims", func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
	})
	b.Server = httptest.NewServer(mux)
	t.Cleanup(b.Close)
	return b
}

func (b *backend) echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var parsed any
	_ = json.Unmarshal(body, &parsed)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo", "yes")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"method": r.Method, "query": r.URL.Query(), "ctype": r.Header.Get("Content-Type"),
		"hdr": r.Header.Get("X-Test"), "body": parsed, "raw": string(body),
	})
}

// flaky answers ?code= for the first ?fail= calls of each ?id=, then 200.
func (b *backend) flaky(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	b.mu.Lock()
	b.calls[q.Get("id")]++
	n := b.calls[q.Get("id")]
	b.mu.Unlock()
	var fail, code int
	fmt.Sscan(q.Get("fail"), &fail)
	fmt.Sscan(q.Get("code"), &code)
	if n <= fail {
		w.WriteHeader(code)
		return
	}
	fmt.Fprintf(w, "ok after %d", n)
}

func (b *backend) count(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[id]
}

// secure verifies the bearer ID token against the JWKS fetched from the issuer, like a
// Cloud Run service would, and echoes the claims.
func (b *backend) secure(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		http.Error(w, "no token", http.StatusUnauthorized)
		return
	}
	resp, err := http.Get(b.issuer + "/jwks")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var set struct{ Keys []oidc.JWK }
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) == 0 {
		http.Error(w, "bad jwks", http.StatusBadGateway)
		return
	}
	pub, err := oidc.PublicKeyFromJWK(set.Keys[0])
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	claims, err := oidc.VerifyWithKey(tok, b.issuer, b.URL+"/secure", pub, time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(claims)
}

func TestHTTP(t *testing.T) {
	e := startEmu(t, nil)
	b := newBackend(t)
	b.issuer = e.srv.OIDCIssuerURL()
	closed := closedURL(t)
	cases := []struct {
		name, src string
		want      string
		wantTags  string
	}{
		{name: "get query headers", src: `
main:
  params: [a]
  steps:
    - g:
        call: http.get
        args:
          url: '${a.base + "/echo"}'
          query: {q: "x y", n: 3}
          headers: {X-Test: "h1"}
        result: r
    - ret: {return: {code: '${r.code}', method: '${r.body.method}', q: '${r.body.query}', hdr: '${r.body.hdr}', echo: '${r.headers["X-Echo"]}'}}`,
			want: `{"code": 200, "method": "GET", "q": {"q": ["x y"], "n": ["3"]}, "hdr": "h1", "echo": "yes"}`},
		{name: "post json body", src: `
main:
  params: [a]
  steps:
    - p:
        call: http.post
        args: {url: '${a.base + "/echo"}', body: {k: [1, 2], s: "v"}}
        result: r
    - ret: {return: {body: '${r.body.body}', ctype: '${r.body.ctype}'}}`,
			want: `{"body": {"k": [1, 2], "s": "v"}, "ctype": "application/json"}`},
		{name: "request method", src: `
main:
  params: [a]
  steps:
    - p:
        call: http.request
        args: {method: PATCH, url: '${a.base + "/echo"}', headers: {Content-Type: text/plain}, body: "raw text"}
        result: r
    - ret: {return: ['${r.body.method}', '${r.body.raw}']}`,
			want: `["PATCH", "raw text"]`},
		{name: "http error map", src: `
main:
  params: [a]
  steps:
    - t:
        try:
          call: http.get
          args: {url: '${a.base + "/status/404"}'}
        except:
          as: e
          steps:
            - ret: {return: {tags: '${e.tags}', code: '${e.code}', body: '${e.body}', msg: '${e.message}', ct: '${e.headers["Content-Type"]}'}}`,
			want: `{"tags": ["HttpError"], "code": 404, "body": {"error": "status 404"}, "msg": "HTTP server responded with error code 404", "ct": "application/json"}`},
		{name: "uncaught http error", src: `
main:
  params: [a]
  steps:
    - g: {call: http.delete, args: {url: '${a.base + "/status/500"}'}}`,
			wantTags: "HttpError"},
		{name: "response over 2 MB", src: `
main:
  params: [a]
  steps:
    - g: {call: http.get, args: {url: '${a.base + "/big"}'}}`,
			wantTags: "ResourceLimitError"},
		{name: "oidc audience argument", src: `
main:
  params: [a]
  steps:
    - g:
        call: http.get
        args: {url: '${a.base + "/claims"}', auth: {type: OIDC, audience: "https://my-service"}}
        result: r
    - ret: {return: '${r.body.aud}'}`,
			want: `"https://my-service"`},
		{name: "timeout", src: `
main:
  params: [a]
  steps:
    - g: {call: http.get, args: {url: '${a.base + "/slow"}', timeout: 0.2}}`,
			wantTags: "TimeoutError"},
		{name: "connection dropped", src: `
main:
  params: [a]
  steps:
    - g: {call: http.get, args: {url: '${a.base + "/drop"}'}}`,
			wantTags: "ConnectionError"},
		{name: "connection failed", src: `
main:
  params: [a]
  steps:
    - g: {call: http.get, args: {url: '${a.closed}'}}`,
			wantTags: "ConnectionFailedError"},
		{name: "oidc", src: `
main:
  params: [a]
  steps:
    - g:
        call: http.post
        args: {url: '${a.base + "/secure?x=1"}', auth: {type: OIDC}}
        result: r
    - ret: {return: '${r.body}'}`,
			want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "http_" + strings.ReplaceAll(tc.name, " ", "_")
			ex := e.run(t, name, tc.src, map[string]any{"base": b.URL, "closed": closed})
			switch {
			case tc.wantTags != "":
				if got := strings.Join(errorTags(t, ex), ","); got != tc.wantTags {
					t.Fatalf("tags %s, want %s: %s", got, tc.wantTags, ex.GetError().GetPayload())
				}
			case ex.State != executionspb.Execution_SUCCEEDED:
				t.Fatalf("state %s: %s", ex.State, ex.GetError().GetPayload())
			case tc.name == "oidc":
				got := decode(t, ex.Result).(map[string]any)
				if got["aud"] != b.URL+"/secure" || got["email"] != e.srv.ServiceAccountEmail() || got["iss"] != b.issuer {
					t.Fatalf("claims %v", got)
				}
			default:
				if diff := cmp.Diff(decode(t, tc.want), decode(t, ex.Result)); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// closedURL is an address nothing listens on.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/"
}
