package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
)

// Start starts an import (POST /api/tasks/start). When the API returns an
// import already running, the answer's Created is false.
func (c *Client) Start(ctx context.Context, r StartRequest) (StartResponse, error) {
	username := r.Username
	if username == "" {
		username = r.CompanyID
	}
	body := wire.StartBody{TaskType: r.TaskType, TaskParams: wire.TaskParams{CompanyID: r.CompanyID, CompanyName: r.CompanyName,
		Credentials: &wire.Credentials{Username: username, Password: r.Password}, DateRangeStart: r.From, DateRangeEnd: r.To,
		Flows: r.Flows, Force: r.Force}}
	if body.TaskType == "" {
		body.TaskType = DefaultTaskType
	}
	hdr := http.Header{}
	if r.IdempotencyKey != "" {
		hdr.Set("Idempotency-Key", r.IdempotencyKey)
	}
	var out StartResponse
	if _, err := c.call(ctx, http.MethodPost, "/api/tasks/start", body, &out, hdr); err != nil {
		return StartResponse{}, err
	}
	if out.TaskID == "" {
		return StartResponse{}, hoadon.Errorf(hoadon.CodeBadData, "client.Start: the answer names no task_id")
	}
	return out, nil
}

// Status returns an import's progress (GET /api/tasks/{id}/status).
func (c *Client) Status(ctx context.Context, id string) (Status, error) {
	var out Status
	_, err := c.call(ctx, http.MethodGet, taskPath(id, "status"), nil, &out, nil)
	return out, err
}

// Cancel cancels a running import (POST /api/tasks/{id}/cancel) and
// returns its status afterwards.
func (c *Client) Cancel(ctx context.Context, id string) (Status, error) {
	var out Status
	_, err := c.call(ctx, http.MethodPost, taskPath(id, "cancel"), nil, &out, nil)
	return out, err
}

// List returns the imports of a company, newest first (GET
// /api/tasks?company_id=&limit=). An empty company lists every company's;
// limit 0 takes the API's default (50).
func (c *Client) List(ctx context.Context, company string, limit int) ([]TaskSummary, error) {
	q := url.Values{}
	if company != "" {
		q.Set("company_id", company)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/api/tasks"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out wire.TaskList
	_, err := c.call(ctx, http.MethodGet, path, nil, &out, nil)
	return out.Tasks, err
}

// Invoices streams every invoice of an import (GET
// /api/tasks/{id}/invoices, NDJSON) to fn, with the line it was decoded
// from so callers can pass the API's fields on unchanged. An error from fn
// stops the stream and is returned.
func (c *Client) Invoices(ctx context.Context, id string, fn func(inv hoadon.Invoice, raw json.RawMessage) error) error {
	resp, err := c.send(ctx, http.MethodGet, taskPath(id, "invoices"), nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return hoadon.Errorf(hoadon.CodeBadData, "client.Invoices: stream cut or unreadable: %w", err)
		}
		var inv hoadon.Invoice
		if err := json.Unmarshal(raw, &inv); err != nil {
			return hoadon.Errorf(hoadon.CodeBadData, "client.Invoices: unreadable invoice: %w", err)
		}
		if err := fn(inv, raw); err != nil {
			return err
		}
	}
}

// Events returns the events of an import in the order they happened (GET
// /api/tasks/{id}/events).
func (c *Client) Events(ctx context.Context, id string) ([]Event, error) {
	var out wire.EventList
	if _, err := c.call(ctx, http.MethodGet, taskPath(id, "events"), nil, &out, nil); err != nil {
		return nil, err
	}
	evs := make([]Event, 0, len(out.Events))
	for _, raw := range out.Events {
		var e Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, hoadon.Errorf(hoadon.CodeBadData, "client.Events: unreadable event: %w", err)
		}
		e.Raw = raw
		evs = append(evs, e)
	}
	return evs, nil
}

// taskPath escapes the id so that no id can reach another route.
func taskPath(id, action string) string {
	return "/api/tasks/" + url.PathEscape(id) + "/" + action
}
