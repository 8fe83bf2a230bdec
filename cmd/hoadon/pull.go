package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/pull"
	"github.com/hoadon/hoadon/shared/throttle"
)

func init() {
	register(command{
		words: "pull",
		usage: "--username MST (--password-file FILE | --password-env VAR) --from DATE --to DATE " +
			"[--flows LIST] [--out DIR] [--concurrency N] [--base-url URL | --legacy] [--proxy URL] " +
			"[--ca-file PEM] [--timeout D] [--spacing D] [--require-ttxly] [--repeat-walks N] [--skip-no-dossier] [--verbose]",
		summary: "download a period's invoice XML straight from the portal into a folder (no cloud)",
		run:     runPull,
	})
}

// pullFlags are the command line of `hoadon pull`. The password is only
// ever read from a file or an environment variable, never from argv (argv
// is visible to every user of the machine).
type pullFlags struct {
	baseURL, username, passwordFile, passwordEnv string
	from, to, flows, out, proxy, caFile          string
	concurrency, repeatWalks                     int
	timeout                                      time.Duration
	spacing                                      string
	legacy, requireTTXLY, verbose, skipNoDossier bool
}

func parsePullFlags(args []string, stderr io.Writer) (*pullFlags, error) {
	f := &pullFlags{}
	fs := newFlags("pull", stderr)
	fs.StringVar(&f.baseURL, "base-url", "", "portal API base including its prefix (default "+gdt.DefaultBaseURL+")")
	fs.BoolVar(&f.legacy, "legacy", false, "use the legacy layout "+gdt.LegacyBaseURL+" (no /api prefix)")
	fs.StringVar(&f.username, "username", "", "portal login, normally the company MST")
	fs.StringVar(&f.passwordFile, "password-file", "", "file holding the portal password (first line)")
	fs.StringVar(&f.passwordEnv, "password-env", "", "name of the environment variable holding the portal password")
	fs.StringVar(&f.from, "from", "", "first day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	fs.StringVar(&f.to, "to", "", "last day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	fs.StringVar(&f.flows, "flows", "", "comma-separated flows (default all: "+flowList()+")")
	fs.StringVar(&f.out, "out", "hoadon-out", "output directory")
	fs.IntVar(&f.concurrency, "concurrency", 3, "parallel XML downloads")
	fs.DurationVar(&f.timeout, "timeout", gdt.DefaultTimeout, "timeout of one portal request (XML downloads get twice this)")
	fs.StringVar(&f.spacing, "spacing", "auto", "least gap between request starts, the ceiling of the adaptive rate, e.g. 500ms (auto: 300ms for the real portal, 0 otherwise)")
	fs.StringVar(&f.proxy, "proxy", "", "HTTP(S) proxy URL for portal traffic")
	fs.StringVar(&f.caFile, "ca-file", "", "extra PEM CA certificates to trust for the portal")
	fs.IntVar(&f.repeatWalks, "repeat-walks", 0, "walk each list window up to N more times while walks find missed rows")
	fs.BoolVar(&f.requireTTXLY, "require-ttxly", false, "list purchase invoices per ttxly value (5, 6, 8)")
	fs.BoolVar(&f.skipNoDossier, "skip-no-dossier", false, "do not ask for XML of rows without hsgoc (saves requests)")
	fs.BoolVar(&f.verbose, "verbose", false, "log every unavailable invoice and retry reason")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return f, nil
}

func flowList() string {
	s := make([]string, len(hoadon.AllFlows))
	for i, f := range hoadon.AllFlows {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func runPull(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parsePullFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := f.config(stderr)
	if err != nil {
		return err
	}
	flows := flowList()
	if len(cfg.Flows) > 0 {
		names := make([]string, len(cfg.Flows))
		for i, fl := range cfg.Flows {
			names[i] = string(fl)
		}
		flows = strings.Join(names, ",")
	}
	fmt.Fprintf(stderr, "pull: %s %s..%s [%s] → %s\n", cfg.Username, cfg.From, cfg.To, flows, cfg.OutDir)
	sum, err := pull.Run(ctx, cfg)
	fmt.Fprintf(stdout, "pull: %s\n", sum)
	if err != nil {
		return err
	}
	if !sum.OK() {
		return fmt.Errorf("%d invoices failed and %d list errors (run again to retry; stored files are kept)", sum.Failed, sum.ListErrors)
	}
	return nil
}

// config turns the flags into a pull.Config with a ready client.
func (f *pullFlags) config(stderr io.Writer) (pull.Config, error) {
	if f.username == "" || f.from == "" || f.to == "" {
		return pull.Config{}, fmt.Errorf("%w: --username, --from and --to are required", errUsage)
	}
	password, err := f.password()
	if err != nil {
		return pull.Config{}, err
	}
	from, err := parseDay(f.from, false)
	if err != nil {
		return pull.Config{}, fmt.Errorf("%w: --from: %v", errUsage, err)
	}
	to, err := parseDay(f.to, true)
	if err != nil {
		return pull.Config{}, fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	var flows []hoadon.Flow
	if f.flows != "" {
		parsed, err := hoadon.ParseFlows(strings.Split(f.flows, ","))
		if err != nil {
			return pull.Config{}, fmt.Errorf("%w: --flows: %v", errUsage, err)
		}
		flows = parsed
	}
	client, base, err := f.client()
	if err != nil {
		return pull.Config{}, err
	}
	spacing, err := f.spacingFor(base)
	if err != nil {
		return pull.Config{}, err
	}

	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	}
	return pull.Config{
		Client: client, Username: f.username, Password: password, Solver: captcha.NewTable(),
		From: from, To: to, Flows: flows, OutDir: f.out, Concurrency: f.concurrency,
		Throttle: policyFor(spacing), Progress: stderr,
		SkipNoDossier: f.skipNoDossier,
		Logger:        slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}, nil
}

func (f *pullFlags) password() (string, error) {
	switch {
	case f.passwordFile != "" && f.passwordEnv != "":
		return "", fmt.Errorf("%w: give --password-file or --password-env, not both", errUsage)
	case f.passwordFile != "":
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return "", fmt.Errorf("read password file: %w", err)
		}
		p, _, _ := strings.Cut(string(b), "\n")
		if p = strings.TrimRight(p, "\r"); p == "" {
			return "", fmt.Errorf("password file %s is empty", f.passwordFile)
		}
		return p, nil
	case f.passwordEnv != "":
		p := os.Getenv(f.passwordEnv)
		if p == "" {
			return "", fmt.Errorf("environment variable %s is empty or unset", f.passwordEnv)
		}
		return p, nil
	}
	return "", fmt.Errorf("%w: --password-file or --password-env is required (never the password itself)", errUsage)
}

// client builds the portal client from --base-url/--legacy/--proxy/--ca-file.
func (f *pullFlags) client() (*gdt.Client, string, error) {
	base := f.baseURL
	switch {
	case f.legacy && base != "":
		return nil, "", fmt.Errorf("%w: --legacy and --base-url exclude each other", errUsage)
	case f.legacy:
		base = gdt.LegacyBaseURL
	case base == "":
		base = gdt.DefaultBaseURL
	}
	cfg := gdt.Config{BaseURL: base, Timeout: f.timeout, ExportTimeout: 2 * f.timeout, RequireTTXLY: f.requireTTXLY,
		RepeatWalks: f.repeatWalks}
	if f.proxy != "" {
		u, err := url.Parse(f.proxy)
		if err != nil || u.Host == "" {
			return nil, "", fmt.Errorf("%w: --proxy %q is not a URL", errUsage, f.proxy)
		}
		cfg.Proxy = u
	}
	if f.caFile != "" {
		pool, err := caPool(f.caFile)
		if err != nil {
			return nil, "", err
		}
		cfg.RootCAs = pool
	}
	c, err := gdt.New(cfg)
	return c, base, err
}

func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", file)
	}
	return pool, nil
}

// unpaced is the request rate of a pull with no spacing: in effect no
// pacing until the portal throttles, when the rate policy halves it.
const unpaced = 1000

// policyFor is a pull's rate policy: the pipeline's (shared/throttle),
// its rate capped at one request start per spacing.
func policyFor(spacing time.Duration) throttle.Config {
	p := throttle.DefaultConfig()
	if spacing == 0 {
		p.InitialRate, p.MaxRate = unpaced, unpaced
		return p
	}
	p.MaxRate = float64(time.Second) / float64(spacing)
	p.InitialRate, p.MinRate = min(p.InitialRate, p.MaxRate), min(p.MinRate, p.MaxRate)
	return p
}

// spacingFor paces the real portal (which rate-limits hard, §8) unless the
// user chose a spacing; simulators and proxies of one's own need none. The
// spacing is the ceiling of the account's rate policy (shared/throttle).
func (f *pullFlags) spacingFor(base string) (time.Duration, error) {
	if f.spacing != "auto" {
		d, err := time.ParseDuration(f.spacing)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%w: --spacing %q: want a duration such as 300ms, or auto", errUsage, f.spacing)
		}
		return d, nil
	}
	if u, err := url.Parse(base); err == nil && u.Hostname() == "hoadondientu.gdt.gov.vn" {
		return 300 * time.Millisecond, nil
	}
	return 0, nil
}

// parseDay reads YYYY-MM-DD, or YYYY-MM meaning the month's first day (or
// last day when end is set).
func parseDay(s string, end bool) (hoadon.Date, error) {
	if len(s) == len("2006-01") {
		t, err := time.ParseInLocation("2006-01", s, hoadon.VietnamZone)
		if err != nil {
			return hoadon.Date{}, fmt.Errorf("%q: want YYYY-MM-DD or YYYY-MM", s)
		}
		if end {
			t = t.AddDate(0, 1, -1)
		}
		return hoadon.Date{Time: t}, nil
	}
	return hoadon.ParseDate(s)
}
