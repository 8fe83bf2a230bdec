package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/web"
	"github.com/hoadon/hoadon/shared/wire"
)

// The origin system's clients keep working: every field of its answers
// (testdata/origin, shapes of the origin's FastAPI answers) is in ours, with
// a JSON type they can read, and its start request is accepted as it is.

func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "origin", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// asMap is v's JSON encoding decoded as an object.
func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// sameShape reports, at path, every field of want missing from got or of
// another JSON type. A null in want accepts anything; a null in got is
// accepted only where want has null.
func sameShape(t *testing.T, path string, want, got map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s%s: missing", path, k)
		case w == nil:
		case g == nil:
			t.Errorf("%s%s: null, the origin sends %T", path, k, w)
		default:
			wm, wIsMap := w.(map[string]any)
			gm, gIsMap := g.(map[string]any)
			switch {
			case wIsMap && gIsMap:
				sameShape(t, path+k+".", wm, gm)
			case jsonType(w) != jsonType(g):
				t.Errorf("%s%s: %s, the origin sends %s", path, k, jsonType(g), jsonType(w))
			}
		}
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

func TestOriginStartRequest(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "origin", "start_request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b wire.StartBody
	if err := web.Unmarshal(raw, &b); err != nil {
		t.Fatalf("the origin's start request is refused: %v", err)
	}
	req, err := startRequest(b, "")
	if err != nil {
		t.Fatal(err)
	}
	p := req.Params
	if p.CompanyID != "0100109106" || p.From != "2025-10-01" || p.To != "2025-10-31" || len(p.Flows) != 2 ||
		req.Password != "not-a-real-password" || p.Username != "0100109106" {
		t.Errorf("start request read as %+v", req)
	}
}

func TestOriginStartResponse(t *testing.T) {
	ours := wire.StartResponse{TaskID: "i1", WorkflowID: "i1", TaskType: hoadon.TaskTypeInvoiceImport,
		Status: hoadon.ImportPending, StatusURL: "/api/tasks/i1/status", Created: true, Message: "import started"}
	sameShape(t, "", fixture(t, "start_response.json"), asMap(t, ours))
}

func TestOriginStatus(t *testing.T) {
	created := time.Date(2025, 10, 16, 3, 0, 0, 0, time.UTC)
	counts := func(stored, failed, waiting int) hoadon.Counts {
		c := hoadon.NewCounts()
		c.Add(hoadon.FlowSoldEInvoice, hoadon.StatusStored, stored)
		c.Add(hoadon.FlowSoldEInvoice, hoadon.StatusFailed, failed)
		c.Add(hoadon.FlowSoldEInvoice, hoadon.StatusDiscovered, waiting)
		return c
	}
	imp := hoadon.Import{ID: "i1", Params: hoadon.ImportParams{TaskType: hoadon.TaskTypeInvoiceImport, CompanyID: "0100109106",
		From: "2025-10-01", To: "2025-10-31", Flows: []hoadon.Flow{hoadon.FlowSoldEInvoice}}, CreatedAt: created, StartedAt: created}
	running, completed, failed := imp, imp, imp
	running.State = hoadon.ImportRunning
	completed.State, completed.FinishedAt = hoadon.ImportCompleted, created.Add(40*time.Minute)
	failed.State, failed.FinishedAt, failed.Reason = hoadon.ImportFailed, created.Add(time.Minute), "login failed: wrong password"
	cases := []struct {
		fixture string
		p       importer.Progress
		check   func(t *testing.T, st wire.Status)
	}{
		{"status_running.json", importer.Progress{Import: running, Counts: counts(40, 2, 78), Pending: 78},
			func(t *testing.T, st wire.Status) {
				if st.Progress != (wire.Progress{TotalInvoices: 120, CompletedInvoices: 40, FailedInvoices: 2, Percentage: 35}) ||
					st.Result != nil || st.EndTime != nil || st.Error != nil || !st.StartTime.Equal(created) {
					t.Errorf("running: %+v", st)
				}
			}},
		{"status_completed.json", importer.Progress{Import: completed, Counts: counts(118, 2, 0)},
			func(t *testing.T, st wire.Status) {
				if st.Result == nil || st.Result.SuccessRate != 0.9833 || st.Result.CompletedInvoices != 118 ||
					st.Progress.Percentage != 100 || st.EndTime == nil || st.Result.ResultRef != st.Manifest {
					t.Errorf("completed: %+v %+v", st, st.Result)
				}
			}},
		{"status_failed.json", importer.Progress{Import: failed, Counts: hoadon.NewCounts()},
			func(t *testing.T, st wire.Status) {
				if st.ErrorText() != failed.Reason || st.Result == nil || st.Result.Error != failed.Reason {
					t.Errorf("failed: %+v", st)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			st := StatusOf(c.p)
			got := asMap(t, st)
			sameShape(t, "", fixture(t, c.fixture), got)
			if got["workflow_id"] != "i1" || got["task_type"] != hoadon.TaskTypeInvoiceImport || got["status"] != string(c.p.Import.State) {
				t.Errorf("origin fields %v", got)
			}
			c.check(t, st)
		})
	}
}
