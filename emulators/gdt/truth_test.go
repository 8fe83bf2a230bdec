package gdt_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

func TestSimEndpointsMatchGoMethods(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.Companies = 2; o.InvoicesPerMonth = 4 })
	var cs []gdtsim.Company
	r := do(t, http.MethodGet, srv.SimURL()+"/companies", "", nil, true)
	r.json(t, &cs)
	if !reflect.DeepEqual(cs, srv.Companies()) || cs[0].MST != "0100000003" {
		t.Fatalf("companies %+v", cs)
	}
	var tr []gdtsim.Truth
	r = do(t, http.MethodGet, srv.SimURL()+"/invoices?mst="+cs[1].MST+"&from=2026-02-20&to=2026-03-10", "", nil, true)
	if r.status != http.StatusOK {
		t.Fatalf("invoices: %d %s", r.status, r.body)
	}
	r.json(t, &tr)
	want := srv.Invoices(cs[1].MST, time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))
	if len(tr) == 0 || len(tr) != len(want) {
		t.Fatalf("%d truths over HTTP, %d from Go", len(tr), len(want))
	}
	for i := range tr {
		if tr[i].XMLSHA256 != want[i].XMLSHA256 || tr[i].SHDon != want[i].SHDon || !tr[i].TDLap.Equal(want[i].TDLap) || tr[i].Total == 0 || tr[i].Total != want[i].Total {
			t.Fatalf("truth %d differs: %+v vs %+v", i, tr[i], want[i])
		}
	}
	if srv.Stats().Total("/captcha") != 0 {
		t.Errorf("simulator endpoints counted as portal traffic: %v", srv.Stats())
	}
	get(t, srv.URL()+"/captcha", "")
	if srv.Stats().Count("/captcha", 200) != 1 {
		t.Errorf("captcha not counted: %v", srv.Stats())
	}
	srv.ResetStats()
	if len(srv.Stats()) != 0 {
		t.Errorf("stats after reset: %v", srv.Stats())
	}
	for _, bad := range []string{"?mst=" + cs[1].MST + "&from=2026-03-10&to=2026-02-01", "?mst=0000000000&from=2026-03-01&to=2026-03-02"} {
		if r := do(t, http.MethodGet, srv.SimURL()+"/invoices"+bad, "", nil, true); r.status == http.StatusOK {
			t.Errorf("%s: 200", bad)
		}
	}
}
