package workflows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Documented HTTP limits: default timeout 300 s, maximum 1800 s; responses up to 2 MB.
const (
	defaultHTTPTimeout = 300
	maxResponseBytes   = 2 * 1024 * 1024
)

var httpParams = []string{"url", "timeout", "body", "headers", "query", "auth"}

func init() {
	for _, m := range []string{"get", "post", "put", "patch", "delete"} {
		method := strings.ToUpper(m)
		register(optional(blocking(fn("http."+m, httpParams, func(c *callCtx, a []any) (any, error) {
			return doHTTP(c, method, a)
		})), 1))
	}
	register(optional(blocking(fn("http.request", append([]string{"method"}, httpParams...), func(c *callCtx, a []any) (any, error) {
		method, err := argString("http.request", a, 0)
		if err != nil {
			return nil, err
		}
		return doHTTP(c, strings.ToUpper(method), a[1:])
	})), 2))
}

// doHTTP performs a real HTTP request; a = url, timeout, body, headers, query, auth.
func doHTTP(c *callCtx, method string, a []any) (any, error) {
	c.ex.httpCalls.Add(1)
	req, timeout, err := buildRequest(c, method, a)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.ctx, timeout)
	defer cancel()
	resp, err := c.ex.eng.http.Do(req.WithContext(ctx))
	if err != nil {
		return nil, classifyHTTPError(c.ctx, ctx, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, classifyHTTPError(c.ctx, ctx, err)
	}
	if len(raw) > maxResponseBytes {
		return nil, newErr(tagResourceLimit, "HTTP response from %s exceeds the 2 MB limit", req.URL.Redacted())
	}
	out := map[string]any{
		"code":    int64(resp.StatusCode),
		"headers": responseHeaders(resp.Header),
		"body":    decodeBody(resp.Header.Get("Content-Type"), raw),
	}
	if resp.StatusCode >= 400 {
		out["tags"] = []any{tagHTTP}
		out["message"] = fmt.Sprintf("HTTP server responded with error code %d", resp.StatusCode)
		return nil, &Raised{Value: out}
	}
	return out, nil
}

func buildRequest(c *callCtx, method string, a []any) (*http.Request, time.Duration, error) {
	rawURL, err := argString("http", a, 0)
	if err != nil {
		return nil, 0, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, 0, newErr(tagValue, "invalid URL %q", rawURL)
	}
	timeout, err := httpTimeout(a[1])
	if err != nil {
		return nil, 0, err
	}
	if err := addQuery(u, a[4]); err != nil {
		return nil, 0, err
	}
	headers, err := requestHeaders(a[3])
	if err != nil {
		return nil, 0, err
	}
	body, err := encodeBody(a[2], headers)
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequest(method, u.String(), body)
	if err != nil {
		return nil, 0, newErr(tagValue, "invalid request: %v", err)
	}
	req.Header = headers
	if err := addAuth(c, req, a[5]); err != nil {
		return nil, 0, err
	}
	return req, timeout, nil
}

func httpTimeout(v any) (time.Duration, error) {
	if !given(v) || v == nil {
		return defaultHTTPTimeout * time.Second, nil
	}
	f, ok := toFloat(v)
	if !ok || f <= 0 || f > maxHTTPTimeoutSec {
		return 0, newErr(tagValue, "timeout must be a number of seconds in (0, %d], got %s", maxHTTPTimeoutSec, valueString(v))
	}
	return time.Duration(f * float64(time.Second)), nil
}

func addQuery(u *url.URL, v any) error {
	if !given(v) || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return newErr(tagType, "query must be a map, got %s", typeName(v))
	}
	q := u.Query()
	for _, k := range sortedKeys(m) {
		if list, isList := m[k].([]any); isList {
			for _, e := range list {
				q.Add(k, valueString(e))
			}
			continue
		}
		q.Set(k, valueString(m[k]))
	}
	u.RawQuery = q.Encode()
	return nil
}

func requestHeaders(v any) (http.Header, error) {
	h := http.Header{}
	if !given(v) || v == nil {
		return h, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, newErr(tagType, "headers must be a map, got %s", typeName(v))
	}
	for k, e := range m {
		h.Set(k, valueString(e))
	}
	return h, nil
}

// encodeBody follows the documented rules: without a Content-Type, or with a JSON one, the
// body is JSON-encoded; form bodies are URL-encoded; other types take strings and bytes as is.
func encodeBody(v any, h http.Header) (io.Reader, error) {
	if !given(v) || v == nil {
		return nil, nil
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	switch {
	case ct == "" || isJSONType(ct):
		b, err := toJSON(v, "")
		if err != nil {
			return nil, newErr(tagValue, "body: %v", err)
		}
		if ct == "" {
			h.Set("Content-Type", "application/json")
		}
		return bytes.NewReader(b), nil
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		if m, ok := v.(map[string]any); ok {
			form := url.Values{}
			for k, e := range m {
				form.Set(k, valueString(e))
			}
			return strings.NewReader(form.Encode()), nil
		}
	}
	switch b := v.(type) {
	case string:
		return strings.NewReader(b), nil
	case Bytes:
		return bytes.NewReader(b), nil
	}
	return nil, newErr(tagType, "body of type %s cannot be sent as %s", typeName(v), ct)
}

func isJSONType(ct string) bool {
	mt := strings.TrimSpace(strings.SplitN(ct, ";", 2)[0])
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// addAuth attaches an OIDC ID token; the audience defaults to the URL without its query.
func addAuth(c *callCtx, req *http.Request, v any) error {
	if !given(v) || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return newErr(tagType, "auth must be a map, got %s", typeName(v))
	}
	if t, _ := m["type"].(string); t != "OIDC" {
		return newErr(tagValue, "auth type %v is not supported by the emulator (only OIDC)", m["type"])
	}
	aud, _ := m["audience"].(string)
	if aud == "" {
		u := *req.URL
		u.RawQuery, u.Fragment = "", ""
		aud = u.String()
	}
	tok, err := c.ex.eng.issuer.Token(aud, c.ex.eng.saEmail, time.Hour)
	if err != nil {
		return newErr(tagAuth, "cannot create ID token: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

func responseHeaders(h http.Header) map[string]any {
	out := map[string]any{}
	for k, vs := range h {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// decodeBody parses JSON responses, returns text as strings and anything else as bytes.
func decodeBody(ct string, raw []byte) any {
	ct = strings.ToLower(ct)
	if isJSONType(ct) {
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		if v, err := fromJSON(raw); err == nil {
			return v
		}
		return string(raw)
	}
	if strings.HasPrefix(ct, "text/") || len(raw) == 0 {
		return string(raw)
	}
	return Bytes(raw)
}

// classifyHTTPError maps transport failures to the documented error tags.
func classifyHTTPError(execCtx, reqCtx context.Context, err error) error {
	if execCtx.Err() != nil {
		return errCancelled
	}
	var ne net.Error
	if errors.Is(reqCtx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return newErr(tagTimeout, "HTTP request timed out: %v", err)
	}
	var op *net.OpError
	var dns *net.DNSError
	if (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &dns) {
		return newErr(tagConnectionFailed, "connection could not be established: %v", err)
	}
	return newErr(tagConnection, "connection error: %v", err)
}
