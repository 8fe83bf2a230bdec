// Package pull is the direct mode: one accountant, one portal account, no
// cloud. It logs in (captcha solved by a CaptchaSolver), lists every flow of
// a period month by month, downloads each invoice's original XML with
// bounded concurrency and backoff, and writes
// OUT/{mst}/{direction}/{yyyy-mm}/{nbmst}_{khmshdon}_{khhdon}_{shdon}.xml
// plus the parsed .json beside it. Files already present are skipped, so an
// interrupted run is simply run again.
package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/throttle"
)

// Config is one pull. Client, Username, Password, Solver, From, To and
// OutDir are required; the rest have defaults (see fill).
type Config struct {
	Client   *gdt.Client
	Username string // portal login, normally the company MST; names the output folder
	Password string // never logged
	Solver   gdt.CaptchaSolver

	From, To hoadon.Date   // inclusive, any length (split into month windows)
	Flows    []hoadon.Flow // empty = all four
	OutDir   string

	Concurrency   int           // parallel downloads (default 3, the portal's comfort zone)
	ReloginMargin time.Duration // log in again this long before exp (default 2 min)
	SkipNoDossier bool          // trust hsgoc: don't ask export-xml for rows without one
	// Throttle is the account's rate policy, the pipeline's own: request
	// rate and its bounds, waits after 429s (Retry-After capped at ten
	// minutes) and failures, the breaker. Zero means throttle.DefaultConfig().
	Throttle throttle.Config
	Clock    throttle.Clock // the policy's clock; nil = real time

	Progress      io.Writer     // progress lines; nil = none
	ProgressEvery time.Duration // default 2 s
	Logger        *slog.Logger  // per-invoice problems; nil = discard
}

func (c *Config) fill() error {
	switch {
	case c.Client == nil || c.Solver == nil:
		return hoadon.Errorf(hoadon.CodeInvalid, "pull: a portal client and a captcha solver are required")
	case c.Username == "" || c.Password == "":
		return hoadon.Errorf(hoadon.CodeInvalid, "pull: username and password are required")
	case !safeName.MatchString(c.Username):
		return hoadon.Errorf(hoadon.CodeInvalid, "pull: username %q is not usable as a folder name", c.Username)
	case c.From.IsZero() || c.To.IsZero() || c.To.Before(c.From.Time):
		return hoadon.Errorf(hoadon.CodeInvalid, "pull: period %s..%s is empty or reversed", c.From, c.To)
	case c.OutDir == "":
		return hoadon.Errorf(hoadon.CodeInvalid, "pull: output directory required")
	}
	flows, err := hoadon.ParseFlows(flowNames(c.Flows))
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	c.Flows = flows
	setInt(&c.Concurrency, 3)
	if c.Throttle == (throttle.Config{}) {
		c.Throttle = throttle.DefaultConfig()
	}
	setDur(&c.ReloginMargin, 2*time.Minute)
	setDur(&c.ProgressEvery, 2*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func flowNames(fs []hoadon.Flow) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func setInt(p *int, v int) {
	if *p <= 0 {
		*p = v
	}
}

func setDur(p *time.Duration, v time.Duration) {
	if *p <= 0 {
		*p = v
	}
}

// run is the state of one Run.
type run struct {
	cfg   *Config
	stats *counters
	retry *retrier
}

// Run performs the pull. It returns an error only when the run could not
// proceed at all (bad config, login refused, cancelled); per-invoice and
// per-window failures are counted in the Summary — check Summary.OK.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	start := time.Now()
	if err := cfg.fill(); err != nil {
		return Summary{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	acct := throttle.NewLocal(cfg.Username, cfg.Throttle, cfg.Clock)
	k := &keeper{login: loginWithRetry(&cfg, acct), margin: cfg.ReloginMargin}
	r := &run{cfg: &cfg, stats: &counters{}}
	r.retry = &retrier{acct: acct, keeper: k, stats: r.stats}
	summary := func() Summary {
		s := r.stats.summary(time.Since(start), k.count())
		s.Rate, s.LowestRate = acct.Rates()
		return s
	}
	if _, err := k.get(ctx); err != nil {
		return summary(), fmt.Errorf("pull: %w", err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go reportProgress(cfg.Progress, cfg.ProgressEvery, r.stats, start, stop, done)
	err := r.listAndDownload(ctx)
	close(stop)
	<-done
	sum := summary()
	if err != nil {
		return sum, fmt.Errorf("pull: %w", err)
	}
	return sum, ctx.Err()
}

// listAndDownload walks the lists in this goroutine (one list stream per
// account) and feeds a bounded pool of download workers.
func (r *run) listAndDownload(ctx context.Context) error {
	jobs := make(chan gdt.Invoice, 2*r.cfg.Concurrency)
	var wg sync.WaitGroup
	for range r.cfg.Concurrency {
		wg.Go(func() {
			for inv := range jobs {
				r.download(ctx, &inv)
			}
		})
	}
	err := r.list(ctx, jobs)
	close(jobs)
	wg.Wait()
	return err
}

// list sends every listed invoice to jobs. It stops early only for a fatal
// login error or cancellation.
func (r *run) list(ctx context.Context, jobs chan<- gdt.Invoice) error {
	for _, flow := range r.cfg.Flows {
		for inv, err := range gdt.Walk(ctx, r.fetchPage, flow, r.cfg.From, r.cfg.To, r.cfg.Client.WalkOptions()) {
			if err != nil {
				if ctx.Err() != nil || r.retry.keeper.fatalErr() != nil {
					return errors.Join(ctx.Err(), r.retry.keeper.fatalErr())
				}
				r.stats.listErrors.Add(1)
				r.cfg.Logger.Warn("list failed", "flow", flow, "err", err)
				continue
			}
			r.stats.listed.Add(1)
			select {
			case jobs <- inv:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

func (r *run) fetchPage(ctx context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
	var p gdt.Page
	err := r.retry.do(ctx, false, func(ctx context.Context, s *gdt.Session) error {
		var err error
		p, err = r.cfg.Client.ListPage(ctx, s, q, state)
		return err
	})
	return p, err
}

// download stores one invoice, counting exactly one outcome for it.
func (r *run) download(ctx context.Context, inv *gdt.Invoice) {
	outcome, err := r.store(ctx, inv)
	if outcome == outcomeFailed && ctx.Err() != nil {
		return // interrupted, not failed: the next run picks it up
	}
	switch outcome {
	case outcomeStored:
		r.stats.stored.Add(1)
	case outcomeSkipped:
		r.stats.skipped.Add(1)
	case outcomeUnavailable:
		r.stats.unavailable.Add(1)
		r.cfg.Logger.Info("no original XML on the portal", "flow", inv.Flow, "invoice", inv.Key.String())
	default:
		r.stats.failed.Add(1)
		r.cfg.Logger.Warn("download failed", "flow", inv.Flow, "invoice", inv.Key.String(), "err", err)
	}
}

type outcome int

const (
	outcomeFailed outcome = iota
	outcomeStored
	outcomeSkipped
	outcomeUnavailable
)

func (r *run) store(ctx context.Context, inv *gdt.Invoice) (outcome, error) {
	p, err := invoicePaths(r.cfg.OutDir, r.cfg.Username, inv)
	if err != nil {
		return outcomeFailed, err
	}
	switch done, err := exists(p.xml); {
	case err != nil:
		return outcomeFailed, err
	case done:
		return outcomeSkipped, nil
	}
	if r.cfg.SkipNoDossier && !inv.HasDossier() {
		return outcomeUnavailable, nil
	}
	var files map[string][]byte
	err = r.retry.do(ctx, true, func(ctx context.Context, s *gdt.Session) error {
		var err error
		files, err = r.cfg.Client.ExportXML(ctx, s, inv.Flow, inv.Key)
		return err
	})
	if hoadon.ErrorCode(err) == hoadon.CodeNoDossier {
		return outcomeUnavailable, nil
	}
	if err != nil {
		return outcomeFailed, err
	}
	_, xml, ok := gdt.InvoiceXML(files)
	if !ok {
		return outcomeFailed, hoadon.Errorf(hoadon.CodeBadData, "export-xml ZIP holds no XML")
	}
	if err := r.writeJSON(p.json, xml, inv); err != nil {
		return outcomeFailed, err
	}
	// The XML is written last: its presence is what marks the invoice done.
	if err := writeFile(p.xml, xml); err != nil {
		return outcomeFailed, err
	}
	return outcomeStored, nil
}

// writeJSON parses the XML with shared/einvoice and stores its JSON. A
// parse failure is counted and logged but does not fail the invoice: the
// original XML is what the accountant needs, and it is kept.
func (r *run) writeJSON(path string, xml []byte, inv *gdt.Invoice) error {
	parsed, err := einvoice.Parse(xml)
	var data []byte
	if err == nil {
		data, err = parsed.JSON()
	}
	if err != nil {
		r.stats.parseErrors.Add(1)
		r.cfg.Logger.Warn("invoice XML not parsed; stored without .json", "invoice", inv.Key.String(), "err", err)
		_ = os.Remove(path) // no stale JSON beside a new XML
		return nil
	}
	return writeFile(path, data)
}
