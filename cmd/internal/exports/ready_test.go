package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/export/exporttest"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// TestScheduledExportReady runs a schedule with export on (triggered, as a
// tick would start it): when its import completes, the workbook of its
// period is in the bucket under the tenant's prefix, export.ready names it
// after import.completed, and the workbook shows what the simulator issued.
func TestScheduledExportReady(t *testing.T) {
	co := h.Stack.GDT().Companies()[0]
	code, out, raw := h.Call(t, "POST", "/api/schedules/create", map[string]any{
		"schedule_id": "daily-export", "task_type": hoadon.TaskTypeInvoiceImport, "hour": 6, "export": true, "lookback_days": 20,
		"task_params": map[string]any{"company_id": co.MST, "credentials": map[string]string{"username": co.MST, "password": co.Password},
			"flows": []string{"mua_vao_dien_tu", "mua_vao_may_tinh_tien"}},
	})
	if sc, _ := out["schedule"].(map[string]any); code != http.StatusCreated || sc["task_params"].(map[string]any)["export"] != true {
		t.Fatalf("create = %d %s", code, raw)
	}
	code, out, raw = h.Call(t, "POST", "/api/schedules/daily-export/trigger", nil)
	if code != http.StatusAccepted {
		t.Fatalf("trigger = %d %s", code, raw)
	}
	id := out["task_id"].(string)
	c := apiClient(t, h.Env["HOADON_API_KEY"])
	st := waitCompleted(t, c, id)
	evs, err := c.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var ready []events.ExportReady
	completedAt := -1
	for i, e := range evs {
		switch e.Type {
		case string(events.ImportCompletedType):
			completedAt = i
		case string(events.ExportReadyType):
			var d events.ExportReady
			if err := json.Unmarshal(e.Data, &d); err != nil || e.Subject != id || completedAt < 0 {
				t.Fatalf("export.ready %s (subject %s, after import.completed at %d): %v", e.Data, e.Subject, completedAt, err)
			}
			ready = append(ready, d)
		}
	}
	if len(ready) != 1 {
		t.Fatalf("%d export.ready events, want one (purchases): %+v", len(ready), ready)
	}
	d := ready[0]
	wantObject := "tenants/default/exports/" + co.MST + "/" + id + "/" + co.MST + "_purchase_" + st.From + "_" + st.To + ".xlsx"
	if d.Object != wantObject || d.Direction != hoadon.Purchase || d.From != st.From || d.To != st.To {
		t.Fatalf("export.ready %+v; want object %s of %s..%s", d, wantObject, st.From, st.To)
	}
	book := readObject(t, d.Object)

	// what the workbook must show: the simulator's invoices of the period,
	// their XML taken from the bundle of the same selection
	var bundle bytes.Buffer
	req := client.ExportRequest{Company: co.MST, Direction: hoadon.Purchase, From: st.From, To: st.To, Format: "zip"}
	if _, err := c.Export(context.Background(), req, &bundle, nil); err != nil {
		t.Fatal(err)
	}
	f, _ := time.Parse(time.DateOnly, st.From)
	l, _ := time.Parse(time.DateOnly, st.To)
	sim := h.Stack.GDT()
	wants, shapes, err := e2e.ExportWants(bundle.Bytes(), sim.Invoices(co.MST, f, l), sim.SignatureState, co.MST, hoadon.Purchase)
	if err != nil {
		t.Fatal(err)
	}
	if len(wants) == 0 || d.Invoices != len(wants) {
		t.Fatalf("export.ready counts %d invoices, the simulator issued %d (%+v)", d.Invoices, len(wants), shapes)
	}
	for _, diff := range exporttest.Check(book, wants) {
		t.Error(diff)
	}
	t.Logf("scheduled import %s of %s..%s: %s, %d invoices (%+v)", id, st.From, st.To, d.Object, d.Invoices, shapes)
}

type period struct{ From, To string }

func waitCompleted(t *testing.T, c *client.Client, id string) period {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		st, err := c.Status(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		switch st.Status {
		case hoadon.ImportCompleted:
			return period{st.From, st.To}
		case hoadon.ImportFailed, hoadon.ImportCancelled:
			t.Fatalf("import %s: %+v", id, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("import %s did not complete in 3 minutes", id)
	return period{}
}

func readObject(t *testing.T, name string) []byte {
	t.Helper()
	ctx := context.Background()
	gcs, err := storage.NewClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gcs.Close()
	r, err := gcs.Bucket(h.Env["HOADON_BUCKET"]).Object(name).NewReader(ctx)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Fatalf("%s: %d bytes, %v", name, len(b), err)
	}
	return b
}
