package api

import (
	"net/http"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
	"github.com/hoadon/hoadon/shared/wire"
)

// companyRoutes serves what a tenant knows of a company's invoices:
//
//	GET  /api/companies                                            the caller's companies' summaries
//	GET  /api/companies/{mst}/completeness?from=YYYY-MM&to=YYYY-MM  the month × flow matrix
//	POST /api/companies/{mst}/recheck                              list past months again
//	GET  /api/companies/{mst}/invoices/{id}                        one invoice: status, history, links
func (s *Server) companyRoutes() {
	s.handle("GET /api/companies", s.companies)
	s.handle("GET /api/companies/{mst}/completeness", s.completeness)
	s.handle("POST /api/companies/{mst}/recheck", s.recheck)
	s.handle("GET /api/companies/{mst}/invoices/{id}", s.invoiceRecord)
}

// companyOf validates the {mst} of a company route.
func companyOf(r *http.Request) (string, error) {
	mst := r.PathValue("mst")
	if err := hoadon.ValidateMST(mst); err != nil {
		return "", err
	}
	return mst, nil
}

func (s *Server) completeness(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mst, err := companyOf(r)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	q := r.URL.Query()
	out, err := s.svc.CompletenessFor(logx.With(ctx, "company", mst), access(ctx), mst, q.Get("from"), q.Get("to"))
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) recheck(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mst, err := companyOf(r)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	var body wire.RecheckBody
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			web.WriteError(ctx, w, s.log, err)
			return
		}
	}
	ctx = logx.With(ctx, "company", mst)
	imp, created, err := s.svc.RecheckFor(ctx, access(ctx), mst, body.Months, body.Flows)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	out := wire.RecheckAnswer{TaskID: imp.ID, Status: imp.State, StatusURL: "/api/tasks/" + imp.ID + "/status",
		From: imp.Params.From, To: imp.Params.To, Created: created}
	status := http.StatusAccepted
	if !created {
		status = http.StatusOK
	}
	w.Header().Set("Location", out.StatusURL)
	web.WriteJSON(w, status, out)
}

func (s *Server) invoiceRecord(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	mst, err := companyOf(r)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	id := r.PathValue("id")
	if !validID(id) {
		web.WriteError(ctx, w, s.log, hoadon.Errorf(hoadon.CodeInvalid, "invoice id %q is not valid", id))
		return
	}
	out, err := s.svc.InvoiceRecordFor(ctx, access(ctx), mst, id)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		err = hoadon.Errorf(hoadon.CodeNotFound, "no invoice %s of %s", id, mst)
	}
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) companies(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	out, err := s.Companies(ctx)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, wire.Companies{Companies: out})
}
