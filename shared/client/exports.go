package client

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// ExportRequest selects an export: a company's purchase or sales invoices
// of a period, as the bảng kê workbook or the period bundle.
type ExportRequest struct {
	Company   string           // MST
	Direction hoadon.Direction // purchase or sold
	From, To  string           // YYYY-MM-DD, inclusive
	Format    string           // "xlsx" (default) or "zip"
	English   bool             // English sheet names and headers
}

// Path is the request's API path and query:
// /api/companies/{mst}/exports/{direction}.{xlsx|zip}?from&to[&lang=en].
func (r ExportRequest) Path() string {
	format := r.Format
	if format == "" {
		format = "xlsx"
	}
	q := url.Values{"from": {r.From}, "to": {r.To}}
	if r.English {
		q.Set("lang", "en")
	}
	return "/api/companies/" + url.PathEscape(r.Company) + "/exports/" + url.PathEscape(string(r.Direction)+"."+format) + "?" + q.Encode()
}

// Export downloads an export into w and returns the bytes written. progress,
// if not nil, is called as bytes arrive with the total the server announced
// (-1 when it streams without a length).
func (c *Client) Export(ctx context.Context, r ExportRequest, w io.Writer, progress func(done, total int64)) (int64, error) {
	resp, err := c.send(ctx, http.MethodGet, r.Path(), nil, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var dst io.Writer = w
	if progress != nil {
		dst = &progressWriter{w: w, total: resp.ContentLength, fn: progress}
	}
	n, err := io.Copy(dst, resp.Body)
	switch {
	case err != nil && ctx.Err() != nil:
		return n, ctx.Err()
	case err != nil:
		return n, hoadon.Errorf(hoadon.CodeTransient, "client.Export: download cut after %d bytes: %w", n, err)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return n, hoadon.Errorf(hoadon.CodeTransient, "client.Export: got %d of %d bytes", n, resp.ContentLength)
	}
	return n, nil
}

type progressWriter struct {
	w     io.Writer
	done  int64
	total int64
	fn    func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.fn(p.done, p.total)
	return n, err
}
