package importer

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/metrics"
	"github.com/hoadon/hoadon/shared/queue"
)

// Progress is what a client or the workflow learns about an import.
type Progress struct {
	Import  hoadon.Import `json:"import"`
	Counts  hoadon.Counts `json:"counts"`
	Pending int           `json:"pending"`
	Files   string        `json:"files,omitempty"` // where the invoices are stored
}

// Progress reads an import and its counts: one document and a few counter
// shards, whatever the import's size.
func (s *Service) Progress(ctx context.Context, importID string) (Progress, error) {
	imp, err := s.Store.Import(ctx, importID)
	if err != nil {
		return Progress{}, err
	}
	c, err := s.Store.Counts(ctx, importID)
	if err != nil {
		return Progress{}, err
	}
	files, err := blob.CompanyPrefix(imp.Tenant, imp.Params.CompanyID)
	if err != nil {
		return Progress{}, err
	}
	return Progress{Import: imp, Counts: c, Pending: c.Pending(), Files: s.Blobs.URI(files)}, nil
}

// StatusRequest is the workflow's poll.
type StatusRequest struct {
	ImportID string `json:"import_id"`
	// DiscoveryDone is sent once, after every window was discovered.
	DiscoveryDone bool `json:"discovery_done,omitempty"`
}

// Sweep bounds.
const (
	staleAfter  = 2 * time.Minute
	sweepLimit  = 50
	outboxAfter = time.Minute
)

// Status is the workflow's poll: progress, plus the housekeeping that must
// happen while an import waits — recording the end of discovery, resuming a
// company queue after its cool-down, re-enqueueing downloads whose task was
// lost, and re-dispatching events whose delivery was never enqueued.
func (s *Service) Status(ctx context.Context, req StatusRequest) (Progress, error) {
	p, err := s.Progress(ctx, req.ImportID)
	if err == nil {
		backlog := p.Pending
		if p.Import.State.Final() {
			backlog = 0 // a finished import's leftover tasks are dropped when they run
		}
		metrics.Backlog(ctx, p.Import.Params.CompanyID, backlog)
	}
	if err != nil || p.Import.State.Final() {
		s.sweeps.Delete(req.ImportID)
		return p, err
	}
	company := p.Import.Params.CompanyID
	if req.DiscoveryDone && p.Import.DiscoveredAt.IsZero() {
		if err := s.discoveryDone(ctx, p); err != nil {
			return p, err
		}
	}
	if _, err := s.Throttle.Heal(ctx, company); err != nil {
		s.Log.WarnContext(ctx, "resuming the company queue", "company", company, "err", err)
	}
	if s.sweepDue(p.Import.ID) {
		if err := s.sweepDownloads(ctx, p.Import); err != nil {
			s.Log.WarnContext(ctx, "sweeping lost downloads", "import", p.Import.ID, "err", err)
		}
		s.sweepOutbox(ctx, p.Import.Tenant)
	}
	return p, nil
}

func (s *Service) discoveryDone(ctx context.Context, p Progress) error {
	s.setSlots(ctx, p.Import.Params.CompanyID, false)
	c := collect(ctx, s, importTenant, func(imp hoadon.Import) ([]events.Data, error) {
		d := events.DiscoveryCompleted{ImportID: imp.ID, CompanyMST: imp.Params.CompanyID,
			Discovered: p.Counts.Total, Skipped: p.Counts.Status[hoadon.StatusSkipped],
			ToDownload: p.Counts.Total - p.Counts.Status[hoadon.StatusSkipped]}
		for _, f := range imp.Params.Flows {
			n := 0
			for _, v := range p.Counts.PerFlow[f] {
				n += v
			}
			d.Flows = append(d.Flows, events.FlowCount{Flow: f, Discovered: n})
		}
		return []events.Data{d}, nil
	})
	_, changed, err := s.Store.Update(ctx, p.Import.ID, func(imp *hoadon.Import) bool {
		if !imp.DiscoveredAt.IsZero() || imp.State.Final() {
			return false
		}
		imp.DiscoveredAt = s.Now().UTC()
		return true
	}, c.fn)
	if err == nil && changed {
		s.dispatch(ctx, c.got)
	}
	return err
}

// sweepEvery spaces the sweeps of one import: a lost task waits at least
// staleAfter anyway, and each sweep queries Firestore and Cloud Tasks.
const sweepEvery = time.Minute

// sweepDue reports whether this instance should sweep an import now.
func (s *Service) sweepDue(importID string) bool {
	now := s.Now()
	if last, ok := s.sweeps.Load(importID); ok && now.Sub(last.(time.Time)) < sweepEvery {
		return false
	}
	s.sweeps.Store(importID, now)
	return true
}

// sweepDownloads re-enqueues invoices that wait with no task left to carry
// them (a queue lost its tasks, a task ran out of attempts while the import
// was still waiting). A task that still exists is left alone.
func (s *Service) sweepDownloads(ctx context.Context, imp hoadon.Import) error {
	stale, err := s.Store.Stale(ctx, imp.ID, s.Now().Add(-staleAfter), sweepLimit)
	if err != nil || len(stale) == 0 {
		return err
	}
	q, err := s.Queues.EnsureCompanyQueue(ctx, imp.Params.CompanyID)
	if err != nil {
		return err
	}
	url := s.downloadURL(ctx, 0) // re-enqueues do not grow the backlog
	for _, inv := range stale {
		if s.taskAlive(ctx, q, imp.ID, inv) {
			continue
		}
		body, _ := json.Marshal(downloadTask{ImportID: imp.ID, InvoiceID: inv.ID})
		id := downloadTaskID(imp.ID, inv.ID, inv.Attempts+1)
		if _, err := s.Queues.Enqueue(ctx, queue.Task{Queue: q, ID: id, URL: url, Body: body}); err != nil {
			return err
		}
		s.Log.InfoContext(ctx, "download re-enqueued", "import", imp.ID, "invoice", inv.Key.String(), "task", id)
	}
	return nil
}

// taskAlive reports whether the first task or the latest re-enqueue of an
// invoice is still in the queue.
func (s *Service) taskAlive(ctx context.Context, q, importID string, inv hoadon.Invoice) bool {
	for _, n := range []int{0, inv.Attempts} {
		if ok, err := s.Queues.TaskExists(ctx, q, downloadTaskID(importID, inv.ID, n)); err != nil || ok {
			return true // unsure counts as alive: no duplicate downloads
		}
	}
	return false
}

// sweepOutbox dispatches events again whose delivery is overdue.
// It runs when the environment names subscribers or the import's tenant
// has subscriptions, and sweeps every tenant's events.
func (s *Service) sweepOutbox(ctx context.Context, tenant hoadon.Tenant) {
	if len(s.Subscribers) == 0 {
		if subs, err := s.subscribersOf(ctx, tenant.OrDefault()); err != nil || len(subs) == 0 {
			return
		}
	}
	evs, err := s.Store.PendingEvents(ctx, s.Now().Add(-outboxAfter), sweepLimit)
	if err != nil {
		s.Log.WarnContext(ctx, "sweeping the outbox", "err", err)
		return
	}
	s.enqueueDeliveries(ctx, evs)
}
