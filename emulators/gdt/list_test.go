package gdt_test

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

func TestListValidation(t *testing.T) {
	srv := start(t, nil)
	tok := login(t, srv, 0)
	base := srv.URL() + "/query/invoices/sold?"
	cases := []struct {
		name, query string
		status      int
		message     string
	}{
		{"range over a month", "sort=tdlap:desc&size=50&search=" + searchFor(march, march.AddDate(0, 1, 0), ""), 400, "Khoảng thời gian tìm kiếm không được lớn hơn 1 tháng"},
		{"no range", "sort=tdlap:desc&size=50&search=ttxly==5", 400, ""},
		{"size over 50", "sort=tdlap:desc&size=51&search=" + searchFor(march, marchEnd, ""), 400, "50"},
		{"size not a number", "sort=tdlap:desc&size=abc&search=" + searchFor(march, marchEnd, ""), 500, "NumberFormatException"},
		{"multi-field sort", "sort=tdlap:desc,khmshdon:asc,shdon:desc&size=50&search=" + searchFor(march, marchEnd, ""), 500, "Không hỗ trợ sắp xếp theo nhiều trường"},
		{"foreign state", "sort=tdlap:desc&size=5&state=00ff&search=" + searchFor(march, marchEnd, ""), 400, ""},
		{"non-calendar month window", "sort=tdlap:desc&size=5&search=" + searchFor(time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC), ""), 200, "datas"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, base+tc.query, tok)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.message) {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tc.status != 200 {
				var e struct{ Timestamp, Message, Path, RequestID string }
				r.json(t, &e)
				if e.Timestamp == "" || e.Path != "uri=/invoices/sold" || e.RequestID == "" {
					t.Errorf("spring envelope %s", r.body)
				}
			}
		})
	}
}

// TestCursorWalkEqualsGroundTruth walks every flow with a small page size
// and checks each invoice comes exactly once, in portal order, and that
// the set equals the ground truth.
func TestCursorWalkEqualsGroundTruth(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 23; o.RelatedShare = 0.2 })
	tok := login(t, srv, 1)
	mst := srv.Companies()[1].MST
	truth := map[string]map[string]bool{}
	for _, tr := range srv.Invoices(mst, march, marchEnd) {
		if truth[tr.Flow] == nil {
			truth[tr.Flow] = map[string]bool{}
		}
		truth[tr.Flow][fmt.Sprintf("%s|%d|%s|%d", tr.NBMST, tr.KHMSHDon, tr.KHHDon, tr.SHDon)] = true
	}
	flows := []struct{ family, dir, flow string }{
		{"query", "sold", "ban_ra_dien_tu"}, {"sco-query", "sold", "ban_ra_may_tinh_tien"},
		{"query", "purchase", "mua_vao_dien_tu"}, {"sco-query", "purchase", "mua_vao_may_tinh_tien"},
	}
	for _, f := range flows {
		rows, pages := walk(t, srv, tok, f.family, f.dir, searchFor(march, marchEnd, ""), 5)
		if len(rows) != 23 || pages != 5 {
			t.Errorf("%s/%s: %d rows in %d pages, want 23 in 5", f.family, f.dir, len(rows), pages)
		}
		got := map[string]bool{}
		for i, r := range rows {
			if got[r.key()] {
				t.Errorf("%s/%s: %s listed twice", f.family, f.dir, r.key())
			}
			got[r.key()] = true
			if !truth[f.flow][r.key()] {
				t.Errorf("%s/%s: %s not in ground truth", f.family, f.dir, r.key())
			}
			if isSco := r.KHHDon[3] == 'M'; isSco != (f.family == "sco-query") {
				t.Errorf("%s/%s: symbol %s in the wrong family", f.family, f.dir, r.KHHDon)
			}
			if !strings.HasSuffix(r.TDLap, "T17:00:00Z") {
				t.Errorf("tdlap %q not at 17:00Z", r.TDLap)
			}
			if i > 0 && !ordered(rows[i-1], r) {
				t.Errorf("%s/%s: rows %d,%d out of order", f.family, f.dir, i-1, i)
			}
			mine := r.NBMST == mst
			if r.NMMST != nil && *r.NMMST == mst {
				mine = true
			}
			if !mine {
				t.Errorf("%s/%s: row %s belongs to another account", f.family, f.dir, r.key())
			}
		}
		if len(got) != len(truth[f.flow]) {
			t.Errorf("%s/%s: walked %d distinct, truth has %d", f.family, f.dir, len(got), len(truth[f.flow]))
		}
	}
}

func ordered(a, b row) bool {
	if a.TDLap != b.TDLap {
		return a.TDLap > b.TDLap
	}
	if a.NBMST != b.NBMST {
		return a.NBMST < b.NBMST
	}
	if a.KHMSHDon != b.KHMSHDon {
		return a.KHMSHDon < b.KHMSHDon
	}
	if a.KHHDon != b.KHHDon {
		return a.KHHDon < b.KHHDon
	}
	return a.SHDon < b.SHDon
}

func TestPurchaseTTXLyFiltersAndRawEncodedSearch(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 40 })
	tok := login(t, srv, 0)
	count := func(family, extra string) map[int]int {
		rows, _ := walk(t, srv, tok, family, "purchase", searchFor(march, marchEnd, extra), 50)
		m := map[int]int{}
		for _, r := range rows {
			m[r.TTXLy]++
		}
		return m
	}
	all := count("query", "")
	if all[5] == 0 || all[6] == 0 || all[5]+all[6] != 40 {
		t.Fatalf("query purchase ttxly mix %v", all)
	}
	if got := count("query", "ttxly==5"); len(got) != 1 || got[5] != all[5] {
		t.Errorf("ttxly==5 gave %v", got)
	}
	if got := count("query", "ttxly==6"); len(got) != 1 || got[6] != all[6] {
		t.Errorf("ttxly==6 gave %v", got)
	}
	if got := count("query", "ttxly==8"); len(got) != 0 {
		t.Errorf("query ttxly==8 gave %v", got)
	}
	if got := count("sco-query", "ttxly==8"); got[8] != 40 {
		t.Errorf("sco ttxly==8 gave %v", got)
	}
	raw := get(t, listURL(srv, "query", "purchase", searchFor(march, marchEnd, "ttxly==5"), 50, "", false), tok)
	enc := get(t, listURL(srv, "query", "purchase", searchFor(march, marchEnd, "ttxly==5"), 50, "", true), tok)
	var a, b page
	raw.json(t, &a)
	enc.json(t, &b)
	if a.Total != b.Total || len(a.Datas) != len(b.Datas) || a.Total == 0 {
		t.Errorf("raw search total %d, encoded %d", a.Total, b.Total)
	}
}

func TestEmptyFlowAndPageEnvelope(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 0 })
	tok := login(t, srv, 0)
	r := get(t, listURL(srv, "sco-query", "sold", searchFor(march, marchEnd, ""), 50, "", false), tok)
	if r.status != http.StatusOK || !strings.HasPrefix(string(r.body), `{"datas":[],"total":0,"state":null,"time":`) {
		t.Fatalf("empty list: %d %s", r.status, r.body)
	}
}

func TestDataIsDeterministicPerSeed(t *testing.T) {
	run := func(seed int64) ([]gdtsim.Company, []gdtsim.Truth) {
		s, err := gdtsim.New(gdtsim.Options{Seed: seed, Companies: 4, InvoicesPerMonth: 15, DossierlessShare: 0.2, RelatedShare: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		cs := s.Companies()
		return cs, s.Invoices(cs[3].MST, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC))
	}
	c1, t1 := run(7)
	c2, t2 := run(7)
	c3, t3 := run(8)
	if fmt.Sprint(c1) != fmt.Sprint(c2) || !reflect.DeepEqual(t1, t2) {
		t.Fatal("same seed gave different data")
	}
	if fmt.Sprint(c1[1:]) == fmt.Sprint(c3[1:]) || reflect.DeepEqual(t1, t3) {
		t.Fatal("different seeds gave the same data")
	}
	mst := map[string]bool{}
	for _, c := range c1 {
		if len(c.MST) != 10 || mst[c.MST] || c.Password == "" || c.Name == "" {
			t.Errorf("company %+v", c)
		}
		mst[c.MST] = true
	}
	keys := map[string]bool{}
	var xml, noXML int
	for _, tr := range t1 {
		k := fmt.Sprintf("%s|%d|%s|%d", tr.NBMST, tr.KHMSHDon, tr.KHHDon, tr.SHDon)
		if keys[k] {
			t.Errorf("duplicate key %s", k)
		}
		keys[k] = true
		if tr.HasXML != (tr.XMLSHA256 != "") {
			t.Errorf("has_xml %v with sha %q", tr.HasXML, tr.XMLSHA256)
		}
		if tr.HasXML {
			xml++
		} else {
			noXML++
		}
	}
	if xml == 0 || noXML == 0 {
		t.Errorf("want both invoices with and without XML, got %d/%d", xml, noXML)
	}
	sort.Slice(t1, func(i, j int) bool { return t1[i].Date < t1[j].Date })
	if t1[0].Date < "2026-01-15" || t1[len(t1)-1].Date > "2026-02-20" {
		t.Errorf("truth dates %s..%s outside the window", t1[0].Date, t1[len(t1)-1].Date)
	}
}
