package gdt

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// statusRecorder counts the response in the stats when its status is
// decided, before any byte reaches the client, so a test that has read a
// response always sees it counted.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	counted func(status int)
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.counted(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (s *Simulator) routes() http.Handler { return http.HandlerFunc(s.serve) }

// portalPath strips the current layout's /api prefix; the legacy layout
// has none.
func portalPath(p string) string {
	if strings.HasPrefix(p, "/api/") {
		return p[4:]
	}
	return p
}

// serve is the single entry point: simulator endpoints, then the portal's
// front (down, dropped connections, WAF), then the backend routes.
func (s *Simulator) serve(w http.ResponseWriter, r *http.Request) {
	p := portalPath(r.URL.Path)
	if strings.HasPrefix(p, "/_sim/") {
		s.serveTruth(w, r, p)
		return
	}
	f := s.faults()
	endpoint := endpointName(p)
	if f.DropShare > 0 && rand.Float64() < f.DropShare {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			s.stats.add(endpoint, 0) // before closing, so a client seeing the reset sees the count
			_ = conn.Close()
			return
		}
	}
	rec := &statusRecorder{ResponseWriter: w, counted: func(code int) { s.stats.add(endpoint, code) }}
	switch {
	case r.Method == http.MethodOptions:
		// CORS preflight (some clients mimic the browser); it carries no
		// custom headers, so it is answered before the WAF rule.
		rec.Header().Set("Allow", "GET, POST, OPTIONS")
		rec.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		rec.Header().Set("Access-Control-Allow-Headers", "*")
		rec.WriteHeader(http.StatusOK)
	case f.Down:
		rec.Header().Set("Content-Type", "text/html; charset=utf-8")
		rec.WriteHeader(http.StatusServiceUnavailable)
		_, _ = rec.Write([]byte("<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>"))
	case s.opts.RequireRequestID && !validRequestID(r.Header.Get("request-id")):
		s.wafReject(rec)
	case p == "/captcha":
		sleep(r, s.opts.Latency)
		s.handleCaptcha(rec, r)
	case p == "/security-taxpayer/authenticate":
		sleep(r, s.opts.Latency)
		s.handleAuthenticate(rec, r)
	default:
		s.serveData(rec, r, p)
	}
}

// endpointName is the counter name: known routes by path, others "other".
func endpointName(p string) string {
	switch p {
	case "/captcha", "/security-taxpayer/authenticate", "/security-taxpayer/profile":
		return p
	}
	if fam, op, ok := dataRoute(p); ok {
		return "/" + fam + "/invoices/" + op
	}
	return "other"
}

// dataRoute splits "/{query|sco-query}/invoices/{op}".
func dataRoute(p string) (family, op string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(parts) != 3 || parts[1] != "invoices" || (parts[0] != "query" && parts[0] != "sco-query") {
		return "", "", false
	}
	switch parts[2] {
	case "sold", "purchase", "detail", "export-xml":
		return parts[0], parts[2], true
	}
	return "", "", false
}

// serveData handles authenticated endpoints: token, limits, latency,
// injected 5xx, then the endpoint itself.
func (s *Simulator) serveData(w http.ResponseWriter, r *http.Request, p string) {
	family, op, ok := dataRoute(p)
	backend := "/invoices/" + op
	if !ok && p != "/security-taxpayer/profile" {
		s.springFail(w, r, http.StatusNotFound, p, "No handler found for "+r.Method+" "+p)
		return
	}
	if !ok {
		backend = "/profile"
	}
	if r.Method != http.MethodGet {
		s.springFail(w, r, http.StatusMethodNotAllowed, backend, "Request method '"+r.Method+"' not supported")
		return
	}
	acc := s.authorise(r)
	if acc == nil {
		s.springFail(w, r, http.StatusUnauthorized, backend, msgUnauth)
		return
	}
	release, retry, admitted := s.admit(acc)
	if !admitted {
		s.tooMany(w, r, backend, retry)
		return
	}
	// Free the slot as soon as the response starts, so a client that sends
	// its next request right after reading this one is never refused.
	rel := sync.OnceFunc(release)
	defer rel()
	w = &releaseWriter{ResponseWriter: w, release: rel}
	if op == "export-xml" {
		sleep(r, s.opts.ExportLatency)
		sleep(r, s.faults().SlowExport)
	} else {
		sleep(r, s.opts.Latency)
	}
	if share := s.faults().ServerErrorShare; share > 0 && rand.Float64() < share {
		gatewayError(w)
		return
	}
	s.dispatch(w, r, acc, family, op, backend)
}

// dispatch calls the endpoint handler of an admitted data request.
func (s *Simulator) dispatch(w http.ResponseWriter, r *http.Request, acc *account, family, op, backend string) {
	sco := family == "sco-query"
	switch op {
	case "":
		s.handleProfile(w, r, acc)
	case "sold", "purchase":
		f, _ := flowOf(family, op)
		s.handleList(w, r, acc, f, backend)
	case "detail":
		s.handleDetail(w, r, acc, sco, backend)
	case "export-xml":
		s.handleExport(w, r, acc, sco, backend)
	}
}

// validRequestID accepts a UUID-shaped request-id (the web app sends a
// fresh UUID v4 each time; the WAF only needs it present and well formed).
func validRequestID(v string) bool {
	if len(v) != 36 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return false
		}
	}
	return true
}

// releaseWriter calls release when the status is written.
type releaseWriter struct {
	http.ResponseWriter
	release     func()
	wroteHeader bool
}

func (w *releaseWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		w.release()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *releaseWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// gatewayError is an injected 502/503/504 with a proxy-style HTML body.
func gatewayError(w http.ResponseWriter) {
	code := []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}[rand.IntN(3)]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(code) + "</h1></body></html>"))
}
