package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// apiClient talks to the task API the way any client does.
type apiClient struct {
	base string
	hc   *http.Client
}

func newAPIClient(base string) *apiClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &apiClient{base: base, hc: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// importStatus is the part of GET /api/tasks/{id}/status bench reads.
type importStatus struct {
	Status     string         `json:"status"`
	Counts     map[string]int `json:"counts"`
	Total      int            `json:"total"`
	Error      string         `json:"error"`
	CreatedAt  time.Time      `json:"created_at"`
	FinishedAt time.Time      `json:"finished_at"`
}

func (s importStatus) final() bool {
	return s.Status == "completed" || s.Status == "failed" || s.Status == "cancelled"
}

// startBody is an import of one month of every flow for a simulator account.
func startBody(c company, from, to string) map[string]any {
	return map[string]any{
		"task_type": "gdt_invoice_import",
		"task_params": map[string]any{
			"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password},
			"date_range_start": from, "date_range_end": to,
		},
	}
}

// start posts an import and returns its id, the HTTP status and the latency.
func (a *apiClient) start(ctx context.Context, body map[string]any) (string, int, time.Duration, error) {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/api/tasks/start", bytes.NewReader(raw))
	if err != nil {
		return "", 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		TaskID string `json:"task_id"`
	}
	code, took, err := a.do(req, &out)
	if err == nil && code != http.StatusAccepted && code != http.StatusOK {
		err = fmt.Errorf("start: HTTP %d", code)
	}
	return out.TaskID, code, took, err
}

// cancel cancels an import; one already final is not an error.
func (a *apiClient) cancel(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/api/tasks/"+id+"/cancel", nil)
	if err != nil {
		return err
	}
	var out map[string]any
	code, _, err := a.do(req, &out)
	if err == nil && code != http.StatusOK && code != http.StatusConflict {
		err = fmt.Errorf("cancel %s: HTTP %d %v", id, code, out)
	}
	return err
}

// status reads an import's status and the latency of the call.
func (a *apiClient) status(ctx context.Context, id string) (importStatus, time.Duration, error) {
	var st importStatus
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/api/tasks/"+id+"/status", nil)
	if err != nil {
		return st, 0, err
	}
	code, took, err := a.do(req, &st)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("status %s: HTTP %d", id, code)
	}
	return st, took, err
}

// do sends req and decodes the JSON answer; the latency covers the whole
// answer being read.
func (a *apiClient) do(req *http.Request, out any) (int, time.Duration, error) {
	t0 := time.Now()
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	took := time.Since(t0)
	if err != nil {
		return resp.StatusCode, took, err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return resp.StatusCode, took, fmt.Errorf("%s %s: HTTP %d, body %.200q", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	return resp.StatusCode, took, nil
}
