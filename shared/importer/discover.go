package importer

import (
	"context"
	"encoding/json"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/store"
)

// DiscoverRequest asks for one flow over one window of at most a month.
type DiscoverRequest struct {
	ImportID string            `json:"import_id"`
	Window   hoadon.FlowWindow `json:"window"`
}

// DiscoverResult counts what one window yielded.
type DiscoverResult struct {
	State   hoadon.ImportState `json:"state"`
	Found   int                `json:"found"`
	Pending int                `json:"pending"` // enqueued for download
}

// flushSize is how many listed invoices are recorded and enqueued at once.
const flushSize = 100

// enqueueParallel bounds concurrent CreateTask calls of one discovery.
const enqueueParallel = 16

// Discover lists one window of one flow, records every invoice and enqueues
// the download of those not already stored. Repeating it (a workflow retry)
// records nothing twice and re-enqueues under the same task names, which
// Cloud Tasks refuses as duplicates: nothing is downloaded twice.
func (s *Service) Discover(ctx context.Context, req DiscoverRequest) (DiscoverResult, error) {
	imp, err := s.Store.Import(ctx, req.ImportID)
	if err != nil {
		return DiscoverResult{}, err
	}
	if imp.State.Final() {
		return DiscoverResult{State: imp.State}, nil
	}
	w := req.Window
	from, err := hoadon.ParseDate(w.From)
	if err != nil {
		return DiscoverResult{}, err
	}
	to, err := hoadon.ParseDate(w.To)
	if err != nil {
		return DiscoverResult{}, err
	}
	if !w.Flow.Valid() {
		return DiscoverResult{}, hoadon.Errorf(hoadon.CodeInvalid, "discover: unknown flow %q", w.Flow)
	}
	company := imp.Params.CompanyID
	sess, h, err := s.session(ctx, imp, 0)
	if err != nil {
		return DiscoverResult{}, err
	}
	res := DiscoverResult{State: imp.State}
	var batch []hoadon.Invoice
	fetch, portalTotal := countTotals(s.pageFetcher(company, sess))
	for inv, err := range gdt.Walk(ctx, fetch, w.Flow, from, to, s.Portal.WalkOptions()) {
		if err != nil {
			return res, s.discoverError(ctx, company, h, res.Found, err)
		}
		batch = append(batch, record(company, inv))
		if len(batch) >= flushSize {
			if err := s.flush(ctx, imp, batch, &res); err != nil {
				return res, err
			}
			batch = batch[:0]
		}
	}
	if err := s.flush(ctx, imp, batch, &res); err != nil {
		return res, err
	}
	if err := s.recordListing(ctx, imp, w.Flow, from, to, res.Found, portalTotal()); err != nil {
		return res, err
	}
	s.Log.InfoContext(ctx, "window discovered", "import", imp.ID, "company", company, "flow", w.Flow,
		"from", w.From, "to", w.To, "found", res.Found, "to_download", res.Pending)
	return res, nil
}

// discoverError prepares a retry of the window: a rejected token is dropped
// so the retry logs in again.
func (s *Service) discoverError(ctx context.Context, company string, h held, found int, err error) error {
	if hoadon.ErrorCode(err) == hoadon.CodeSessionExpired {
		if ierr := s.dropSession(ctx, h); ierr != nil {
			return ierr
		}
	}
	s.Log.WarnContext(ctx, "listing failed; the workflow retries the window", "company", company, "found_before", found, "err", err)
	return err
}

// record turns a list row into the invoice an import tracks.
func record(company string, inv gdt.Invoice) hoadon.Invoice {
	return hoadon.Invoice{
		ID:       inv.Key.ID(company, inv.Flow.Direction()),
		Key:      inv.Key,
		Flow:     inv.Flow,
		Date:     inv.Date.String(),
		TThai:    inv.TThai,
		Original: inv.Original,
	}
}

// countTotals wraps a page function to keep the portal's own total of each
// pass (the total its first page reports); the second function returns
// their sum, or -1 when no pass reported one. Repeated walks of a pass
// keep the latest.
func countTotals(fetch gdt.PageFunc) (gdt.PageFunc, func() int) {
	totals := map[int]int{}
	wrapped := func(ctx context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
		p, err := fetch(ctx, q, state)
		if err == nil && state == "" {
			totals[q.TTXLY] = p.Total
		}
		return p, err
	}
	return wrapped, func() int {
		if len(totals) == 0 {
			return -1
		}
		n := 0
		for _, t := range totals {
			n += t
		}
		return n
	}
}

// recordListing records a walk that covered a whole calendar month in the
// month's completeness cell: how many invoices it listed and the portal's
// total. Partial months (an import of a few days) verify nothing.
func (s *Service) recordListing(ctx context.Context, imp hoadon.Import, f hoadon.Flow, from, to hoadon.Date, listed, total int) error {
	if from.Day() != 1 || to.AddDays(1).Day() != 1 || from.Month() != to.Month() || from.Year() != to.Year() {
		return nil
	}
	return s.Store.RecordListing(ctx, imp.Tenant.OrDefault(), imp.Params.CompanyID, from.Format("2006-01"), f, listed, total, imp.ID)
}

// flush records a batch and enqueues the downloads still to do.
func (s *Service) flush(ctx context.Context, imp hoadon.Import, batch []hoadon.Invoice, res *DiscoverResult) error {
	if len(batch) == 0 {
		return nil
	}
	company := imp.Params.CompanyID
	url := s.downloadURL(ctx, len(batch)) // decided on the backlog before this batch joins it
	c := collect(ctx, s, tenantIs[[]store.StatusChange](imp.Tenant), func(changes []store.StatusChange) ([]events.Data, error) {
		out := make([]events.Data, 0, len(changes))
		for _, ch := range changes {
			inv := ch.Invoice
			out = append(out, events.InvoiceStatusChanged{ImportID: imp.ID, CompanyMST: company, Flow: inv.Flow,
				Direction: inv.Flow.Direction(), Invoice: inv.Key, Old: ch.Old, New: inv.TThai, Related: ch.Related})
		}
		return out, nil
	})
	pending, err := s.Store.AddDiscovered(ctx, imp, batch, c.fn)
	if err != nil {
		return err
	}
	s.dispatch(ctx, c.got)
	res.Found += len(batch)
	res.Pending += len(pending)
	return s.enqueueDownloads(ctx, imp.ID, company, url, pending)
}

// downloadTask is the body of a download task: ids only.
type downloadTask struct {
	ImportID  string `json:"import_id"`
	InvoiceID string `json:"invoice_id"`
}

// downloadTaskID names the download task of an invoice; sweep > 0 names a
// re-enqueue after the original task was lost.
func downloadTaskID(importID, invoiceID string, sweep int) string {
	id := "dl-" + importID + "-" + invoiceID
	if sweep > 0 {
		id += "-s" + strconv.Itoa(sweep)
	}
	return id
}

func (s *Service) enqueueDownloads(ctx context.Context, importID, company, url string, invs []hoadon.Invoice) error {
	if len(invs) == 0 {
		return nil
	}
	q, err := s.Queues.EnsureCompanyQueue(ctx, company)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(enqueueParallel)
	for _, inv := range invs {
		g.Go(func() error {
			body, _ := json.Marshal(downloadTask{ImportID: importID, InvoiceID: inv.ID})
			_, err := s.Queues.Enqueue(gctx, queue.Task{Queue: q, ID: downloadTaskID(importID, inv.ID, 0), URL: url, Body: body})
			return err
		})
	}
	return g.Wait()
}
