package gdt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/metrics"
)

// opKind tells the classifier which failure vocabulary applies: a 401 on
// authenticate is a captcha or credentials problem, on a data call it means
// the session is over.
type opKind int

const (
	opCaptcha opKind = iota
	opAuth
	opData
	opExport
)

// String names the call in the portal answers' metric.
func (k opKind) String() string {
	return [...]string{metrics.CallCaptcha, metrics.CallLogin, metrics.CallData, metrics.CallExport}[k]
}

// call describes one request the way the portal's web app would send it.
type call struct {
	kind     opKind
	method   string
	path     string  // after the base, starting with /
	query    []param // encoded by encodeQuery
	body     []byte  // JSON body for POST
	action   string  // UI label for the Action header (unencoded)
	endPoint string  // value of the End-Point header
	accept   string
	limit    int64 // maximum body size read
	timeout  time.Duration
}

// param is one query parameter; order is kept as given.
type param struct{ key, value string }

// response is a read, size-limited answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs c and returns the raw response; transport failures are
// classified, HTTP statuses are left to the caller's classify call. Every
// answer, and every call that got none, is counted by class (shared/metrics).
func (cl *Client) send(ctx context.Context, jar http.CookieJar, token string, c call) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := cl.base + c.path
	if len(c.query) > 0 {
		u += "?" + encodeQuery(c.query)
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeInvalid, err, "build request")
	}
	cl.setHeaders(req, token, c)
	hc := *cl.hc
	hc.Jar = jar
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			metrics.PortalResponse(ctx, c.kind.String(), 0)
		}
		return nil, transportError(ctx, err)
	}
	metrics.PortalResponse(ctx, c.kind.String(), resp.StatusCode)
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.limit+1))
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if int64(len(data)) > c.limit {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "response of %s exceeds %d bytes", c.path, c.limit)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// setHeaders adds what the portal's axios interceptor adds to every call
// (gdt-portal.md §1.3): a fresh request-id, Action and End-Point, plus the
// browser's usual headers.
func (cl *Client) setHeaders(req *http.Request, token string, c call) {
	h := req.Header
	h.Set(requestIDHeader, uuid.NewString())
	h.Set("Action", encodeURIComponent(c.action))
	h.Set("End-Point", c.endPoint)
	h.Set("Accept", c.accept)
	h.Set("Accept-Language", defaultAcceptLanguage)
	h.Set("Origin", cl.cfg.Origin)
	h.Set("Referer", cl.cfg.Origin+"/")
	h.Set("User-Agent", cl.cfg.UserAgent)
	if c.body != nil {
		h.Set("Content-Type", "application/json")
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
}

// transportError classifies a failure below HTTP: the caller's own
// cancellation stays a cancellation; timeouts and connection errors are
// transient.
func transportError(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return hoadon.Wrap(hoadon.CodeCancelled, err, "request cancelled")
	}
	return hoadon.Wrap(hoadon.CodeTransient, err, "portal unreachable or too slow")
}

// newJar returns an empty cookie jar; one per login keeps the firewall's and
// load balancer's cookies of one session together (§1.3).
func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return jar
}

// encodeQuery builds a query string by hand: keys and values are
// percent-encoded except for the FIQL delimiters = ; : / , which stay
// literal, because the firewall was reported to reset connections when they
// were encoded (§1.4). Order is preserved.
func encodeQuery(ps []param) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(p.key, isQueryLiteral))
		b.WriteByte('=')
		b.WriteString(escape(p.value, isQueryLiteral))
	}
	return b.String()
}

// encodeURIComponent mirrors JavaScript's function of that name, which the
// web app uses for the Action header.
func encodeURIComponent(s string) string {
	return escape(s, isURIComponentLiteral)
}

func escape(s string, literal func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if literal(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func isQueryLiteral(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("=;:/,", c) >= 0
}

func isURIComponentLiteral(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("!*'()", c) >= 0
}
