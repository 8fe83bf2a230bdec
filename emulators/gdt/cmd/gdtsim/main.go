// Command gdtsim runs the GDT portal simulator standalone:
//
//	go run ./emulators/gdt/cmd/gdtsim --addr 127.0.0.1:8088 --seed 7
//
// It serves /api/<path> and the legacy /<path> layout on --addr (and the
// legacy layout on --legacy-addr if given), plus the ground truth under
// /_sim/. It prints the demo company's login (never other secrets) and runs
// until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gdtsim:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	opts, err := parseFlags(args)
	if err != nil {
		return err
	}
	srv, err := gdtsim.Start(opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	demo := srv.Companies()[0]
	fmt.Fprintf(out, "gdtsim: portal %s (legacy %s), ground truth %s/companies\n", srv.URL(), srv.LegacyURL(), srv.SimURL())
	fmt.Fprintf(out, "gdtsim: %d companies; demo company %s (%s)\n", len(srv.Companies()), demo.MST, demo.Name)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

// parseFlags maps every Options knob to a flag.
func parseFlags(args []string) (gdtsim.Options, error) {
	o := gdtsim.DefaultOptions()
	fs := flag.NewFlagSet("gdtsim", flag.ContinueOnError)
	fs.StringVar(&o.Addr, "addr", o.Addr, "listen address (both layouts)")
	fs.StringVar(&o.LegacyAddr, "legacy-addr", "", "extra listener for the legacy :30000 layout")
	fs.Int64Var(&o.Seed, "seed", o.Seed, "data seed")
	fs.IntVar(&o.Companies, "companies", o.Companies, "number of companies (accounts)")
	fs.IntVar(&o.InvoicesPerMonth, "invoices", o.InvoicesPerMonth, "invoices per company, month and flow")
	fs.Float64Var(&o.DossierlessShare, "dossierless-share", o.DossierlessShare, "share of e-invoices without original dossier (export-xml 500)")
	fs.Float64Var(&o.RelatedShare, "related-share", o.RelatedShare, "share of replacement/adjustment invoices")
	fs.DurationVar(&o.CaptchaTTL, "captcha-ttl", o.CaptchaTTL, "captcha validity")
	fs.DurationVar(&o.TokenTTL, "token-ttl", o.TokenTTL, "JWT lifetime")
	fs.IntVar(&o.LockoutThreshold, "lockout", o.LockoutThreshold, "wrong passwords before lock-out (0 = never)")
	fs.BoolVar(&o.RequireRequestID, "require-request-id", o.RequireRequestID, "WAF: block requests without request-id")
	fs.BoolVar(&o.WAFHTMLReject, "waf-html", o.WAFHTMLReject, "WAF blocks answer the HTML page with status 200")
	fs.DurationVar(&o.Latency.Min, "latency-min", 0, "minimum added latency (all but export-xml)")
	fs.DurationVar(&o.Latency.Max, "latency-max", 0, "maximum added latency (all but export-xml)")
	fs.DurationVar(&o.ExportLatency.Min, "export-latency-min", 0, "minimum added export-xml latency")
	fs.DurationVar(&o.ExportLatency.Max, "export-latency-max", 0, "maximum added export-xml latency")
	fs.IntVar(&o.Limits.MaxConcurrent, "max-concurrent", 0, "per-account concurrent data requests (0 = unlimited)")
	fs.Float64Var(&o.Limits.RatePerSecond, "rate", 0, "per-account requests per second (0 = unlimited)")
	fs.IntVar(&o.Limits.Burst, "burst", 0, "per-account token-bucket burst")
	fs.DurationVar(&o.Limits.ConcurrencyRetryAfter, "concurrency-retry-after", o.Limits.ConcurrencyRetryAfter, "Retry-After on concurrency 429s")
	fs.Float64Var(&o.Faults.ServerErrorShare, "error-share", 0, "share of data requests answered 502/503/504")
	fs.Float64Var(&o.Faults.RateLimitShare, "rate-limit-share", 0, "share of data requests starting a 429 episode")
	fs.DurationVar(&o.Faults.RateLimitFor, "rate-limit-for", 0, "length of a 429 episode")
	fs.Float64Var(&o.Faults.DropShare, "drop-share", 0, "share of connections closed without response")
	fs.Float64Var(&o.Faults.CorruptZipShare, "corrupt-zip-share", 0, "share of truncated export ZIPs")
	fs.Float64Var(&o.Faults.CorruptXMLShare, "corrupt-xml-share", 0, "share of export ZIPs whose invoice.xml is cut in half")
	fs.BoolVar(&o.Faults.Down, "down", false, "start in 'portal down' mode (503)")
	fs.IntVar(&o.Faults.TotalJitter, "total-jitter", 0, "list total varies by up to ± this many rows")
	fs.Float64Var(&o.Faults.CursorSkipShare, "cursor-skip-share", 0, "share of list pages whose state skips a row")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.Latency.Max < o.Latency.Min {
		o.Latency.Max = o.Latency.Min
	}
	if o.ExportLatency.Max < o.ExportLatency.Min {
		o.ExportLatency.Max = o.ExportLatency.Min
	}
	return o, nil
}
