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
// and the schedule, company and subscription routes in their files.
//
// Unknown task types are refused by the importer's registry; every input is
// validated before anything is written.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
	"github.com/hoadon/hoadon/shared/wire"
)

// Server serves the task API.
type Server struct {
	svc    *importer.Service
	log    *slog.Logger
	mux    *http.ServeMux
	routes []string
}

// New returns the API handler over a Service.
func New(svc *importer.Service, log *slog.Logger) *Server {
	s := &Server{svc: svc, log: log, mux: http.NewServeMux()}
	s.handle("/api/tasks/start", s.start)
	s.handle("/api/tasks", s.list)
	s.handle("/api/tasks/{id}/{action}", s.task)
	s.handle("/health", s.health)
	s.scheduleRoutes()
	s.companyRoutes()
	s.exportRoutes()
	s.subscriptionRoutes()
	s.handle("/", s.notFound)
	return s
}

// handle registers a route and remembers its pattern (Routes).
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, h)
	s.routes = append(s.routes, pattern)
}

// Routes lists the patterns the server registered, in order: the hostile
// suite checks that its cross-tenant matrix covers every /api route.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		web.MethodNotAllowed(w, r, http.MethodPost)
		return
	}
	var body wire.StartBody
	if err := web.DecodeJSON(r, &body); err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	resp, err := s.StartImport(ctx, body, r.Header.Get("Idempotency-Key"))
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	writeStarted(w, resp)
}

// writeStarted answers a start: 202 for a new import, 200 for a running one.
func writeStarted(w http.ResponseWriter, resp wire.StartResponse) {
	status := http.StatusAccepted
	if !resp.Created {
		status = http.StatusOK
	}
	w.Header().Set("Location", resp.StatusURL)
	web.WriteJSON(w, status, resp)
}

// startRequest checks the shape the importer does not see.
func startRequest(b wire.StartBody, idemKey string) (importer.StartRequest, error) {
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
	ctx := logx.With(r.Context(), "import", id)
	switch {
	case action == "status" && r.Method == http.MethodGet:
		answer(ctx, w, s, func() (wire.Status, error) { return s.ImportStatus(ctx, id) })
	case action == "cancel" && r.Method == http.MethodPost:
		answer(ctx, w, s, func() (wire.Status, error) { return s.CancelImport(ctx, id) })
	case action == "invoices" && r.Method == http.MethodGet:
		s.invoices(ctx, w, id)
	case action == "events" && r.Method == http.MethodGet:
		answer(ctx, w, s, func() (wire.EventList, error) {
			evs, err := s.ImportEvents(ctx, id)
			return wire.EventList{Events: evs}, err
		})
	case action == "status" || action == "invoices" || action == "events":
		web.MethodNotAllowed(w, r, http.MethodGet)
	case action == "cancel":
		web.MethodNotAllowed(w, r, http.MethodPost)
	default:
		s.notFound(w, r)
	}
}

// answer writes fn's result as JSON, or its error.
func answer[T any](ctx context.Context, w http.ResponseWriter, s *Server, fn func() (T, error)) {
	v, err := fn()
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, v)
}

// validID accepts the ids this API hands out (UUIDs) and nothing that could
// be a Firestore path or a reserved id (hoadon.ValidateID).
func validID(id string) bool { return hoadon.ValidateID("id", id) == nil }

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
	answer(ctx, w, s, func() (wire.TaskList, error) {
		out, err := s.Imports(ctx, company, limit)
		return wire.TaskList{Tasks: out}, err
	})
}

func (s *Server) invoices(ctx context.Context, w http.ResponseWriter, id string) {
	var enc *json.Encoder
	err := s.ImportInvoices(ctx, id, "", func(inv hoadon.Invoice) error {
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

// access is the caller's access as the auth guard (or the console's
// session) found it; a request that reached the API without one may reach
// nothing.
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
