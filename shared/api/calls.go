package api

import (
	"context"
	"encoding/json"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/wire"
)

// The API's operations, in the wire types: the HTTP handlers and the
// console (shared/console) both call these, so a page shows exactly what
// the API answers, under the same checks. Each acts for the caller found in
// ctx (auth.PrincipalFrom) through the service's scoped methods: another
// tenant's import or schedule is "not found", a role or company allow-list
// that does not permit it is "forbidden".

// StartImport starts an import (or returns the running one with the same
// parameters or idempotency key: Created is false then).
func (s *Server) StartImport(ctx context.Context, body wire.StartBody, idemKey string) (wire.StartResponse, error) {
	req, err := startRequest(body, idemKey)
	if err != nil {
		return wire.StartResponse{}, err
	}
	ctx = logx.With(ctx, "company", req.Params.CompanyID)
	imp, created, err := s.svc.StartFor(ctx, access(ctx), req)
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

// ImportStatus is an import's progress.
func (s *Server) ImportStatus(ctx context.Context, id string) (wire.Status, error) {
	p, err := s.svc.ProgressFor(ctx, access(ctx), id)
	if err != nil {
		return wire.Status{}, err
	}
	return StatusOf(p), nil
}

// CancelImport cancels a running import and returns its status.
func (s *Server) CancelImport(ctx context.Context, id string) (wire.Status, error) {
	p, err := s.svc.CancelFor(ctx, access(ctx), id)
	if err != nil {
		return wire.Status{}, err
	}
	return StatusOf(p), nil
}

// Imports lists the caller's imports of a company (of every company it may
// reach when empty), newest first.
func (s *Server) Imports(ctx context.Context, company string, limit int) ([]wire.TaskSummary, error) {
	if company != "" {
		if err := hoadon.ValidateMST(company); err != nil {
			return nil, err
		}
	}
	imps, err := s.svc.ImportsFor(ctx, access(ctx), company, limit)
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
	evs, err := s.svc.EventsFor(ctx, access(ctx), id)
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
// one status when only is set); the import is checked before fn is first
// called.
func (s *Server) ImportInvoices(ctx context.Context, id string, only hoadon.InvoiceStatus, fn func(hoadon.Invoice) error) error {
	return s.svc.InvoicesFor(ctx, access(ctx), id, only, fn)
}

// Schedules lists the caller's schedules.
func (s *Server) Schedules(ctx context.Context) ([]schedule.View, error) {
	all, err := s.runner().List(ctx, access(ctx))
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

// Schedule is one of the caller's schedules with its recent runs.
func (s *Server) Schedule(ctx context.Context, id string) (schedule.View, error) {
	return s.runner().Describe(ctx, access(ctx), id, recentRuns)
}

// CreateSchedule stores a new schedule; its password is sealed at once.
func (s *Server) CreateSchedule(ctx context.Context, body schedule.CreateRequest) (schedule.View, error) {
	sc, err := s.runner().Create(ctx, access(ctx), body)
	if err != nil {
		return schedule.View{}, err
	}
	ctx = logx.With(ctx, "schedule", sc.ID, "company", sc.Params.CompanyID)
	s.log.InfoContext(ctx, "schedule created", "hour", sc.Hour, "minute", sc.Minute, "paused", sc.Paused)
	return sc.View(s.svc.Now()), nil
}

// PauseSchedule pauses (or unpauses) a schedule with a note.
func (s *Server) PauseSchedule(ctx context.Context, id string, pause bool, note string) (schedule.View, error) {
	sc, err := s.runner().SetPaused(ctx, access(ctx), id, pause, note)
	if err != nil {
		return schedule.View{}, err
	}
	action := "unpaused"
	if pause {
		action = "paused"
	}
	s.log.InfoContext(logx.With(ctx, "schedule", id), "schedule "+action)
	return sc.View(s.svc.Now()), nil
}

// TriggerSchedule starts the schedule's import of yesterday now.
func (s *Server) TriggerSchedule(ctx context.Context, id string) (wire.StartResponse, error) {
	imp, created, err := s.runner().Trigger(ctx, access(ctx), id)
	if err != nil {
		return wire.StartResponse{}, err
	}
	msg := "import of " + imp.Params.From + ".." + imp.Params.To + " started"
	if !created {
		msg = "an import with these parameters is already running; returning it"
	}
	return startResponse(imp, created, msg), nil
}

// ImportInvoice is one invoice of one of the caller's imports.
func (s *Server) ImportInvoice(ctx context.Context, importID, invoiceID string) (hoadon.Invoice, error) {
	return s.svc.InvoiceFor(ctx, access(ctx), importID, invoiceID)
}

// InvoiceFile is one stored file of an invoice the caller read with
// ImportInvoice: its XML, the portal's ZIP or the parsed JSON (kind xml,
// zip, json).
func (s *Server) InvoiceFile(ctx context.Context, inv hoadon.Invoice, kind string) ([]byte, error) {
	return s.svc.InvoiceFileFor(ctx, access(ctx), inv, kind)
}

// Companies are the summaries of the caller's companies, by tax code.
func (s *Server) Companies(ctx context.Context) ([]wire.Company, error) {
	return s.svc.CompaniesFor(ctx, access(ctx))
}

// Company is the summary of one of the caller's companies.
func (s *Server) Company(ctx context.Context, mst string) (wire.Company, error) {
	return s.svc.CompanyFor(ctx, access(ctx), mst)
}

// Completeness is the month × flow matrix of one of the caller's companies.
func (s *Server) Completeness(ctx context.Context, mst, from, to string) (wire.Completeness, error) {
	return s.svc.CompletenessFor(ctx, access(ctx), mst, from, to)
}

// Matrix is the month × flow cells of one of the caller's companies,
// without the missing invoices of flagged cells (the company page).
func (s *Server) Matrix(ctx context.Context, mst, from, to string) (wire.Completeness, error) {
	return s.svc.MatrixFor(ctx, access(ctx), mst, from, to)
}
