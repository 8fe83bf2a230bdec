package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hoadon/hoadon/shared/wire"
)

// Completeness returns a company's month × flow matrix (GET
// /api/companies/{mst}/completeness?from=&to=, months YYYY-MM; both empty:
// the last 12 months).
func (c *Client) Completeness(ctx context.Context, mst, from, to string) (wire.Completeness, error) {
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	if to != "" {
		q.Set("to", to)
	}
	p := "/api/companies/" + url.PathEscape(mst) + "/completeness"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	var out wire.Completeness
	_, err := c.call(ctx, http.MethodGet, p, nil, &out, nil)
	return out, err
}

// Recheck starts a recheck of the months before the current one (POST
// /api/companies/{mst}/recheck).
func (c *Client) Recheck(ctx context.Context, mst string, body wire.RecheckBody) (wire.RecheckAnswer, error) {
	var out wire.RecheckAnswer
	_, err := c.call(ctx, http.MethodPost, "/api/companies/"+url.PathEscape(mst)+"/recheck", body, &out, nil)
	return out, err
}

// InvoiceRecord returns one invoice of a company's catalogue with its
// portal status history and related invoices.
func (c *Client) InvoiceRecord(ctx context.Context, mst, id string) (wire.InvoiceRecord, error) {
	var out wire.InvoiceRecord
	_, err := c.call(ctx, http.MethodGet, "/api/companies/"+url.PathEscape(mst)+"/invoices/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}
