// Package api is the public task API, compatible with the origin system's:
//
//	POST /api/tasks/start            start an import (202; 200 when it returns a running one)
//	GET  /api/tasks/{id}/status      state, counts per status and flow, timings, errors, files
//	POST /api/tasks/{id}/cancel      cancel a running import
//	GET  /api/tasks?company_id=      the imports of a company, newest first
//	GET  /api/tasks/{id}/invoices    every invoice of an import (NDJSON)
//	GET  /api/tasks/{id}/events      the events of an import
//	GET  /health                     liveness
//
// Unknown task types are refused by the importer's registry; every input is
// validated before anything is written.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
)

// Server serves the task API.
type Server struct {
	svc *importer.Service
	log *slog.Logger
	mux *http.ServeMux
}

// New returns the API handler over a Service.
func New(svc *importer.Service, log *slog.Logger) *Server {
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.mux.HandleFunc("/api/tasks/start", s.start)
	s.mux.HandleFunc("/api/tasks", s.list)
	s.mux.HandleFunc("/api/tasks/{id}/{action}", s.task)
	s.mux.HandleFunc("/health", s.health)
	s.scheduleRoutes()
	s.exportRoutes()
	s.mux.HandleFunc("/", s.notFound)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// StartBody is the origin system's start request.
type StartBody struct {
	TaskType   string     `json:"task_type"`
	TaskParams TaskParams `json:"task_params"`
}

// TaskParams are an import's parameters as clients send them.
type TaskParams struct {
	CompanyID      string        `json:"company_id"`
	CompanyName    string        `json:"company_name"`
	Credentials    *Credentials  `json:"credentials"`
	DateRangeStart string        `json:"date_range_start"`
	DateRangeEnd   string        `json:"date_range_end"`
	Flows          []hoadon.Flow `json:"flows"`
	Force          bool          `json:"force"`
	// Accepted for compatibility with the origin system and ignored: this
	// system always discovers through the portal's JSON API.
	DiscoveryMethod string `json:"discovery_method"`
	ExcelFallback   *bool  `json:"excel_fallback"`
	ProcessingMode  string `json:"processing_mode"`
}

// Credentials is the portal login; the password is sealed at once.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// StartResponse answers a start.
type StartResponse struct {
	TaskID     string             `json:"task_id"`
	WorkflowID string             `json:"workflow_id"` // the origin's name for the id
	TaskType   string             `json:"task_type"`
	Status     hoadon.ImportState `json:"status"`
	StatusURL  string             `json:"status_url"`
	Created    bool               `json:"created"`
	Message    string             `json:"message"`
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		web.MethodNotAllowed(w, r, http.MethodPost)
		return
	}
	var body StartBody
	if err := web.DecodeJSON(r, &body); err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	req, err := startRequest(body, r.Header.Get("Idempotency-Key"))
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	ctx = logx.With(ctx, "company", req.Params.CompanyID)
	imp, created, err := s.svc.StartFor(ctx, access(ctx), req)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	resp := StartResponse{TaskID: imp.ID, WorkflowID: imp.ID, TaskType: imp.Params.TaskType, Status: imp.State,
		StatusURL: "/api/tasks/" + imp.ID + "/status", Created: created, Message: "import started"}
	status := http.StatusAccepted
	if !created {
		status, resp.Message = http.StatusOK, "an import with these parameters is already running (or this Idempotency-Key was used); returning it"
	}
	w.Header().Set("Location", resp.StatusURL)
	web.WriteJSON(w, status, resp)
}

// startRequest checks the shape the importer does not see.
func startRequest(b StartBody, idemKey string) (importer.StartRequest, error) {
	p := b.TaskParams
	if b.TaskType == "" {
		return importer.StartRequest{}, hoadon.Errorf(hoadon.CodeInvalid, "task_type is required")
	}
	if p.CompanyID == "" {
		return importer.StartRequest{}, hoadon.Errorf(hoadon.CodeInvalid, "task_params.company_id is required")
	}
	if p.Credentials == nil {
		return importer.StartRequest{}, hoadon.Errorf(hoadon.CodeInvalid, "task_params.credentials {username, password} is required")
	}
	if (p.DateRangeStart == "") != (p.DateRangeEnd == "") {
		return importer.StartRequest{}, hoadon.Errorf(hoadon.CodeInvalid, "give both date_range_start and date_range_end, or neither (yesterday)")
	}
	if len(idemKey) > 200 {
		return importer.StartRequest{}, hoadon.Errorf(hoadon.CodeInvalid, "Idempotency-Key is longer than 200 characters")
	}
	return importer.StartRequest{
		Params: hoadon.ImportParams{TaskType: b.TaskType, CompanyID: p.CompanyID, CompanyName: p.CompanyName,
			Username: p.Credentials.Username, From: p.DateRangeStart, To: p.DateRangeEnd, Flows: p.Flows, Force: p.Force},
		Password: p.Credentials.Password, IdempotencyKey: idemKey,
	}, nil
}

func (s *Server) task(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if !hoadon.ValidID(id) {
		web.WriteError(r.Context(), w, s.log, hoadon.Errorf(hoadon.CodeInvalid, "task id %q is not valid", id))
		return
	}
	ctx := logx.With(r.Context(), "import", id)
	switch {
	case action == "status" && r.Method == http.MethodGet:
		s.status(ctx, w, id)
	case action == "cancel" && r.Method == http.MethodPost:
		s.cancel(ctx, w, id)
	case action == "invoices" && r.Method == http.MethodGet:
		s.invoices(ctx, w, id)
	case action == "events" && r.Method == http.MethodGet:
		s.events(ctx, w, id)
	case action == "status" || action == "invoices" || action == "events":
		web.MethodNotAllowed(w, r, http.MethodGet)
	case action == "cancel":
		web.MethodNotAllowed(w, r, http.MethodPost)
	default:
		s.notFound(w, r)
	}
}

func (s *Server) status(ctx context.Context, w http.ResponseWriter, id string) {
	p, err := s.svc.ProgressFor(ctx, access(ctx), id)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, statusOf(p))
}

func (s *Server) cancel(ctx context.Context, w http.ResponseWriter, id string) {
	p, err := s.svc.CancelFor(ctx, access(ctx), id)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, statusOf(p))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodGet {
		web.MethodNotAllowed(w, r, http.MethodGet)
		return
	}
	company := r.URL.Query().Get("company_id")
	if company != "" {
		if err := hoadon.ValidateMST(company); err != nil {
			web.WriteError(ctx, w, s.log, err)
			return
		}
	}
	limit := 50
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			web.WriteError(ctx, w, s.log, hoadon.Errorf(hoadon.CodeInvalid, "limit must be 1..500"))
			return
		}
		limit = n
	}
	imps, err := s.svc.ImportsFor(ctx, access(ctx), company, limit)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	out := make([]TaskSummary, 0, len(imps))
	for _, imp := range imps {
		out = append(out, TaskSummary{TaskID: imp.ID, TaskType: imp.Params.TaskType, CompanyID: imp.Params.CompanyID,
			Status: imp.State, From: imp.Params.From, To: imp.Params.To, CreatedAt: imp.CreatedAt, FinishedAt: imp.FinishedAt})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"tasks": out})
}

// TaskSummary is one import in a list.
type TaskSummary struct {
	TaskID     string             `json:"task_id"`
	TaskType   string             `json:"task_type"`
	CompanyID  string             `json:"company_id"`
	Status     hoadon.ImportState `json:"status"`
	From       string             `json:"date_range_start"`
	To         string             `json:"date_range_end"`
	CreatedAt  time.Time          `json:"created_at"`
	FinishedAt time.Time          `json:"finished_at,omitzero"`
}

func (s *Server) invoices(ctx context.Context, w http.ResponseWriter, id string) {
	var enc *json.Encoder
	err := s.svc.InvoicesFor(ctx, access(ctx), id, func(inv hoadon.Invoice) error {
		if enc == nil {
			w.Header().Set("Content-Type", "application/x-ndjson")
			enc = json.NewEncoder(w)
		}
		return enc.Encode(inv)
	})
	switch {
	case err != nil && enc == nil:
		web.WriteError(ctx, w, s.log, err)
	case err != nil:
		s.log.ErrorContext(ctx, "listing invoices", "err", err) // headers are sent: the client sees a short stream
	case enc == nil:
		w.Header().Set("Content-Type", "application/x-ndjson")
	}
}

func (s *Server) events(ctx context.Context, w http.ResponseWriter, id string) {
	evs, err := s.svc.EventsFor(ctx, access(ctx), id)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	out := make([]json.RawMessage, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Data)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"events": out})
}

// access is the caller's access as the auth guard found it; a request that
// reached the API without a guard may reach nothing.
func access(ctx context.Context) hoadon.Access {
	p, _ := auth.PrincipalFrom(ctx)
	return p.Access
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	web.WriteJSON(w, http.StatusOK, map[string]string{"status": "healthy"})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	web.WriteError(r.Context(), w, s.log, hoadon.Errorf(hoadon.CodeNotFound, "no route %s %s", r.Method, strings.TrimSpace(r.URL.Path)))
}
