package api

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
)

// exportRoutes serves the exports of the caller's tenant:
//
//	GET /api/companies/{mst}/exports/{purchase|sold}.{xlsx|zip}?from=YYYY-MM-DD&to=YYYY-MM-DD[&lang=en]
//
// The workbook is built in a temporary file first, so it goes out with its
// Content-Length; the bundle streams as it is written. A viewer may export;
// a company the tenant holds no invoice of is not found, one outside the
// key's allow-list forbidden.
func (s *Server) exportRoutes() {
	s.handle("/api/companies/{mst}/exports/{file}", s.export)
}

// exportRequest is a parsed export request.
type exportRequest struct {
	sel    export.Selection
	format string // xlsx or zip
	opt    export.Options
}

func parseExport(r *http.Request) (exportRequest, error) {
	var req exportRequest
	dir, format, ok := strings.Cut(r.PathValue("file"), ".")
	if !ok || (format != "xlsx" && format != "zip") {
		return req, hoadon.Errorf(hoadon.CodeInvalid, "export %q: want purchase.xlsx, sold.xlsx, purchase.zip or sold.zip", r.PathValue("file"))
	}
	q := r.URL.Query()
	if q.Get("from") == "" || q.Get("to") == "" {
		return req, hoadon.Errorf(hoadon.CodeInvalid, "from and to (YYYY-MM-DD) are required")
	}
	from, err := hoadon.ParseDate(q.Get("from"))
	if err != nil {
		return req, err
	}
	to, err := hoadon.ParseDate(q.Get("to"))
	if err != nil {
		return req, err
	}
	switch q.Get("lang") {
	case "", "vi":
	case "en":
		req.opt.English = true
	default:
		return req, hoadon.Errorf(hoadon.CodeInvalid, "lang %q: want vi or en", q.Get("lang"))
	}
	mst, err := companyOf(r)
	if err != nil {
		return req, err
	}
	req.sel = export.Selection{Company: mst, Direction: hoadon.Direction(dir), From: from, To: to}
	req.format = format
	return req, req.sel.Validate()
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodGet {
		web.MethodNotAllowed(w, r, http.MethodGet)
		return
	}
	req, err := parseExport(r)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	ctx = logx.With(ctx, "company", req.sel.Company)
	src, err := s.svc.ExportSourceFor(ctx, access(ctx), req.sel)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+req.sel.Stem()+"."+req.format+`"`)
	if req.format == "zip" {
		s.streamBundle(ctx, w, src, req)
		return
	}
	s.sendWorkbook(ctx, w, src, req)
}

// sendWorkbook builds the workbook in a temporary file, then sends it with
// its length; a failure before the first byte is an ordinary error answer.
func (s *Server) sendWorkbook(ctx context.Context, w http.ResponseWriter, src export.Source, req exportRequest) {
	tmp, err := os.CreateTemp("", "hoadon-export-*.xlsx")
	if err != nil {
		web.WriteError(ctx, w, s.log, hoadon.Wrap(hoadon.CodeInternal, err, "export: temporary file"))
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := export.WriteWorkbook(ctx, tmp, src, req.sel, req.opt)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	size, err := tmp.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		web.WriteError(ctx, w, s.log, hoadon.Wrap(hoadon.CodeInternal, err, "export: temporary file"))
		return
	}
	w.Header().Set("Content-Type", export.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("X-Hoadon-Invoices", strconv.Itoa(n.Invoices))
	if _, err := io.Copy(w, tmp); err != nil {
		s.log.WarnContext(ctx, "export: sending the workbook", "err", err)
	}
}

// streamBundle writes the bundle straight to the client. An error after
// the first bytes cannot change the status any more: the connection is cut,
// so the client sees a broken download, never a short ZIP that looks whole.
func (s *Server) streamBundle(ctx context.Context, w http.ResponseWriter, src export.Source, req exportRequest) {
	w.Header().Set("Content-Type", "application/zip")
	sw := &startedWriter{w: w}
	if _, err := export.WriteBundle(ctx, sw, src, req.sel, req.opt); err != nil {
		if !sw.started {
			web.WriteError(ctx, w, s.log, err)
			return
		}
		s.log.ErrorContext(ctx, "export: bundle cut", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// startedWriter records whether anything reached the client.
type startedWriter struct {
	w       io.Writer
	started bool
}

func (s *startedWriter) Write(p []byte) (int, error) {
	s.started = true
	return s.w.Write(p)
}
