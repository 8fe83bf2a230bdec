package gdt

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// ListQuery is one list request: a flow, a window spanning less than one
// month (the portal answers 400 to longer spans; it accepts windows such as
// 06/03..05/04, not only calendar months) and an optional ttxly filter.
type ListQuery struct {
	Flow     hoadon.Flow
	From, To hoadon.Date
	TTXLY    int // 0 = no filter; purchase lists use 5, 6, 8 (§4.8)
	Size     int // 0 = the client's PageSize
}

// Page is one page of a list answer. State is the opaque cursor for the
// next page; "" means the portal says there is none.
type Page struct {
	Invoices []Invoice
	Total    int // the portal's count for the whole window (it fluctuates; informative only)
	State    string
	// Errors holds rows that could not be typed (CodeBadData); the rest of
	// the page is still usable.
	Errors []error
}

// search renders the FIQL filter, e.g.
// tdlap=ge=01/03/2026T00:00:00;tdlap=le=31/03/2026T23:59:59;ttxly==5 (§4.3).
func (q ListQuery) search() string {
	s := "tdlap=ge=" + q.From.Format("02/01/2006") + "T00:00:00;tdlap=le=" + q.To.Format("02/01/2006") + "T23:59:59"
	if q.TTXLY != 0 {
		s += ";ttxly==" + strconv.Itoa(q.TTXLY)
	}
	return s
}

func (q ListQuery) validate() error {
	switch {
	case !q.Flow.Valid():
		return hoadon.Errorf(hoadon.CodeInvalid, "unknown flow %q", q.Flow)
	case q.From.IsZero() || q.To.IsZero() || q.To.Before(q.From.Time):
		return hoadon.Errorf(hoadon.CodeInvalid, "window %s..%s is empty or reversed", q.From, q.To)
	case !q.To.Before(q.From.AddDate(0, 1, 0)):
		return hoadon.Errorf(hoadon.CodeInvalid, "window %s..%s spans more than one month (the portal answers 400)", q.From, q.To)
	case q.Size < 0 || q.Size > 50:
		return hoadon.Errorf(hoadon.CodeInvalid, "page size %d: want 1..50", q.Size)
	}
	return nil
}

// ListPage fetches one page of q; state is "" for the first page and the
// previous Page.State after that.
func (c *Client) ListPage(ctx context.Context, sess *Session, q ListQuery, state string) (Page, error) {
	if err := q.validate(); err != nil {
		return Page{}, fmt.Errorf("gdt.ListPage: %w", err)
	}
	if sess == nil {
		return Page{}, hoadon.Errorf(hoadon.CodeSessionExpired, "gdt.ListPage: no session")
	}
	size := q.Size
	if size == 0 {
		size = c.cfg.PageSize
	}
	params := []param{{"sort", defaultSort}, {"size", strconv.Itoa(size)}, {"search", q.search()}}
	if state != "" {
		params = append(params, param{"state", state})
	}
	cl := call{kind: opData, method: http.MethodGet, path: "/" + string(q.Flow.Family()) + "/invoices/" + string(q.Flow.Direction()),
		query: params, action: "Tìm kiếm", endPoint: listEndPointHeader, accept: defaultAcceptJSON,
		limit: maxJSONBytes, timeout: c.cfg.Timeout}
	r, err := c.send(ctx, sess.cookieJar(), sess.Token, cl)
	if err == nil {
		err = c.classify(opData, r)
	}
	if err != nil {
		return Page{}, fmt.Errorf("gdt.ListPage %s %s: %w", q.Flow, q.From.Format("2006-01"), err)
	}
	p, err := decodePage(r.body, q.Flow)
	if err != nil {
		return Page{}, fmt.Errorf("gdt.ListPage %s %s: %w", q.Flow, q.From.Format("2006-01"), err)
	}
	return p, nil
}

// decodePage reads {datas, total, state, time}.
func decodePage(body []byte, flow hoadon.Flow) (Page, error) {
	var env struct {
		Datas []json.RawMessage `json:"datas"`
		Total json.Number       `json:"total"`
		State *string           `json:"state"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Page{}, hoadon.Wrap(hoadon.CodeBadData, err, "list answer is not {datas,total,state}")
	}
	p := Page{Invoices: make([]Invoice, 0, len(env.Datas))}
	if env.State != nil {
		p.State = *env.State
	}
	if env.Total != "" {
		if n, err := env.Total.Int64(); err == nil {
			p.Total = int(n)
		}
	}
	for _, raw := range env.Datas {
		inv, err := decodeInvoice(raw, flow)
		if err != nil {
			p.Errors = append(p.Errors, err)
			continue
		}
		p.Invoices = append(p.Invoices, inv)
	}
	return p, nil
}
