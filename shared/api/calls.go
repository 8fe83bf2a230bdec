package api

import (
	"context"
	"encoding/json"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/wire"
)

// The API's operations, in the wire types: the HTTP handlers and the
// console (shared/console) both call these, so a page shows exactly what
// the API answers, under the same checks.

// StartImport starts an import (or returns the running one with the same
// parameters or idempotency key: Created is false then).
func (s *Server) StartImport(ctx context.Context, body wire.StartBody, idemKey string) (wire.StartResponse, error) {
	req, err := startRequest(body, idemKey)
	if err != nil {
		return wire.StartResponse{}, err
	}
	ctx = logx.With(ctx, "company", req.Params.CompanyID)
	imp, created, err := s.svc.Start(ctx, req)
	if err != nil {
		return wire.StartResponse{}, err
	}
	msg := "import started"
	if !created {
		msg = "an import with these parameters is already running (or this Idempotency-Key was used); returning it"
	}
	return startResponse(imp, created, msg), nil
}

func startResponse(imp hoadon.Import, created bool, msg string) wire.StartResponse {
	return wire.StartResponse{TaskID: imp.ID, WorkflowID: imp.ID, TaskType: imp.Params.TaskType, Status: imp.State,
		StatusURL: "/api/tasks/" + imp.ID + "/status", Created: created, Message: msg}
}

// checkImport refuses an id this API did not hand out and one that names
// no import.
func (s *Server) checkImport(ctx context.Context, id string) error {
	if err := hoadon.ValidateID("task id", id); err != nil {
		return err
	}
	if _, err := s.svc.Store.Import(ctx, id); err != nil {
		if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
			err = hoadon.Errorf(hoadon.CodeNotFound, "no import with id %s", id)
		}
		return err
	}
	return nil
}

// ImportStatus is an import's progress.
func (s *Server) ImportStatus(ctx context.Context, id string) (wire.Status, error) {
	return s.progress(ctx, id, s.svc.Progress)
}

// CancelImport cancels a running import and returns its status.
func (s *Server) CancelImport(ctx context.Context, id string) (wire.Status, error) {
	return s.progress(ctx, id, s.svc.Cancel)
}

func (s *Server) progress(ctx context.Context, id string, fn func(context.Context, string) (importer.Progress, error)) (wire.Status, error) {
	if err := s.checkImport(ctx, id); err != nil {
		return wire.Status{}, err
	}
	p, err := fn(ctx, id)
	if err != nil {
		return wire.Status{}, err
	}
	return StatusOf(p), nil
}

// Imports lists the imports of a company (every company's when empty),
// newest first.
func (s *Server) Imports(ctx context.Context, company string, limit int) ([]wire.TaskSummary, error) {
	if company != "" {
		if err := hoadon.ValidateMST(company); err != nil {
			return nil, err
		}
	}
	imps, err := s.svc.Store.ListImports(ctx, company, limit)
	if err != nil {
		return nil, err
	}
	out := make([]wire.TaskSummary, 0, len(imps))
	for _, imp := range imps {
		out = append(out, SummaryOf(imp))
	}
	return out, nil
}

// ImportEvents are an import's events, oldest first.
func (s *Server) ImportEvents(ctx context.Context, id string) ([]json.RawMessage, error) {
	if err := s.checkImport(ctx, id); err != nil {
		return nil, err
	}
	evs, err := s.svc.Store.ImportEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Data)
	}
	return out, nil
}

// ImportInvoices calls fn with every invoice of an import (only those in
// one status when only is set). The caller checks the import first.
func (s *Server) ImportInvoices(ctx context.Context, id string, only hoadon.InvoiceStatus, fn func(hoadon.Invoice) error) error {
	return s.svc.Store.Invoices(ctx, id, only, fn)
}

// Schedules lists the schedules.
func (s *Server) Schedules(ctx context.Context) ([]schedule.View, error) {
	all, err := s.runner().Store.List(ctx)
	if err != nil {
		return nil, err
	}
	now := s.svc.Now()
	out := make([]schedule.View, 0, len(all))
	for _, sc := range all {
		out = append(out, sc.View(now))
	}
	return out, nil
}

// CreateSchedule stores a new schedule; its password is sealed at once.
func (s *Server) CreateSchedule(ctx context.Context, body schedule.CreateRequest) (schedule.View, error) {
	now := s.svc.Now()
	sc, password, err := body.Validate(now)
	if err != nil {
		return schedule.View{}, err
	}
	ctx = logx.With(ctx, "schedule", sc.ID, "company", sc.Params.CompanyID)
	sc.SealedPassword = s.svc.Box.Seal([]byte(password), "credentials/"+sc.Params.CompanyID)
	if err := s.runner().Store.Create(ctx, sc); err != nil {
		return schedule.View{}, err
	}
	s.log.InfoContext(ctx, "schedule created", "hour", sc.Hour, "minute", sc.Minute, "paused", sc.Paused)
	return sc.View(now), nil
}

// PauseSchedule pauses (or unpauses) a schedule with a note.
func (s *Server) PauseSchedule(ctx context.Context, id string, pause bool, note string) (schedule.View, error) {
	if err := schedule.ValidateID(id); err != nil {
		return schedule.View{}, err
	}
	if err := schedule.ValidateNote(note); err != nil {
		return schedule.View{}, err
	}
	now := s.svc.Now()
	sc, err := s.runner().Store.SetPaused(ctx, id, pause, note, now)
	if err != nil {
		return schedule.View{}, err
	}
	action := "unpaused"
	if pause {
		action = "paused"
	}
	s.log.InfoContext(logx.With(ctx, "schedule", id), "schedule "+action)
	return sc.View(now), nil
}

// TriggerSchedule starts the schedule's import of yesterday now.
func (s *Server) TriggerSchedule(ctx context.Context, id string) (wire.StartResponse, error) {
	if err := schedule.ValidateID(id); err != nil {
		return wire.StartResponse{}, err
	}
	imp, created, err := s.runner().Trigger(ctx, id)
	if err != nil {
		return wire.StartResponse{}, err
	}
	msg := "import of " + imp.Params.From + ".." + imp.Params.To + " started"
	if !created {
		msg = "an import with these parameters is already running; returning it"
	}
	return startResponse(imp, created, msg), nil
}

// ImportInvoice is one invoice of an import.
func (s *Server) ImportInvoice(ctx context.Context, importID, invoiceID string) (hoadon.Invoice, error) {
	if err := s.checkImport(ctx, importID); err != nil {
		return hoadon.Invoice{}, err
	}
	if !validID(invoiceID) {
		return hoadon.Invoice{}, hoadon.Errorf(hoadon.CodeNotFound, "no invoice %q in import %s", invoiceID, importID)
	}
	inv, err := s.svc.Store.Invoice(ctx, importID, invoiceID)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		err = hoadon.Errorf(hoadon.CodeNotFound, "no invoice %s in import %s", invoiceID, importID)
	}
	return inv, err
}

// InvoiceFile is one stored file of an invoice: its XML, the portal's ZIP,
// the parsed JSON, or the portal's HTML rendering from inside the ZIP (kind
// xml, zip, json, html).
func (s *Server) InvoiceFile(ctx context.Context, inv hoadon.Invoice, kind string) ([]byte, error) {
	name := map[string]string{"xml": inv.Objects.XML, "zip": inv.Objects.ZIP, "json": inv.Objects.JSON, "html": inv.Objects.ZIP}[kind]
	if name == "" {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "invoice %s has no stored %s", inv.ID, kind)
	}
	data, err := s.svc.Blobs.Get(ctx, name)
	if err != nil || kind != "html" {
		return data, err
	}
	return einvoice.HTMLFromZIP(data)
}
