package gdt_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// simChange posts a /_sim status change and decodes the answer.
func simChange(t *testing.T, srv *gdtsim.Server, op string, body map[string]any, want int, out any) {
	t.Helper()
	r := do(t, http.MethodPost, srv.SimURL()+"/invoices/"+op, "", body, true)
	if r.status != want {
		t.Fatalf("%s %v: %d %s, want %d", op, body, r.status, r.body, want)
	}
	if out != nil {
		r.json(t, out)
	}
}

func keyBody(mst string, k gdtsim.Key) map[string]any {
	return map[string]any{"mst": mst, "nbmst": k.NBMST, "khmshdon": k.KHMSHDon, "khhdon": k.KHHDon, "shdon": k.SHDon}
}

// firstWith returns the first ground-truth invoice of flow with tthai 1.
func firstWith(t *testing.T, truth []gdtsim.Truth, flow string, skip int) gdtsim.Truth {
	t.Helper()
	for _, tr := range truth {
		if tr.Flow == flow && tr.TThai == 1 {
			if skip == 0 {
				return tr
			}
			skip--
		}
	}
	t.Fatalf("no invoice of %s with tthai 1", flow)
	return gdtsim.Truth{}
}

// listed walks a month of a list and indexes its rows by key.
func listed(t *testing.T, srv *gdtsim.Server, tok, family, dir string) map[string]row {
	t.Helper()
	rows, _ := walk(t, srv, tok, family, dir, searchFor(march, marchEnd, ""), 7)
	out := map[string]row{}
	for _, r := range rows {
		out[r.key()] = r
	}
	return out
}

func truthKey(k gdtsim.Key) string {
	return row{NBMST: k.NBMST, KHMSHDon: k.KHMSHDon, KHHDon: k.KHHDon, SHDon: k.SHDon}.key()
}

func TestReplaceAdjustCancelShowInListDetailAndTruth(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 12; o.RelatedShare = 0; o.DossierlessShare = 0 })
	mst := srv.Companies()[0].MST
	tok := login(t, srv, 0)
	before := srv.Invoices(mst, march, marchEnd)
	orig := firstWith(t, before, "ban_ra_dien_tu", 0)
	adj := firstWith(t, before, "mua_vao_dien_tu", 0)
	canc := firstWith(t, before, "ban_ra_may_tinh_tien", 0)

	var rep gdtsim.Change
	simChange(t, srv, "replace", keyBody(mst, orig.Key()), http.StatusOK, &rep)
	if rep.Original.TThai != 4 || rep.Invoice == nil || rep.Invoice.TThai != 2 || *rep.Invoice.Original != orig.Key() ||
		*rep.Original.ReplacedBy != rep.Invoice.Key() || rep.Invoice.Date != orig.Date || rep.Original.XMLSHA256 != orig.XMLSHA256 {
		t.Fatalf("replace: %+v", rep)
	}
	var ad gdtsim.Change
	body := keyBody(mst, adj.Key())
	body["date"] = "2026-03-31"
	simChange(t, srv, "adjust", body, http.StatusOK, &ad)
	if ad.Original.TThai != 5 || ad.Invoice.TThai != 3 || ad.Invoice.Total >= 0 || ad.Invoice.Date != "2026-03-31" {
		t.Fatalf("adjust: %+v", ad)
	}
	var ca gdtsim.Change
	simChange(t, srv, "cancel", keyBody(mst, canc.Key()), http.StatusOK, &ca)
	if ca.Original.TThai != 6 || ca.Invoice != nil {
		t.Fatalf("cancel: %+v", ca)
	}

	// The lists show the new statuses and the new invoices with their links.
	sold := listed(t, srv, tok, "query", "sold")
	if r := sold[truthKey(orig.Key())]; r.TThai != 4 {
		t.Errorf("original listed with tthai %d", r.TThai)
	}
	r := sold[truthKey(rep.Invoice.Key())]
	if r.TThai != 2 || r.KHHDGoc == nil || *r.KHHDGoc != orig.KHHDon || r.SHDGoc == nil || *r.SHDGoc != orig.SHDon {
		t.Errorf("replacement row %+v", r)
	}
	var raw struct {
		TDLHDGoc   string `json:"tdlhdgoc"`
		TTHDCLQuan bool   `json:"tthdclquan"`
	}
	get(t, srv.URL()+"/query/invoices/detail?"+keyQuery(r), tok).json(t, &raw)
	if !raw.TTHDCLQuan || !strings.HasPrefix(raw.TDLHDGoc, orig.TDLap.Format("2006-01-02")) {
		t.Errorf("replacement detail %+v", raw)
	}
	purchase := listed(t, srv, tok, "query", "purchase")
	if purchase[truthKey(adj.Key())].TThai != 5 || purchase[truthKey(ad.Invoice.Key())].TThai != 3 {
		t.Errorf("adjustment pair not listed")
	}
	if listed(t, srv, tok, "sco-query", "sold")[truthKey(canc.Key())].TThai != 6 {
		t.Errorf("cancellation not listed")
	}

	// The replacement's XML names the original and matches the truth.
	files := fetchZip(t, srv, tok, "query", r)
	sum := sha256.Sum256(files["invoice.xml"])
	if hex.EncodeToString(sum[:]) != rep.Invoice.XMLSHA256 || !strings.Contains(string(files["invoice.xml"]), "<TTHDLQuan><TCHDon>1</TCHDon>") {
		t.Errorf("replacement XML: %s", files["invoice.xml"])
	}

	// The ground truth has both new invoices and the new statuses.
	after := srv.Invoices(mst, march, marchEnd)
	if len(after) != len(before)+2 {
		t.Fatalf("truth: %d invoices, want %d", len(after), len(before)+2)
	}
	status := map[string]int{}
	for _, tr := range after {
		status[truthKey(tr.Key())] = tr.TThai
	}
	for k, want := range map[gdtsim.Key]int{orig.Key(): 4, rep.Invoice.Key(): 2, adj.Key(): 5, ad.Invoice.Key(): 3, canc.Key(): 6} {
		if status[truthKey(k)] != want {
			t.Errorf("truth %v: tthai %d, want %d", k, status[truthKey(k)], want)
		}
	}

	// Final statuses refuse further changes; unknown keys are 404.
	simChange(t, srv, "cancel", keyBody(mst, orig.Key()), http.StatusConflict, nil)
	simChange(t, srv, "replace", keyBody(mst, canc.Key()), http.StatusConflict, nil)
	simChange(t, srv, "adjust", keyBody(mst, adj.Key()), http.StatusOK, nil) // adjusted again
	missing := orig.Key()
	missing.SHDon = 9999
	simChange(t, srv, "cancel", keyBody(mst, missing), http.StatusNotFound, nil)
	simChange(t, srv, "cancel", keyBody("0000000000", orig.Key()), http.StatusNotFound, nil)
	early := keyBody(mst, firstWith(t, after, "ban_ra_dien_tu", 1).Key())
	early["date"] = "2026-02-01"
	simChange(t, srv, "replace", early, http.StatusBadRequest, nil)
}

func TestLateInvoiceJoinsAPastMonth(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 5 })
	mst := srv.Companies()[1].MST
	tok := login(t, srv, 1)
	before := listed(t, srv, tok, "query", "purchase")
	var late, noXML gdtsim.Truth
	simChange(t, srv, "late", map[string]any{"mst": mst, "flow": "mua_vao_dien_tu", "date": "2026-03-15"}, http.StatusOK, &late)
	simChange(t, srv, "late", map[string]any{"mst": mst, "flow": "mua_vao_dien_tu", "date": "2026-03-02", "no_xml": true}, http.StatusOK, &noXML)
	if late.Date != "2026-03-15" || late.TThai != 1 || !late.HasXML || noXML.HasXML || late.Flow != "mua_vao_dien_tu" {
		t.Fatalf("late invoices %+v %+v", late, noXML)
	}
	after := listed(t, srv, tok, "query", "purchase")
	if len(after) != len(before)+2 {
		t.Fatalf("%d rows after, %d before", len(after), len(before))
	}
	r, ok := after[truthKey(late.Key())]
	if !ok || !strings.HasPrefix(r.TDLap, "2026-03-14T17:00:00") {
		t.Fatalf("late invoice listed as %+v", r)
	}
	files := fetchZip(t, srv, tok, "query", r)
	if sum := sha256.Sum256(files["invoice.xml"]); hex.EncodeToString(sum[:]) != late.XMLSHA256 {
		t.Error("late invoice XML differs from the truth")
	}
	n := 0
	for _, tr := range srv.Invoices(mst, march, marchEnd) {
		if tr.Key() == late.Key() || tr.Key() == noXML.Key() {
			n++
		}
	}
	if n != 2 {
		t.Errorf("truth holds %d of the 2 late invoices", n)
	}
	for _, bad := range []map[string]any{
		{"mst": mst, "flow": "nope", "date": "2026-03-15"},
		{"mst": mst, "flow": "mua_vao_dien_tu"},
		{"mst": mst, "flow": "mua_vao_dien_tu", "date": "1999-12-31"},
		{"mst": mst, "flow": "mua_vao_dien_tu", "date": "2026-03-15", "extra": 1},
	} {
		simChange(t, srv, "late", bad, http.StatusBadRequest, nil)
	}
	if r := do(t, http.MethodGet, srv.SimURL()+"/invoices/late", "", nil, true); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET late: %d", r.status)
	}
}

// TestChangesUnderConcurrentReads runs status changes while lists are
// walked (go test -race catches unsynchronised access).
func TestChangesUnderConcurrentReads(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 40; o.RelatedShare = 0 })
	mst := srv.Companies()[0].MST
	tok := login(t, srv, 0)
	truth := srv.Invoices(mst, march, marchEnd)
	var victims []gdtsim.Key
	for i := 0; i < 10; i++ {
		victims = append(victims, firstWith(t, truth, "ban_ra_dien_tu", i).Key())
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, k := range victims {
			if _, err := srv.Cancel(mst, k); err != nil {
				t.Errorf("cancel: %v", err)
			}
			if _, err := srv.AddLate(mst, "ban_ra_dien_tu", time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC), true); err != nil {
				t.Errorf("late: %v", err)
			}
		}
	}()
	for i := 0; i < 5; i++ {
		listed(t, srv, tok, "query", "sold")
	}
	<-done
	rows := listed(t, srv, tok, "query", "sold")
	cancelled := 0
	for _, r := range rows {
		if r.TThai == 6 {
			cancelled++
		}
	}
	want := 0
	for _, tr := range srv.Invoices(mst, march, marchEnd) {
		if tr.Flow == "ban_ra_dien_tu" {
			want++
		}
	}
	if cancelled != 10 || len(rows) != want || want != 50 {
		t.Errorf("%d rows (%d cancelled) listed, truth %d, want 50 and 10", len(rows), cancelled, want)
	}
}
