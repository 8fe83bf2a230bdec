// Package client is the Go client of hoadon's task API (shared/api): start
// an import, read its status, cancel it, list imports, stream its invoices
// and read its events. The CLI (cmd/hoadon) is built on it; other Go
// programs can use it the same way.
//
// The API's base URL comes from HOADON_API_URL, falling back to
// HOADON_FUNCTIONS_URL (the local server serves the API and every function
// on one address) and then to http://127.0.0.1:8080 (cmd/server's default).
// HOADON_API_KEY, when set, is sent as the X-API-Key header.
//
// Errors are classified once: an answer of the API with a 4xx/5xx status is
// an *APIError carrying the API's own code and message; a server that cannot
// be reached is an *UnreachableError. Both unwrap to a *hoadon.Error, so
// hoadon.ErrorCode and hoadon.Retryable work on them.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/settings"
)

// Environment variables the client reads.
const (
	// EnvAPIURL is the base URL of the task API (without /api).
	EnvAPIURL = "HOADON_API_URL"
	// EnvFunctionsURL is the server's own base URL; the API lives there
	// too when everything runs in one process (cmd/server, make run).
	EnvFunctionsURL = "HOADON_FUNCTIONS_URL"
	// EnvAPIKey is sent as X-API-Key when set.
	EnvAPIKey = "HOADON_API_KEY"
	// DefaultURL is where cmd/server listens by default.
	DefaultURL = "http://127.0.0.1:8080"
)

// Settings documents the variables the client reads, for the list of every
// setting (shared/config); HOADON_FUNCTIONS_URL is declared there.
var Settings = []settings.Setting{
	{Name: EnvAPIURL, Component: "client", Help: "task API base URL for the CLI (default " + EnvFunctionsURL + ", else " + DefaultURL + ")"},
	{Name: EnvAPIKey, Component: "client", Help: "API key the CLI sends as X-API-Key"},
}

// Client talks to one task API. It is safe for concurrent use.
type Client struct {
	base   string // no trailing slash
	apiKey string
	http   *http.Client
}

// BaseURLFromEnv returns the API base URL the environment selects:
// HOADON_API_URL, else HOADON_FUNCTIONS_URL, else DefaultURL.
func BaseURLFromEnv(getenv func(string) string) string {
	for _, name := range []string{EnvAPIURL, EnvFunctionsURL} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
	}
	return DefaultURL
}

// FromEnv builds a client from the process environment. A non-empty
// baseURL (a command-line flag) overrides the environment's.
func FromEnv(baseURL string) (*Client, error) {
	if baseURL == "" {
		baseURL = BaseURLFromEnv(os.Getenv)
	}
	return New(baseURL, os.Getenv(EnvAPIKey))
}

// New returns a client of the API at baseURL (http or https, no query);
// apiKey may be empty.
func New(baseURL, apiKey string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "API URL %q: want http(s)://host[:port][/prefix]", baseURL)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	// No overall timeout: the invoice stream of a large import takes a
	// while. A server that accepts and then says nothing is still caught.
	tr.ResponseHeaderTimeout = 60 * time.Second
	return &Client{base: strings.TrimRight(baseURL, "/"), apiKey: apiKey, http: &http.Client{Transport: tr}}, nil
}

// BaseURL returns the API base URL the client talks to.
func (c *Client) BaseURL() string { return c.base }

// send performs one request and returns the response of a 2xx answer; any
// other answer becomes an *APIError, a transport failure an
// *UnreachableError. The caller closes the body.
func (c *Client) send(ctx context.Context, method, path string, body any, hdr http.Header) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, hoadon.Errorf(hoadon.CodeInternal, "client: encode request: %w", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "client: %s %s: %w", method, path, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hoadon-client")
	if c.apiKey != "" {
		req.Header.Set("X-API-Key", c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the method and URL the message already names
		}
		return nil, &UnreachableError{URL: c.base, Err: err}
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, apiError(resp)
	}
	return resp, nil
}

// call sends a request and decodes the JSON answer into out (nil: discard).
func (c *Client) call(ctx context.Context, method, path string, body, out any, hdr http.Header) (int, error) {
	resp, err := c.send(ctx, method, path, body, hdr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, hoadon.Errorf(hoadon.CodeBadData, "client: %s %s: unreadable answer: %w", method, path, err)
	}
	return resp.StatusCode, nil
}
