package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/sink"
	"github.com/hoadon/hoadon/shared/wire"
)

// listEndpoints are the simulator's list endpoints (one per flow).
var listEndpoints = []string{"/query/invoices/sold", "/sco-query/invoices/sold", "/query/invoices/purchase", "/sco-query/invoices/purchase"}

// TestRecheckFindsStatusChangesAndLateInvoices: a company's two past
// months are imported; at the portal one invoice is replaced, one adjusted,
// one cancelled and two arrive late (one without XML); a recheck lists the
// months again, downloads only the new invoices, records the three changes
// with their events, and the completeness matrix equals the simulator's
// ground truth, month by month and flow by flow.
func TestRecheckFindsStatusChangesAndLateInvoices(t *testing.T) {
	sim := h.Stack.GDT()
	co := sim.Companies()[5]
	rfrom, rto := importer.RecheckWindow(time.Now(), 2)
	importRange(t, co, rfrom.String(), rto.String())
	months := []string{rfrom.Format("2006-01"), rto.Format("2006-01")}
	checkMatrix(t, co.MST, months, rfrom, rto, map[string]int{})

	// Changes at the portal.
	truth := sim.Invoices(co.MST, rfrom.Time, rto.Time)
	pick := func(flow string, month string) gdtsim.Truth {
		for _, tr := range truth {
			if tr.Flow == flow && tr.TThai == 1 && tr.HasXML && strings.HasPrefix(tr.Date, month) {
				return tr
			}
		}
		t.Fatalf("no invoice of %s in %s to change", flow, month)
		return gdtsim.Truth{}
	}
	replaced, adjusted, cancelled := pick("ban_ra_dien_tu", months[0]), pick("mua_vao_dien_tu", months[1]), pick("ban_ra_may_tinh_tien", months[1])
	rep, err := sim.Replace(co.MST, replaced.Key(), time.Time{})
	must(t, err)
	adj, err := sim.Adjust(co.MST, adjusted.Key(), time.Time{})
	must(t, err)
	_, err = sim.Cancel(co.MST, cancelled.Key())
	must(t, err)
	lateDay := rfrom.AddDays(9).Time
	_, err = sim.AddLate(co.MST, "mua_vao_dien_tu", lateDay, true)
	must(t, err)
	_, err = sim.AddLate(co.MST, "mua_vao_may_tinh_tien", lateDay, false)
	must(t, err)

	// The recheck.
	sim.ResetStats()
	code, out := request(t, "POST", "/api/companies/"+co.MST+"/recheck", map[string]any{"months": 2})
	if code != http.StatusAccepted || out["date_range_start"] != rfrom.String() || out["date_range_end"] != rto.String() {
		t.Fatalf("recheck = %d %v", code, out)
	}
	rid := out["task_id"].(string)
	st := waitFor(t, rid, 3*time.Minute, final)
	if st["status"] != "completed" || count(st, "stored") != 3 || count(st, "unavailable") != 1 || count(st, "failed") != 0 ||
		count(st, "skipped") != len(truth) {
		t.Fatalf("recheck %v: counts %v; want 3 stored (replacement, adjustment, late), 1 unavailable, %d skipped", st["status"], st["counts"], len(truth))
	}
	stats := sim.Stats()
	var lists, listCalls int64
	for _, ep := range listEndpoints {
		lists += stats.Count(ep, http.StatusOK)
		listCalls += stats.Total(ep)
	}
	exports := stats.Count("/query/invoices/export-xml", http.StatusOK) + stats.Count("/sco-query/invoices/export-xml", http.StatusOK)
	if lists != 2*4 || exports != 3 {
		t.Errorf("recheck cost: %d list pages answered (want 8: 2 months × 4 flows × 1 page), %d ZIPs downloaded (want 3, the new invoices with XML)\n%s", lists, exports, stats)
	}
	t.Logf("recheck of 2 months × 4 flows: %d list pages answered (%.1f per month; %d list calls with the injected 5xx/429), %d ZIPs downloaded for 3 new invoices with XML", lists, float64(lists)/2, listCalls, exports)

	// The matrix equals the ground truth now, with the changes counted.
	checkMatrix(t, co.MST, months, rfrom, rto, map[string]int{
		months[0] + "_ban_ra_dien_tu": 1, months[1] + "_mua_vao_dien_tu": 1, months[1] + "_ban_ra_may_tinh_tien": 1})

	// The replaced invoice's record: status 4, its history, both links.
	key := func(k gdtsim.Key) hoadon.InvoiceKey {
		return hoadon.InvoiceKey{NBMST: k.NBMST, KHMSHDon: k.KHMSHDon, KHHDon: k.KHHDon, SHDon: k.SHDon}
	}
	origID := key(replaced.Key()).ID(co.MST, hoadon.Sold)
	code, _, raw := h.Call(t, "GET", "/api/companies/"+co.MST+"/invoices/"+origID, nil)
	var rec wire.InvoiceRecord
	must(t, json.Unmarshal([]byte(raw), &rec))
	if code != 200 || rec.TThai != 4 || len(rec.History) != 1 || rec.History[0].From != 1 || rec.History[0].To != 4 || rec.History[0].ImportID != rid ||
		len(rec.Related) != 1 || rec.Related[0].Rel != "replacement" || rec.Related[0].Key != key(rep.Invoice.Key()) {
		t.Errorf("record of the replaced invoice: %d %s", code, raw)
	}

	// Three status_changed events reached the subscriber, naming the
	// replacement and the adjustment.
	changes := receivedChanges(t, rid, 3)
	want := map[string]string{
		key(replaced.Key()).String():  fmt.Sprintf("1→4 %s", key(rep.Invoice.Key())),
		key(adjusted.Key()).String():  fmt.Sprintf("1→5 %s", key(adj.Invoice.Key())),
		key(cancelled.Key()).String(): "1→6 <nil>",
	}
	for k, w := range want {
		if changes[k] != w {
			t.Errorf("status_changed of %s: %q, want %q (all %v)", k, changes[k], w, changes)
		}
	}
}

// importRange imports a company's range with its password and waits.
func importRange(t *testing.T, co gdtsim.Company, from, to string) {
	t.Helper()
	body := startBody(co.MST, co.Password)
	body["task_params"].(map[string]any)["date_range_start"] = from
	body["task_params"].(map[string]any)["date_range_end"] = to
	code, out := request(t, "POST", "/api/tasks/start", body)
	if code != http.StatusAccepted {
		t.Fatalf("start = %d %v", code, out)
	}
	id := out["task_id"].(string)
	if st := waitFor(t, id, 3*time.Minute, final); st["status"] != "completed" {
		t.Fatalf("import %v: %v", st["status"], st["error"])
	}
}

// checkMatrix compares GET /api/companies/{mst}/completeness with the
// simulator's truth: every cell verified, listed = truth = stored +
// unavailable, nothing failed or flagged, status changes as given.
func checkMatrix(t *testing.T, mst string, months []string, from, to hoadon.Date, changes map[string]int) {
	t.Helper()
	code, _, raw := h.Call(t, "GET", "/api/companies/"+mst+"/completeness?from="+months[0]+"&to="+months[1], nil)
	var m wire.Completeness
	if code != 200 || json.Unmarshal([]byte(raw), &m) != nil {
		t.Fatalf("completeness = %d %s", code, raw)
	}
	type cnt struct{ all, xml int }
	truth := map[string]cnt{}
	for _, tr := range h.Stack.GDT().Invoices(mst, from.Time, to.Time) {
		c := truth[tr.Date[:7]+"_"+tr.Flow]
		c.all++
		if tr.HasXML {
			c.xml++
		}
		truth[tr.Date[:7]+"_"+tr.Flow] = c
	}
	if len(m.Cells) != 8 || m.Flagged != 0 {
		t.Fatalf("%d cells, %d flagged: %s", len(m.Cells), m.Flagged, raw)
	}
	for _, c := range m.Cells {
		k := c.Month + "_" + string(c.Flow)
		w := truth[k]
		if c.Listed == nil || *c.Listed != w.all || c.PortalTotal == nil || *c.PortalTotal != w.all || c.Discovered != w.all ||
			c.Stored != w.xml || c.Unavailable != w.all-w.xml || c.Failed != 0 || c.StatusChanges != changes[k] || c.Flagged || c.VerifiedAt.IsZero() {
			t.Errorf("cell %s: %+v (listed %v, portal %v); want %d listed, %d stored, %d changes", k, c, optInt(c.Listed), optInt(c.PortalTotal), w.all, w.xml, changes[k])
		}
	}
}

func optInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// receivedChanges waits for n status_changed events of an import at the
// sink and returns "old→new related" by invoice key.
func receivedChanges(t *testing.T, importID string, n int) map[string]string {
	t.Helper()
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, h.Env["HOADON_PROJECT"])
	must(t, err)
	defer fs.Close()
	st := sink.NewStore(fs, nil)
	out := map[string]string{}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && len(out) < n; time.Sleep(200 * time.Millisecond) {
		recs, err := st.Received(ctx, importID)
		must(t, err)
		for _, r := range recs {
			if r.Type != "vn.hoadon.invoice.status_changed" {
				continue
			}
			var d struct {
				Invoice hoadon.InvoiceKey  `json:"invoice"`
				Old     int                `json:"old_tthai"`
				New     int                `json:"new_tthai"`
				Related *hoadon.InvoiceKey `json:"related"`
			}
			must(t, json.Unmarshal(r.Data, &d))
			rel := "<nil>"
			if d.Related != nil {
				rel = d.Related.String()
			}
			out[d.Invoice.String()] = fmt.Sprintf("%d→%d %s", d.Old, d.New, rel)
		}
	}
	if len(out) != n {
		t.Fatalf("%d status_changed events received, want %d: %v", len(out), n, out)
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
