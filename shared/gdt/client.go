// Package gdt is the client of the GDT e-invoice portal's private JSON API
// (hoadondientu.gdt.gov.vn): captcha, login, the four invoice lists with
// cursor paging and month windows, invoice detail and the original-XML ZIP.
//
// Every failure leaves this package as a *hoadon.Error whose Code says what a
// caller should do (re-login, slow down, give up, retry); the classification
// happens once, here, from the portal's status codes and messages
// (shared/reference/gdt-portal.md §1.5, §3.3, §8). Calls are single attempts:
// retry and pacing policy belongs to the caller (Cloud Tasks in the cloud,
// package pull on a laptop).
package gdt

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Base URLs of the portal. The base includes the path prefix; endpoint paths
// such as /captcha are appended to it.
const (
	// DefaultBaseURL is what the portal's web app calls since mid-2026.
	DefaultBaseURL = "https://hoadondientu.gdt.gov.vn/api"
	// LegacyBaseURL is the older layout (port 30000, no /api prefix), still
	// reachable from some networks.
	LegacyBaseURL = "https://hoadondientu.gdt.gov.vn:30000"
	// DefaultOrigin is sent as Origin and Referer, as the web app does.
	DefaultOrigin = "https://hoadondientu.gdt.gov.vn"
	// DefaultUserAgent is a desktop browser; the portal's firewall is
	// suspicious of obvious robots.
	DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " +
		"(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout        = 60 * time.Second  // lists, detail, login
	DefaultExportTimeout  = 120 * time.Second // ZIP downloads are slower
	DefaultPageSize       = 50                // the portal's maximum
	DefaultMaxPages       = 2000              // per window and pass: 100k rows
	DefaultMaxZIPBytes    = 32 << 20          // compressed download
	DefaultMaxUnzipped    = 64 << 20          // sum of all entries
	DefaultRateLimitWait  = 15 * time.Second  // 429 without Retry-After
	maxJSONBytes          = 32 << 20          // a list page or detail body
	maxErrorMessageRunes  = 300
	defaultMaxZIPEntries  = 64
	defaultSort           = "tdlap:desc"
	listEndPointHeader    = "/tra-cuu/tra-cuu-hoa-don"
	defaultEndPointHeader = "/"
	defaultAcceptJSON     = "application/json, text/plain, */*"
	defaultAcceptZIP      = "application/zip, application/octet-stream, */*"
	defaultAcceptLanguage = "vi"
	requestIDHeader       = "request-id"
)

// Config configures a Client. The zero value talks to the real portal with
// verified TLS and the defaults above.
type Config struct {
	// BaseURL includes the path prefix: DefaultBaseURL, LegacyBaseURL, or a
	// simulator's URL. Empty means DefaultBaseURL.
	BaseURL string
	// Origin is sent as Origin and Referer (with a trailing slash).
	Origin string
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// Timeout bounds one request other than export-xml.
	Timeout time.Duration
	// ExportTimeout bounds one export-xml download.
	ExportTimeout time.Duration
	// Proxy, when set, carries every request (the portal may refuse foreign
	// IPs). Nil means the environment's proxy settings.
	Proxy *url.URL
	// RootCAs replaces the system roots when the portal's chain needs a
	// custom CA. Verification is never turned off.
	RootCAs *x509.CertPool
	// HTTPClient, when set, is used instead of one built from Proxy and
	// RootCAs (tests, custom transports). Its Jar is ignored: every login
	// gets its own jar.
	HTTPClient *http.Client
	// RequireTTXLY lists purchase invoices in one pass per ttxly value
	// (5, 6, 8), as if the portal required the filter. When false, purchase
	// lists are fetched unfiltered and fall back to per-value passes only if
	// the portal rejects the unfiltered query (gdt-portal.md §4.8, §13.7).
	RequireTTXLY bool
	// RepeatWalks is how many extra walks of each list window are made while
	// they keep finding rows the earlier walks missed (the portal's cursor
	// was measured to drop ~0.6 % of rows, §4.7). 0 = walk once.
	RepeatWalks int
	// PageSize is the list page size, 1..50.
	PageSize int
	// MaxPages caps the pages walked per window and pass, so a cursor that
	// never ends cannot loop forever.
	MaxPages int
	// MaxZIPBytes and MaxUnzippedBytes bound an export-xml download.
	MaxZIPBytes, MaxUnzippedBytes int64
	// RateLimitWait is the wait reported for a 429 that carries no
	// Retry-After. At least 15 s against the real portal.
	RateLimitWait time.Duration
}

// Client talks to one portal. It is safe for concurrent use; sessions
// (token plus cookie jar) are separate values, one per login.
type Client struct {
	cfg  Config
	base string
	hc   *http.Client
}

// New validates cfg, fills defaults and builds the HTTP client.
func New(cfg Config) (*Client, error) {
	if err := cfg.fill(); err != nil {
		return nil, fmt.Errorf("gdt.New: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = buildHTTPClient(cfg)
	} else {
		cp := *hc
		hc = &cp
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), hc: hc}, nil
}

// Config returns the effective configuration (defaults filled in).
func (c *Client) Config() Config { return c.cfg }

func (cfg *Config) fill() error {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "base URL %q: want http(s)://host[:port][/prefix]", cfg.BaseURL)
	}
	if cfg.Origin == "" {
		cfg.Origin = DefaultOrigin
	}
	cfg.Origin = strings.TrimRight(cfg.Origin, "/")
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	setDefault(&cfg.Timeout, DefaultTimeout)
	setDefault(&cfg.ExportTimeout, DefaultExportTimeout)
	setDefault(&cfg.RateLimitWait, DefaultRateLimitWait)
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PageSize < 1 || cfg.PageSize > 50 {
		return hoadon.Errorf(hoadon.CodeInvalid, "page size %d: want 1..50", cfg.PageSize)
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.MaxZIPBytes <= 0 {
		cfg.MaxZIPBytes = DefaultMaxZIPBytes
	}
	if cfg.MaxUnzippedBytes <= 0 {
		cfg.MaxUnzippedBytes = DefaultMaxUnzipped
	}
	return nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

func buildHTTPClient(cfg Config) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	if cfg.Proxy != nil {
		tr.Proxy = http.ProxyURL(cfg.Proxy)
	}
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: cfg.RootCAs}
	tr.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: tr}
}
