package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// baselineResult is what 'bench baseline' prints as one JSON line.
type baselineResult struct {
	Stored      int64   `json:"stored"`
	Failed      int64   `json:"failed"`
	WallSeconds float64 `json:"wall_seconds"`
	FirstStored float64 `json:"first_stored_seconds"`
}

// company is a simulator account as /_sim/companies lists it.
type company struct {
	MST      string `json:"mst"`
	Password string `json:"password"`
}

// baselineJob is the plain loop's configuration.
type baselineJob struct {
	portal      *gdt.Client
	blobs       *blob.Store
	from, to    hoadon.Date
	concurrency int
	start       time.Time
	stored      atomic.Int64
	failed      atomic.Int64
	first       atomic.Int64 // nanoseconds after start of the first stored invoice
}

// runBaseline is the same portal and GCS work as an import — login with the
// captcha table, list every flow, export each ZIP with C in flight per
// company, parse it, write zip/xml/json write-if-absent — in a plain Go
// loop, without Workflows, Tasks or Firestore. It runs in its own process so
// its CPU is its own. STORAGE_EMULATOR_HOST points it at fake GCS.
func runBaseline(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench baseline", flag.ContinueOnError)
	portalURL := fs.String("gdt", "", "portal base URL including /api (the simulator)")
	bkt := fs.String("bucket", baselineBucket, "GCS bucket to write to")
	conc := fs.Int("c", 4, "downloads in flight per company")
	from := fs.String("from", "2026-09-01", "first day")
	to := fs.String("to", "2026-09-30", "last day")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *portalURL == "" || *conc < 1 {
		return fmt.Errorf("baseline: -gdt and -c ≥ 1 are required")
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	job, cleanup, err := newBaselineJob(ctx, *portalURL, *bkt, *conc, *from, *to)
	if err != nil {
		return err
	}
	defer cleanup()
	companies, err := simCompanies(ctx, strings.TrimSuffix(*portalURL, "/api")+"/_sim/companies")
	if err != nil {
		return err
	}
	job.start = time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(companies))
	for i, c := range companies {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = job.company(ctx, c) }()
	}
	wg.Wait()
	res := baselineResult{Stored: job.stored.Load(), Failed: job.failed.Load(),
		WallSeconds: time.Since(job.start).Seconds(), FirstStored: time.Duration(job.first.Load()).Seconds()}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("baseline: company %s: %w", companies[i].MST, err)
		}
	}
	return json.NewEncoder(stdout).Encode(res)
}

func newBaselineJob(ctx context.Context, portalURL, bkt string, conc int, from, to string) (*baselineJob, func(), error) {
	f, err := hoadon.ParseDate(from)
	if err != nil {
		return nil, nil, fmt.Errorf("baseline: -from: %w", err)
	}
	t, err := hoadon.ParseDate(to)
	if err != nil {
		return nil, nil, fmt.Errorf("baseline: -to: %w", err)
	}
	portal, err := gdt.New(gdt.Config{BaseURL: portalURL})
	if err != nil {
		return nil, nil, err
	}
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		return nil, nil, err
	}
	job := &baselineJob{portal: portal, blobs: blob.New(gcs, bkt), from: f, to: t, concurrency: conc}
	return job, func() { gcs.Close() }, nil
}

// simCompanies reads the simulator's accounts (ground truth endpoint).
func simCompanies(ctx context.Context, url string) ([]company, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simulator companies: %w", err)
	}
	defer resp.Body.Close()
	var cs []company
	if err := json.NewDecoder(resp.Body).Decode(&cs); err != nil {
		return nil, fmt.Errorf("simulator companies: %w", err)
	}
	return cs, nil
}

// company logs in, lists every flow, then downloads with C workers.
func (j *baselineJob) company(ctx context.Context, c company) error {
	var sess *gdt.Session
	err := retry(ctx, func() (err error) {
		sess, err = j.portal.Login(ctx, c.MST, c.Password, captcha.NewTable())
		return err
	})
	if err != nil {
		return err
	}
	var invs []gdt.Invoice
	for _, flow := range hoadon.AllFlows {
		got, err := j.list(ctx, sess, flow)
		if err != nil {
			return err
		}
		invs = append(invs, got...)
	}
	work := make(chan gdt.Invoice)
	var wg sync.WaitGroup
	for range j.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for inv := range work {
				if err := retry(ctx, func() error { return j.download(ctx, c.MST, sess, inv) }); err != nil {
					j.failed.Add(1)
					fmt.Fprintf(os.Stderr, "baseline: %s %s: %v\n", c.MST, inv.Key, err)
				}
			}
		}()
	}
	for _, inv := range invs {
		work <- inv
	}
	close(work)
	wg.Wait()
	return nil
}

// list walks one flow, starting over on a retryable error.
func (j *baselineJob) list(ctx context.Context, sess *gdt.Session, flow hoadon.Flow) ([]gdt.Invoice, error) {
	var out []gdt.Invoice
	err := retry(ctx, func() error {
		out = out[:0]
		for inv, err := range j.portal.List(ctx, sess, flow, j.from, j.to) {
			if err != nil {
				return err
			}
			out = append(out, inv)
		}
		return nil
	})
	return out, err
}

// download is the download function's work minus Firestore and Tasks.
func (j *baselineJob) download(ctx context.Context, mst string, sess *gdt.Session, inv gdt.Invoice) error {
	raw, files, err := j.portal.ExportZIP(ctx, sess, inv.Flow, inv.Key)
	if err != nil {
		return err
	}
	_, xml, ok := gdt.InvoiceXML(files)
	if !ok {
		return fmt.Errorf("export-xml ZIP holds no XML file")
	}
	parsed, err := einvoice.Parse(xml)
	if err != nil {
		return err
	}
	js, err := json.Marshal(parsed)
	if err != nil {
		return err
	}
	objs, err := blob.InvoiceObjects(hoadon.DefaultTenant, mst, inv.Flow.Direction(), inv.Date, inv.Key)
	if err != nil {
		return err
	}
	for _, o := range []struct {
		name, ct string
		data     []byte
	}{{objs.ZIP, "application/zip", raw}, {objs.XML, "application/xml", xml}, {objs.JSON, "application/json", js}} {
		if _, _, err := j.blobs.Put(ctx, o.name, o.data, o.ct); err != nil {
			return err
		}
	}
	if j.stored.Add(1) == 1 {
		j.first.Store(int64(time.Since(j.start)))
	}
	return nil
}

// retry runs fn up to 8 times while it fails with a retryable error,
// waiting what the portal advised (or 200 ms).
func retry(ctx context.Context, fn func() error) error {
	var err error
	for range 8 {
		if err = fn(); err == nil || !hoadon.Retryable(err) {
			return err
		}
		wait := hoadon.ErrorRetryAfter(err)
		if wait <= 0 {
			wait = 200 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return err
}
