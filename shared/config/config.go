// Package config reads the configuration of the server, the functions and
// the CLI from environment variables with one prefix, HOADON_ (plus the
// Google-standard emulator variables the client libraries read themselves).
//
// Each component declares its own settings once, as tags on its
// configuration's fields (shared/settings): Config holds the deployment's
// and nests those of shared/queue and shared/throttle; shared/sink and
// shared/client, which read their own, declare theirs in a table. Settings lists them all; the README's configuration
// table is generated from that list (go generate) and the Terraform checks
// read it.
package config

//go:generate go run ./internal/readme ../../README.md

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/settings"
	"github.com/hoadon/hoadon/shared/sink"
	"github.com/hoadon/hoadon/shared/throttle"
)

// Config is the validated configuration. Tagged fields are read from the
// environment (shared/settings); the others are derived by Load.
type Config struct {
	Project         string `env:"HOADON_PROJECT" help:"Google Cloud project id (falls back to GOOGLE_CLOUD_PROJECT)"`
	Location        string `env:"HOADON_LOCATION" default:"asia-southeast1" help:"region of the queues and the workflow"`
	Bucket          string `env:"HOADON_BUCKET" help:"GCS bucket for invoice files and import reports"`
	GDTBaseURL      string `env:"HOADON_GDT_BASE_URL" default:"https://hoadondientu.gdt.gov.vn/api" help:"portal base URL including its prefix (legacy: https://hoadondientu.gdt.gov.vn:30000)"`
	GDTProxy        string `env:"HOADON_GDT_PROXY" help:"HTTP proxy for portal calls (the portal may refuse foreign IPs)"`
	GDTRequireTTXLY bool   `env:"HOADON_GDT_REQUIRE_TTXLY" default:"false" help:"list purchase invoices per ttxly value (5, 6, 8)"`

	TasksEndpoint     string `env:"HOADON_TASKS_ENDPOINT" help:"Cloud Tasks emulator host:port; empty uses Google"`
	WorkflowsEndpoint string `env:"HOADON_WORKFLOWS_ENDPOINT" help:"Workflows emulator host:port; empty uses Google"`
	Workflow          string `env:"HOADON_WORKFLOW" default:"invoice_import" help:"workflow id that runs an import"`

	FunctionsURL     string `env:"HOADON_FUNCTIONS_URL" help:"base URL serving every function at /<name> (the VM or local server)"`
	DownloadURL      string `env:"HOADON_DOWNLOAD_URL" help:"URL of the download function (default HOADON_FUNCTIONS_URL/download)"`
	BurstDownloadURL string `env:"HOADON_BURST_DOWNLOAD_URL" help:"hybrid mode: serverless download function that takes new download tasks while the backlog is high"`
	BurstThreshold   int    `env:"HOADON_BURST_THRESHOLD" default:"200" help:"pending downloads across running imports above which new tasks go to HOADON_BURST_DOWNLOAD_URL (back below half of it)"`
	DeliverURL       string `env:"HOADON_DELIVER_URL" help:"URL of the deliver function (default HOADON_FUNCTIONS_URL/deliver)"`

	EncryptionKey Key      `env:"HOADON_ENCRYPTION_KEY,file" help:"32-byte key (hex or base64) sealing stored passwords and tokens"`
	Webhooks      []string `env:"HOADON_WEBHOOK_URLS" help:"comma-separated subscriber URLs every event is delivered to (https; loopback only with HOADON_LOCAL)"`
	SigningKeyID  string   `env:"HOADON_SIGNING_KEY_ID" default:"hoadon" help:"key id in the events' RFC 9421 signatures"`
	SigningAlg    string   `env:"HOADON_SIGNING_ALG" default:"ed25519" help:"signature algorithm: ed25519 or hmac-sha256"`
	SigningKey    string   `env:"HOADON_SIGNING_KEY,file" help:"signing key (Ed25519 private key PEM/base64, or HMAC secret base64)"`

	DiscoveryConcurrency int `env:"HOADON_DISCOVERY_CONCURRENCY" default:"2" help:"windows an import lists at once (set the workflow's variable of the same name alike): the company queue leaves them their portal slots while discovery runs"`
	// Queue and Throttle declare their own settings; Load fills Queue's
	// Project, Location and InitialRate from the ones here and Throttle's.
	Queue    queue.Config
	Throttle throttle.Config

	TrustedCAFile string `env:"HOADON_TRUSTED_CA_FILE" help:"PEM file of CA certificates invoice signatures must chain to, read by the server (every download verifies the stored invoice's signatures against it; Terraform: trusted_ca) and by hoadon xml verify; empty: chain not_checked"`

	GeminiProject  string `env:"HOADON_GEMINI_PROJECT" help:"Vertex AI project for the captcha fallback; empty disables it"`
	GeminiLocation string `env:"HOADON_GEMINI_LOCATION" default:"us-central1" help:"Vertex AI location"`
	GeminiModel    string `env:"HOADON_GEMINI_MODEL" default:"gemini-2.5-flash" help:"model for the captcha fallback"`
	GeminiURL      string `env:"HOADON_GEMINI_URL" help:"Vertex AI base URL override (the local fake)"`

	Local    bool   `env:"HOADON_LOCAL" default:"false" help:"local mode: allows loopback webhook URLs and HOADON_AUTH=off"`
	LogLevel string `env:"HOADON_LOG_LEVEL" default:"info" help:"debug, info, warn or error"`
	Instance string `env:"HOADON_INSTANCE" help:"name of this process in login leases (default host name and pid)"`

	MetricsExport   string        `env:"HOADON_METRICS_EXPORT" help:"where the operational metrics go besides a local server's GET /metrics: cloud (Cloud Monitoring; the default) or none (the default with HOADON_LOCAL=true)"`
	MetricsCloud    bool          // export metrics to Cloud Monitoring (HOADON_METRICS_EXPORT)
	MetricsInterval time.Duration `env:"HOADON_METRICS_INTERVAL" default:"60s" help:"how often metrics are exported to Cloud Monitoring (Go duration, at least 10s)"`

	Auth               string   `env:"HOADON_AUTH" default:"required" help:"required: the API needs a key or ID token and internal functions an OIDC token; off: no checks (only with HOADON_LOCAL=true)"`
	AuthOff            bool     // HOADON_AUTH=off
	OIDCIssuer         string   `env:"HOADON_OIDC_ISSUER" default:"https://accounts.google.com" help:"issuer of the ID tokens internal callers and API principals present"`
	InternalPrincipals []string `env:"HOADON_INTERNAL_PRINCIPALS" help:"comma-separated service accounts allowed to call internal functions (Workflows, Cloud Tasks, Scheduler)"`
	InternalAudiences  []string `env:"HOADON_INTERNAL_AUDIENCES" help:"comma-separated URLs internal tokens may be minted for, a function's URL under one of them (default: HOADON_FUNCTIONS_URL, the download and deliver URLs; HOADON_BURST_DOWNLOAD_URL is always added)"`
	APIPrincipals      []string `env:"HOADON_API_PRINCIPALS" help:"comma-separated Google accounts allowed to call the task API with an ID token (API keys always work); email or email=tenant:role[:MST+MST]"`
	APIAudience        string   `env:"HOADON_API_AUDIENCE" help:"audience of the task API's ID tokens (its URL)"`
}

// Key is the encryption key, parsed from hex or base64 (secret.ParseKey).
type Key []byte

// UnmarshalText parses a key.
func (k *Key) UnmarshalText(b []byte) error {
	key, err := secret.ParseKey(string(b))
	*k = key
	return err
}

// String keeps the key out of logs and test output.
func (k Key) String() string { return fmt.Sprintf("[%d-byte key]", len(k)) }

// Settings lists every setting of the system: the ones Load reads (this
// package's, shared/queue's and shared/throttle's), the event sink's
// (shared/sink) and the CLI's (shared/client).
func Settings() []settings.Setting {
	return slices.Concat(settings.List(&Config{}), sink.Settings, client.Settings)
}

// FromEnv reads the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Load reads the configuration through getenv and validates it.
func Load(getenv func(string) string) (Config, error) {
	c := Config{Queue: queue.DefaultConfig(), Throttle: throttle.DefaultConfig()}
	if err := settings.Read(&c, getenv); err != nil {
		return Config{}, err
	}
	c.derive(getenv)
	if err := c.validate(); err != nil {
		return Config{}, hoadon.Errorf(hoadon.CodeInvalid, "config: %s", err)
	}
	return c, nil
}

// derive fills what other settings imply.
func (c *Config) derive(getenv func(string) string) {
	if c.Project == "" {
		c.Project = getenv("GOOGLE_CLOUD_PROJECT")
	}
	if base := strings.TrimSuffix(c.FunctionsURL, "/"); base != "" {
		c.DownloadURL = orDefault(c.DownloadURL, base+"/download")
		c.DeliverURL = orDefault(c.DeliverURL, base+"/deliver")
	}
	if len(c.InternalAudiences) == 0 {
		c.InternalAudiences = slices.DeleteFunc([]string{c.FunctionsURL, c.DownloadURL, c.DeliverURL},
			func(s string) bool { return s == "" })
	}
	// Burst download tasks carry the burst service's URL as their audience
	// (shared/queue): the service receiving them must accept it.
	if c.BurstDownloadURL != "" && !slices.Contains(c.InternalAudiences, c.BurstDownloadURL) {
		c.InternalAudiences = append(c.InternalAudiences, c.BurstDownloadURL)
	}
	c.AuthOff = c.Auth == "off"
	c.MetricsCloud = c.MetricsExport == "cloud" || (c.MetricsExport == "" && !c.Local)
	if c.Instance == "" {
		host, _ := os.Hostname()
		c.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	c.Queue.Project, c.Queue.Location = c.Project, c.Location
	c.Queue.InitialRate = c.Throttle.InitialRate
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// validate checks what a pipeline process needs. The CLI reads the same
// configuration but needs less; it checks its own needs.
func (c *Config) validate() error {
	switch c.Auth {
	case "required":
	case "off":
		if !c.Local {
			return fmt.Errorf("HOADON_AUTH=off is refused unless HOADON_LOCAL=true: it opens the task API and the internal functions to anyone who can reach them")
		}
	default:
		return fmt.Errorf("HOADON_AUTH must be required or off, not %q", c.Auth)
	}
	if c.MetricsExport != "" && c.MetricsExport != "cloud" && c.MetricsExport != "none" {
		return fmt.Errorf("HOADON_METRICS_EXPORT must be cloud or none, not %q", c.MetricsExport)
	}
	for _, u := range c.Webhooks {
		if err := CheckWebhookURL(u, c.Local); err != nil {
			return fmt.Errorf("HOADON_WEBHOOK_URLS: %v", err)
		}
	}
	if _, err := url.Parse(c.GDTBaseURL); err != nil {
		return fmt.Errorf("HOADON_GDT_BASE_URL: %v", err)
	}
	if err := c.Queue.Check(); err != nil {
		return err
	}
	if err := c.Throttle.Check(); err != nil {
		return err
	}
	if c.MetricsCloud && c.MetricsInterval < 10*time.Second {
		return fmt.Errorf("HOADON_METRICS_INTERVAL must be at least 10s (Cloud Monitoring takes a point per series every 5 s at most)")
	}
	if c.SigningAlg != "ed25519" && c.SigningAlg != "hmac-sha256" {
		return fmt.Errorf("HOADON_SIGNING_ALG must be ed25519 or hmac-sha256")
	}
	return nil
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
