// Package config reads the configuration of the server, the functions and
// the CLI from environment variables with one prefix, HOADON_ (plus the
// Google-standard emulator variables the client libraries read themselves).
// Every variable is listed in Vars with its meaning and default; the README's
// configuration table and the Terraform checks are built on that list.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/secret"
)

// Var documents one environment variable.
type Var struct {
	Name, Default, Help string
}

// Vars lists every variable the configuration reads.
var Vars = []Var{
	{"HOADON_PROJECT", "", "Google Cloud project id (falls back to GOOGLE_CLOUD_PROJECT)"},
	{"HOADON_LOCATION", "asia-southeast1", "region of the queues and the workflow"},
	{"HOADON_BUCKET", "", "GCS bucket for invoice files and import reports"},
	{"HOADON_GDT_BASE_URL", "https://hoadondientu.gdt.gov.vn/api", "portal base URL including its prefix (legacy: https://hoadondientu.gdt.gov.vn:30000)"},
	{"HOADON_GDT_PROXY", "", "HTTP proxy for portal calls (the portal may refuse foreign IPs)"},
	{"HOADON_GDT_REQUIRE_TTXLY", "false", "list purchase invoices per ttxly value (5, 6, 8)"},
	{"HOADON_TASKS_ENDPOINT", "", "Cloud Tasks emulator host:port; empty uses Google"},
	{"HOADON_WORKFLOWS_ENDPOINT", "", "Workflows emulator host:port; empty uses Google"},
	{"HOADON_WORKFLOW", "invoice_import", "workflow id that runs an import"},
	{"HOADON_FUNCTIONS_URL", "", "base URL serving every function at /<name> (the VM or local server)"},
	{"HOADON_DOWNLOAD_URL", "", "URL of the download function (default HOADON_FUNCTIONS_URL/download)"},
	{"HOADON_BURST_DOWNLOAD_URL", "", "hybrid mode: serverless download function that takes new download tasks while the backlog is high"},
	{"HOADON_BURST_THRESHOLD", "200", "pending downloads across running imports above which new tasks go to HOADON_BURST_DOWNLOAD_URL (back below half of it)"},
	{"HOADON_DELIVER_URL", "", "URL of the deliver function (default HOADON_FUNCTIONS_URL/deliver)"},
	{"HOADON_TASKS_SERVICE_ACCOUNT", "", "service account whose OIDC token tasks carry"},
	{"HOADON_ENCRYPTION_KEY", "", "32-byte key (hex or base64) sealing stored passwords and tokens"},
	{"HOADON_ENCRYPTION_KEY_FILE", "", "file holding HOADON_ENCRYPTION_KEY (a mounted secret)"},
	{"HOADON_WEBHOOK_URLS", "", "comma-separated subscriber URLs every event is delivered to (https; loopback only with HOADON_LOCAL)"},
	{"HOADON_SIGNING_KEY_ID", "hoadon", "key id in the events' RFC 9421 signatures"},
	{"HOADON_SIGNING_ALG", "ed25519", "signature algorithm: ed25519 or hmac-sha256"},
	{"HOADON_SIGNING_KEY", "", "signing key (Ed25519 private key PEM/base64, or HMAC secret base64)"},
	{"HOADON_SIGNING_KEY_FILE", "", "file holding HOADON_SIGNING_KEY"},
	{"HOADON_DISCOVERY_CONCURRENCY", "2", "windows an import lists at once (as in the workflow): the company queue leaves them their portal slots while discovery runs"},
	{"HOADON_COMPANY_CONCURRENCY", "4", "parallel downloads per company (the portal account's allowance)"},
	{"HOADON_COMPANY_RATE", "4", "initial downloads per second per company"},
	{"HOADON_COMPANY_MAX_RATE", "10", "ceiling of the adaptive rate per company"},
	{"HOADON_TASKS_MAX_ATTEMPTS", "12", "deliveries of one download task before its invoice is recorded failed"},
	{"HOADON_TASKS_MIN_BACKOFF", "2s", "first retry delay of a download task (Go duration)"},
	{"HOADON_TASKS_MAX_BACKOFF", "5m", "longest retry delay of a download task (Go duration)"},
	{"HOADON_RATE_RAISE_EVERY", "20", "successful downloads per step up of a company's adaptive rate"},
	{"HOADON_BREAKER_COOLDOWN", "2m", "how long a company queue stays paused after consecutive portal failures (Go duration)"},
	{"HOADON_TRUSTED_CA_FILE", "", "PEM file of CA certificates invoice signatures must chain to; empty: chains not checked"},
	{"HOADON_GEMINI_PROJECT", "", "Vertex AI project for the captcha fallback; empty disables it"},
	{"HOADON_GEMINI_LOCATION", "us-central1", "Vertex AI location"},
	{"HOADON_GEMINI_MODEL", "gemini-2.5-flash", "model for the captcha fallback"},
	{"HOADON_GEMINI_URL", "", "Vertex AI base URL override (the local fake)"},
	{"HOADON_LOCAL", "false", "local mode: allows loopback webhook URLs and HOADON_AUTH=off"},
	{"HOADON_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"HOADON_METRICS_EXPORT", "", "where the operational metrics go besides a local server's GET /metrics: cloud (Cloud Monitoring; the default) or none (the default with HOADON_LOCAL=true)"},
	{"HOADON_METRICS_INTERVAL", "60s", "how often metrics are exported to Cloud Monitoring (Go duration, at least 10s)"},
	{"HOADON_INSTANCE", "", "name of this process in login leases (default host name and pid)"},
	{"HOADON_AUTH", "required", "required: the API needs a key or ID token and internal functions an OIDC token; off: no checks (only with HOADON_LOCAL=true)"},
	{"HOADON_OIDC_ISSUER", "https://accounts.google.com", "issuer of the ID tokens internal callers and API principals present"},
	{"HOADON_INTERNAL_PRINCIPALS", "", "comma-separated service accounts allowed to call internal functions (Workflows, Cloud Tasks, Scheduler)"},
	{"HOADON_INTERNAL_AUDIENCES", "", "comma-separated URLs internal tokens may be minted for (default: HOADON_FUNCTIONS_URL, the download and deliver URLs; HOADON_BURST_DOWNLOAD_URL is always added)"},
	{"HOADON_API_PRINCIPALS", "", "comma-separated Google accounts allowed to call the task API with an ID token (API keys always work)"},
	{"HOADON_API_AUDIENCE", "", "audience of the task API's ID tokens (its URL)"},
	{"HOADON_API_URL", "", "task API base URL for the CLI (default HOADON_FUNCTIONS_URL, else http://127.0.0.1:8080)"},
	{"HOADON_API_KEY", "", "API key the CLI sends as X-API-Key"},
}

// Config is the validated configuration.
type Config struct {
	Project, Location, Bucket string
	GDTBaseURL, GDTProxy      string
	GDTRequireTTXLY           bool
	TasksEndpoint             string
	WorkflowsEndpoint         string
	Workflow                  string
	DownloadURL, DeliverURL   string
	TasksServiceAccount       string
	EncryptionKey             []byte
	Webhooks                  []string
	SigningKeyID, SigningAlg  string
	SigningKey                string
	CompanyConcurrency        int
	CompanyRate, CompanyMax   float64
	TasksMaxAttempts          int
	TasksMinBackoff           time.Duration
	TasksMaxBackoff           time.Duration
	RateRaiseEvery            int
	BreakerCooldown           time.Duration
	GeminiProject             string
	GeminiLocation            string
	GeminiModel, GeminiURL    string
	TrustedCAFile             string
	DiscoveryConcurrency      int
	BurstDownloadURL          string
	BurstThreshold            int
	Local                     bool
	AuthOff                   bool
	OIDCIssuer                string
	InternalPrincipals        []string
	InternalAudiences         []string
	APIPrincipals             []string
	APIAudience               string
	LogLevel                  string
	Instance                  string
	MetricsCloud              bool // export metrics to Cloud Monitoring
	MetricsInterval           time.Duration
}

// FromEnv reads the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Load reads the configuration through getenv and validates it.
func Load(getenv func(string) string) (Config, error) {
	e := env{get: getenv}
	c := Config{
		Project: e.str("HOADON_PROJECT"), Location: e.str("HOADON_LOCATION"), Bucket: e.str("HOADON_BUCKET"),
		GDTBaseURL: e.str("HOADON_GDT_BASE_URL"), GDTProxy: e.str("HOADON_GDT_PROXY"), GDTRequireTTXLY: e.boolean("HOADON_GDT_REQUIRE_TTXLY"),
		TasksEndpoint: e.str("HOADON_TASKS_ENDPOINT"), WorkflowsEndpoint: e.str("HOADON_WORKFLOWS_ENDPOINT"), Workflow: e.str("HOADON_WORKFLOW"),
		DownloadURL: e.str("HOADON_DOWNLOAD_URL"), DeliverURL: e.str("HOADON_DELIVER_URL"),
		TasksServiceAccount: e.str("HOADON_TASKS_SERVICE_ACCOUNT"),
		SigningKeyID:        e.str("HOADON_SIGNING_KEY_ID"), SigningAlg: e.str("HOADON_SIGNING_ALG"), SigningKey: e.secret("HOADON_SIGNING_KEY"),
		CompanyConcurrency: e.integer("HOADON_COMPANY_CONCURRENCY"), CompanyRate: e.float("HOADON_COMPANY_RATE"), CompanyMax: e.float("HOADON_COMPANY_MAX_RATE"),
		TasksMaxAttempts: e.integer("HOADON_TASKS_MAX_ATTEMPTS"), TasksMinBackoff: e.duration("HOADON_TASKS_MIN_BACKOFF"),
		TasksMaxBackoff: e.duration("HOADON_TASKS_MAX_BACKOFF"), RateRaiseEvery: e.integer("HOADON_RATE_RAISE_EVERY"),
		BreakerCooldown: e.duration("HOADON_BREAKER_COOLDOWN"),
		GeminiProject:   e.str("HOADON_GEMINI_PROJECT"), GeminiLocation: e.str("HOADON_GEMINI_LOCATION"),
		GeminiModel: e.str("HOADON_GEMINI_MODEL"), GeminiURL: e.str("HOADON_GEMINI_URL"),
		TrustedCAFile: e.str("HOADON_TRUSTED_CA_FILE"),
		Local:         e.boolean("HOADON_LOCAL"), LogLevel: e.str("HOADON_LOG_LEVEL"), Instance: e.str("HOADON_INSTANCE"),
	}
	if c.Project == "" {
		c.Project = getenv("GOOGLE_CLOUD_PROJECT")
	}
	if base := strings.TrimSuffix(e.str("HOADON_FUNCTIONS_URL"), "/"); base != "" {
		c.DownloadURL = orDefault(c.DownloadURL, base+"/download")
		c.DeliverURL = orDefault(c.DeliverURL, base+"/deliver")
	}
	if k := e.secret("HOADON_ENCRYPTION_KEY"); k != "" {
		key, err := secret.ParseKey(k)
		if err != nil {
			e.fail("HOADON_ENCRYPTION_KEY: %s", hoadon.ErrorMessage(err))
		}
		c.EncryptionKey = key
	}
	for _, u := range strings.Split(e.str("HOADON_WEBHOOK_URLS"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.Webhooks = append(c.Webhooks, u)
		}
	}
	c.DiscoveryConcurrency = e.integer("HOADON_DISCOVERY_CONCURRENCY")
	c.BurstDownloadURL, c.BurstThreshold = e.str("HOADON_BURST_DOWNLOAD_URL"), e.integer("HOADON_BURST_THRESHOLD")
	c.OIDCIssuer, c.APIAudience = e.str("HOADON_OIDC_ISSUER"), e.str("HOADON_API_AUDIENCE")
	c.InternalPrincipals, c.APIPrincipals = list(e.str("HOADON_INTERNAL_PRINCIPALS")), list(e.str("HOADON_API_PRINCIPALS"))
	c.InternalAudiences = list(e.str("HOADON_INTERNAL_AUDIENCES"))
	if len(c.InternalAudiences) == 0 {
		c.InternalAudiences = list(strings.Join([]string{e.str("HOADON_FUNCTIONS_URL"), c.DownloadURL, c.DeliverURL}, ","))
	}
	// Burst download tasks carry the burst service's URL as their audience
	// (shared/queue): the service receiving them must accept it.
	if c.BurstDownloadURL != "" && !slices.Contains(c.InternalAudiences, c.BurstDownloadURL) {
		c.InternalAudiences = append(c.InternalAudiences, c.BurstDownloadURL)
	}
	switch a := e.str("HOADON_AUTH"); a {
	case "required":
	case "off":
		c.AuthOff = true
		if !c.Local {
			e.fail("HOADON_AUTH=off is refused unless HOADON_LOCAL=true: it opens the task API and the internal functions to anyone who can reach them")
		}
	default:
		e.fail("HOADON_AUTH must be required or off, not %q", a)
	}
	c.MetricsCloud, c.MetricsInterval = metricsExport(&e, c.Local), e.duration("HOADON_METRICS_INTERVAL")
	if c.Instance == "" {
		host, _ := os.Hostname()
		c.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	c.validate(&e)
	if e.err != nil {
		return Config{}, e.err
	}
	return c, nil
}

// metricsExport reads HOADON_METRICS_EXPORT: cloud by default, none in local mode.
func metricsExport(e *env, local bool) bool {
	switch m := e.str("HOADON_METRICS_EXPORT"); m {
	case "":
		return !local
	case "cloud":
		return true
	case "none":
		return false
	default:
		e.fail("HOADON_METRICS_EXPORT must be cloud or none, not %q", m)
		return false
	}
}

// list splits a comma-separated value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// validate checks what a pipeline process needs. The CLI reads the same
// configuration but needs less; it checks its own needs.
func (c *Config) validate(e *env) {
	for _, u := range c.Webhooks {
		if err := CheckWebhookURL(u, c.Local); err != nil {
			e.fail("HOADON_WEBHOOK_URLS: %v", err)
		}
	}
	if _, err := url.Parse(c.GDTBaseURL); err != nil {
		e.fail("HOADON_GDT_BASE_URL: %v", err)
	}
	if c.CompanyConcurrency < 1 || c.CompanyConcurrency > 100 {
		e.fail("HOADON_COMPANY_CONCURRENCY must be 1..100")
	}
	if c.CompanyRate <= 0 || c.CompanyMax < c.CompanyRate {
		e.fail("HOADON_COMPANY_RATE must be > 0 and ≤ HOADON_COMPANY_MAX_RATE")
	}
	if c.TasksMaxAttempts < 1 || c.TasksMinBackoff <= 0 || c.TasksMaxBackoff < c.TasksMinBackoff {
		e.fail("HOADON_TASKS_MAX_ATTEMPTS must be ≥ 1 and 0 < HOADON_TASKS_MIN_BACKOFF ≤ HOADON_TASKS_MAX_BACKOFF")
	}
	if c.RateRaiseEvery < 1 || c.BreakerCooldown <= 0 {
		e.fail("HOADON_RATE_RAISE_EVERY must be ≥ 1 and HOADON_BREAKER_COOLDOWN > 0")
	}
	if c.MetricsCloud && c.MetricsInterval < 10*time.Second {
		e.fail("HOADON_METRICS_INTERVAL must be at least 10s (Cloud Monitoring takes a point per series every 5 s at most)")
	}
	if c.SigningAlg != "ed25519" && c.SigningAlg != "hmac-sha256" {
		e.fail("HOADON_SIGNING_ALG must be ed25519 or hmac-sha256")
	}
}

// CheckWebhookURL allows https URLs, and http to loopback addresses in local
// mode only: events must not travel in clear over a network.
func CheckWebhookURL(raw string, local bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && local && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%q: webhooks must use https (http only to loopback with HOADON_LOCAL=true)", raw)
	}
	return fmt.Errorf("%q: unsupported scheme %q", raw, u.Scheme)
}

// isLoopback accepts loopback IP literals only: a name (even "localhost" or
// "127.0.0.1.evil.example") resolves to whatever DNS says.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// env reads variables with defaults from Vars and collects the first error.
type env struct {
	get func(string) string
	err error
}

func (e *env) fail(format string, args ...any) {
	if e.err == nil {
		e.err = hoadon.Errorf(hoadon.CodeInvalid, "config: "+format, args...)
	}
}

func (e *env) str(name string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	panic("config: undocumented variable " + name) // a programming error, caught by tests
}

// secret reads NAME or the file named by NAME_FILE.
func (e *env) secret(name string) string {
	if v := e.str(name); v != "" {
		return v
	}
	path := e.str(name + "_FILE")
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		e.fail("%s_FILE: %v", name, err)
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (e *env) boolean(name string) bool {
	b, err := strconv.ParseBool(e.str(name))
	if err != nil {
		e.fail("%s: want true or false", name)
	}
	return b
}

func (e *env) integer(name string) int {
	n, err := strconv.Atoi(e.str(name))
	if err != nil {
		e.fail("%s: want an integer", name)
	}
	return n
}

func (e *env) duration(name string) time.Duration {
	d, err := time.ParseDuration(e.str(name))
	if err != nil {
		e.fail("%s: want a duration such as 500ms or 2m", name)
	}
	return d
}

func (e *env) float(name string) float64 {
	f, err := strconv.ParseFloat(e.str(name), 64)
	if err != nil {
		e.fail("%s: want a number", name)
	}
	return f
}
