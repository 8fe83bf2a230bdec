package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// manifestLine is one invoice in imports/{id}/manifest.ndjson.
type manifestLine struct {
	Key     hoadon.InvoiceKey    `json:"key"`
	Flow    hoadon.Flow          `json:"flow"`
	Date    string               `json:"date"`
	Status  hoadon.InvoiceStatus `json:"status"`
	Objects hoadon.Objects       `json:"objects,omitzero"`
	SHA256  string               `json:"sha256,omitempty"`
	Error   string               `json:"error,omitempty"`
}

// Summary is imports/{id}/summary.json.
type Summary struct {
	Import   hoadon.Import `json:"import"`
	Counts   hoadon.Counts `json:"counts"`
	Manifest string        `json:"manifest"`
}

// Finalize ends an import whose downloads are done: invoices still pending
// (the wait timed out) are recorded as failed, the manifest and summary are
// written to the bucket (and, for an import with Export, its workbooks),
// and the import completes with its events. Calling it again changes
// nothing.
func (s *Service) Finalize(ctx context.Context, importID string) (Progress, error) {
	imp, err := s.Store.Import(ctx, importID)
	if err != nil || imp.State.Final() {
		p, perr := s.Progress(ctx, importID)
		return p, errors.Join(err, perr)
	}
	if err := s.failPending(ctx, imp); err != nil {
		return Progress{}, err
	}
	counts, err := s.Store.Counts(ctx, importID)
	if err != nil {
		return Progress{}, err
	}
	reports, err := blob.ImportPrefix(imp.Tenant, importID)
	if err != nil {
		return Progress{}, err
	}
	manifest, summary := reports+"manifest.ndjson", reports+"summary.json"
	if err := s.writeManifest(ctx, importID, manifest); err != nil {
		return Progress{}, err
	}
	sum, _ := json.MarshalIndent(Summary{Import: imp, Counts: counts, Manifest: manifest}, "", "  ")
	if _, _, err := s.Blobs.Put(ctx, summary, sum, "application/json"); err != nil && hoadon.ErrorCode(err) != hoadon.CodeConflict {
		return Progress{}, err
	}
	exports, err := s.exportReady(ctx, imp)
	if err != nil {
		return Progress{}, err
	}
	c := collect(ctx, s, importTenant, func(imp hoadon.Import) ([]events.Data, error) {
		return append([]events.Data{events.ImportCompleted{ImportID: imp.ID, CompanyMST: imp.Params.CompanyID, Counts: eventCounts(counts),
			Manifest: manifest, Summary: summary, StartedAt: imp.StartedAt, FinishedAt: imp.FinishedAt}}, exports...), nil
	})
	done, changed, err := s.Store.Finish(ctx, importID, hoadon.ImportCompleted, "", c.fn)
	if err != nil {
		return Progress{}, err
	}
	if changed {
		s.dispatch(ctx, c.got)
		s.redeliver(ctx, importID, c.got)
		s.noteImport(ctx, done, counts)
		s.Log.InfoContext(ctx, "import completed", "import", importID, "company", imp.Params.CompanyID,
			"stored", counts.Status[hoadon.StatusStored], "skipped", counts.Status[hoadon.StatusSkipped],
			"unavailable", counts.Status[hoadon.StatusUnavailable], "failed", counts.Status[hoadon.StatusFailed])
	}
	return s.Progress(ctx, importID)
}

// redeliver enqueues again the delivery of the import's events still owed
// to a subscriber, so an event whose process died between commit and
// enqueue is not left for the outbox sweep of a later import. Delivery
// task names are the event's and subscriber's, so an event already
// enqueued is not sent twice; the events just dispatched are skipped.
func (s *Service) redeliver(ctx context.Context, importID string, dispatched []store.OutboxEvent) {
	evs, err := s.Store.UndeliveredEventsOf(ctx, importID)
	if err != nil {
		s.Log.WarnContext(ctx, "re-enqueueing the import's undelivered events", "import", importID, "err", err)
		return
	}
	evs = slices.DeleteFunc(evs, func(ev store.OutboxEvent) bool {
		return slices.ContainsFunc(dispatched, func(d store.OutboxEvent) bool { return d.ID == ev.ID })
	})
	s.enqueueDeliveries(ctx, evs)
}

// failPending records every still-pending invoice as failed.
func (s *Service) failPending(ctx context.Context, imp hoadon.Import) error {
	for _, st := range []hoadon.InvoiceStatus{hoadon.StatusDiscovered, hoadon.StatusDownloading} {
		var todo []hoadon.Invoice
		if err := s.Store.Invoices(ctx, imp.ID, st, func(inv hoadon.Invoice) error {
			todo = append(todo, inv)
			return nil
		}); err != nil {
			return err
		}
		for _, inv := range todo {
			out := store.Outcome{Status: hoadon.StatusFailed, Error: "still pending when the import was finalized"}
			if err := s.complete(ctx, imp, inv, out, hoadon.CodeTransient); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeManifest streams one JSON line per invoice. A manifest left by an
// earlier attempt of Finalize is kept.
func (s *Service) writeManifest(ctx context.Context, importID, object string) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := s.Blobs.Writer(wctx, object, "application/x-ndjson")
	enc := json.NewEncoder(w)
	err := s.Store.Invoices(ctx, importID, "", func(inv hoadon.Invoice) error {
		return enc.Encode(manifestLine{Key: inv.Key, Flow: inv.Flow, Date: inv.Date, Status: inv.Status, Objects: inv.Objects, SHA256: inv.SHA256, Error: inv.Error})
	})
	if err != nil {
		cancel() // abandons the upload
		w.Close()
		return err
	}
	if err := w.Close(); err != nil && !blob.Exists(err) {
		return hoadon.Wrap(hoadon.CodeTransient, err, "writing the manifest")
	}
	return nil
}

// Fail ends an import that cannot go on, with the reason and its event.
func (s *Service) Fail(ctx context.Context, importID string, code hoadon.Code, reason string) (Progress, error) {
	return s.end(ctx, importID, hoadon.ImportFailed, code, reason)
}

// Cancel stops an import at a client's request: no further downloads start
// (each download checks the import first) and the workflow is cancelled.
func (s *Service) Cancel(ctx context.Context, importID string) (Progress, error) {
	p, err := s.end(ctx, importID, hoadon.ImportCancelled, "", "cancelled by the client")
	if err != nil {
		return p, err
	}
	if p.Import.Execution != "" && p.Import.State == hoadon.ImportCancelled {
		if err := s.Workflows.Cancel(ctx, p.Import.Execution); err != nil {
			s.Log.WarnContext(ctx, "cancelling the workflow execution", "import", importID, "err", err)
		}
	}
	return p, nil
}

func (s *Service) end(ctx context.Context, importID string, state hoadon.ImportState, code hoadon.Code, reason string) (Progress, error) {
	counts, err := s.Store.Counts(ctx, importID)
	if err != nil {
		return Progress{}, err
	}
	c := collect(ctx, s, importTenant, func(imp hoadon.Import) ([]events.Data, error) {
		ec := eventCounts(counts)
		if state == hoadon.ImportCancelled {
			return []events.Data{events.ImportCancelled{ImportID: imp.ID, CompanyMST: imp.Params.CompanyID, Counts: ec}}, nil
		}
		if code == "" {
			code = hoadon.CodeInternal
		}
		return []events.Data{events.ImportFailed{ImportID: imp.ID, CompanyMST: imp.Params.CompanyID, Code: code, Reason: reason, Counts: ec}}, nil
	})
	imp, changed, err := s.Store.Finish(ctx, importID, state, reason, c.fn)
	if err != nil {
		return Progress{}, err
	}
	if changed {
		s.dispatch(ctx, c.got)
		s.redeliver(ctx, importID, c.got)
		s.noteImport(ctx, imp, counts)
		s.setSlots(ctx, imp.Params.CompanyID, false) // a failure during discovery must not leave the queue narrowed
		s.Log.InfoContext(ctx, fmt.Sprintf("import %s", state), "import", importID, "reason", reason)
	}
	return s.Progress(ctx, importID)
}
