package gdt

import (
	"errors"
	"fmt"
	"time"
)

// Options configures a simulator. Start from DefaultOptions and change the
// knobs a test or benchmark cares about; zero values of the optional knobs
// mean "off".
type Options struct {
	// Addr is where Start listens (default "127.0.0.1:0", a free port).
	Addr string
	// LegacyAddr, when set, makes Start open a second listener serving the
	// legacy ":30000" layout, mimicking the old portal port.
	LegacyAddr string

	// Seed makes the generated companies and invoices reproducible.
	Seed int64
	// Companies is how many portal accounts exist; company 0 is the demo
	// company used by `make run`.
	Companies int
	// InvoicesPerMonth is the number of invoices per company, calendar month
	// and flow (sold/purchase × e-invoice/cash register).
	InvoicesPerMonth int
	// DossierlessShare is the share of e-invoices (query family) without an
	// original dossier (hsgoc null), whose export-xml answers 500.
	DossierlessShare float64
	// RelatedShare is the share of invoices issued as replacements or
	// adjustments of an earlier invoice of the same month.
	RelatedShare float64
	// TamperedSignatureShare is the share of signed invoices whose XML is
	// altered after signing (the buyer's name), so the seller's signature no
	// longer verifies (see SignatureState). Cash-register invoices are served
	// without a seller signature regardless.
	TamperedSignatureShare float64

	// CaptchaTTL is how long a captcha key can be used (default 3 min).
	CaptchaTTL time.Duration
	// TokenTTL is the JWT lifetime, exp−iat (default 24 h, as observed).
	TokenTTL time.Duration
	// LockoutThreshold locks an account after this many consecutive wrong
	// passwords; 0 disables lock-out.
	LockoutThreshold int
	// RequireRequestID enables the WAF rule that blocks requests without a
	// request-id header (DefaultOptions turns it on, as on the real portal
	// since 2026-09; the zero Options leave it off).
	RequireRequestID bool
	// WAFHTMLReject answers WAF blocks with the HTML "Request Rejected" page
	// and status 200 instead of the 403 JSON.
	WAFHTMLReject bool

	// Latency is added to every portal request except export-xml.
	Latency Latency
	// ExportLatency is added to export-xml requests, separately so
	// benchmarks can fix the cost of a download.
	ExportLatency Latency
	// Limits are the per-account rate and concurrency limits (429s).
	Limits Limits
	// Faults are injected errors; they can also be changed at run time with
	// (*Simulator).SetFaults.
	Faults FaultOptions

	// Now is the clock for tokens and captchas (default time.Now); tests
	// replace it to expire things without sleeping.
	Now func() time.Time
}

// Latency is a uniform delay distribution; Min == Max gives a fixed delay.
type Latency struct {
	Min, Max time.Duration
}

// Limits are per-account limits on authenticated data requests. Zero
// disables each limit.
type Limits struct {
	// MaxConcurrent caps in-flight data requests per account.
	MaxConcurrent int
	// RatePerSecond and Burst form a token bucket per account.
	RatePerSecond float64
	Burst         int
	// ConcurrencyRetryAfter is the Retry-After sent when MaxConcurrent is
	// exceeded (default 1 s).
	ConcurrencyRetryAfter time.Duration
}

// FaultOptions are failures injected into portal traffic, for fault tests.
type FaultOptions struct {
	// Down answers every portal request with 503 (the host being away).
	Down bool
	// DropShare is the share of requests whose connection is closed
	// without any response (like a reset).
	DropShare float64
	// ServerErrorShare is the share of data requests answered 502/503/504.
	ServerErrorShare float64
	// RateLimitShare is the share of data requests that start a 429 episode.
	RateLimitShare float64
	// RateLimitFor is how long such an episode blocks the account (every
	// request gets 429 until it ends); 0 means just the one response.
	RateLimitFor time.Duration
	// CorruptZipShare is the share of export-xml ZIPs sent truncated.
	CorruptZipShare float64
	// CorruptXMLShare is the share of export-xml ZIPs that are valid but
	// whose invoice.xml is cut in half (no longer well-formed XML). Every
	// corrupted answer is listed by (*Simulator).Corrupted.
	CorruptXMLShare float64
	// TotalJitter makes list `total` vary by up to ± this many rows per
	// page, like the real portal's unstable counts (§4.7).
	TotalJitter int
	// CursorSkipShare is the share of list pages whose `state` silently
	// skips the next row, reproducing the real cursor's occasional loss
	// (~0.6 % of rows; a client must repeat walks and union them).
	CursorSkipShare float64
	// SlowExport adds this latency to every export-xml answer on top of
	// ExportLatency, e.g. to keep an import running while a test acts.
	SlowExport Latency
}

// DefaultOptions returns a small, realistic, fault-free configuration.
func DefaultOptions() Options {
	return Options{
		Addr:             "127.0.0.1:0",
		Seed:             1,
		Companies:        3,
		InvoicesPerMonth: 20,
		DossierlessShare: 0.1,
		RelatedShare:     0.05,
		CaptchaTTL:       3 * time.Minute,
		TokenTTL:         24 * time.Hour,
		LockoutThreshold: 5,
		RequireRequestID: true,
		Limits:           Limits{ConcurrencyRetryAfter: time.Second},
	}
}

// maxInvoicesPerMonth keeps invoice numbers (month × count + seq) within
// the portal's 8 digits.
const maxInvoicesPerMonth = 100000

func (o *Options) fillDefaults() {
	d := DefaultOptions()
	if o.Addr == "" {
		o.Addr = d.Addr
	}
	if o.Companies == 0 {
		o.Companies = d.Companies
	}
	if o.CaptchaTTL == 0 {
		o.CaptchaTTL = d.CaptchaTTL
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = d.TokenTTL
	}
	if o.Limits.ConcurrencyRetryAfter == 0 {
		o.Limits.ConcurrencyRetryAfter = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func (o Options) validate() error {
	var errs []error
	if o.Companies < 1 || o.Companies > 100000 {
		errs = append(errs, fmt.Errorf("Companies %d: want 1..100000", o.Companies))
	}
	if o.InvoicesPerMonth < 0 || o.InvoicesPerMonth > maxInvoicesPerMonth {
		errs = append(errs, fmt.Errorf("InvoicesPerMonth %d: want 0..%d", o.InvoicesPerMonth, maxInvoicesPerMonth))
	}
	for name, v := range map[string]float64{
		"DossierlessShare": o.DossierlessShare, "RelatedShare": o.RelatedShare, "TamperedSignatureShare": o.TamperedSignatureShare,
		"DropShare": o.Faults.DropShare, "ServerErrorShare": o.Faults.ServerErrorShare,
		"RateLimitShare": o.Faults.RateLimitShare, "CorruptZipShare": o.Faults.CorruptZipShare,
		"CorruptXMLShare": o.Faults.CorruptXMLShare,
		"CursorSkipShare": o.Faults.CursorSkipShare,
	} {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Errorf("%s %v: want 0..1", name, v))
		}
	}
	for name, l := range map[string]Latency{"Latency": o.Latency, "ExportLatency": o.ExportLatency} {
		if l.Min < 0 || l.Max < l.Min {
			errs = append(errs, fmt.Errorf("%s %v..%v: want 0 <= min <= max", name, l.Min, l.Max))
		}
	}
	if o.Limits.MaxConcurrent < 0 || o.Limits.RatePerSecond < 0 || o.Limits.Burst < 0 || o.LockoutThreshold < 0 || o.Faults.TotalJitter < 0 {
		errs = append(errs, errors.New("limits and lock-out threshold must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("gdt.Options: %w", err)
	}
	return nil
}
