package gdt_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// tt78 is the part of the invoice XML the test checks, parsed with
// encoding/xml independently of the simulator's writer.
type tt78 struct {
	XMLName xml.Name `xml:"HDon"`
	TTChung struct {
		KHMSHDon  int    `xml:"KHMSHDon"`
		KHHDon    string `xml:"KHHDon"`
		SHDon     int64  `xml:"SHDon"`
		NLap      string `xml:"NLap"`
		DVTTe     string `xml:"DVTTe"`
		TTHDLQuan *struct {
			TCHDon     int    `xml:"TCHDon"`
			KHHDCLQuan string `xml:"KHHDCLQuan"`
			SHDCLQuan  int64  `xml:"SHDCLQuan"`
		} `xml:"TTHDLQuan"`
	} `xml:"DLHDon>TTChung"`
	NBanMST string `xml:"DLHDon>NDHDon>NBan>MST"`
	NMuaMST string `xml:"DLHDon>NDHDon>NMua>MST"`
	Lines   []struct {
		TChat   int    `xml:"TChat"`
		SLuong  string `xml:"SLuong"`
		DGia    string `xml:"DGia"`
		STCKhau string `xml:"STCKhau"`
		ThTien  string `xml:"ThTien"`
		TSuat   string `xml:"TSuat"`
	} `xml:"DLHDon>NDHDon>DSHHDVu>HHDVu"`
	Rates []struct {
		TSuat  string  `xml:"TSuat"`
		ThTien float64 `xml:"ThTien"`
		TThue  float64 `xml:"TThue"`
	} `xml:"DLHDon>NDHDon>TToan>THTTLTSuat>LTSuat"`
	TgTCThue  float64 `xml:"DLHDon>NDHDon>TToan>TgTCThue"`
	TgTThue   float64 `xml:"DLHDon>NDHDon>TToan>TgTThue"`
	TTCKTMai  float64 `xml:"DLHDon>NDHDon>TToan>TTCKTMai"`
	TgTTTBSo  float64 `xml:"DLHDon>NDHDon>TToan>TgTTTBSo"`
	TgTTTBChu string  `xml:"DLHDon>NDHDon>TToan>TgTTTBChu"`
	MCCQT     string  `xml:"MCCQT"`
}

func keyQuery(r row) string {
	return fmt.Sprintf("nbmst=%s&khhdon=%s&shdon=%d&khmshdon=%d", r.NBMST, r.KHHDon, r.SHDon, r.KHMSHDon)
}

// cents reads an amount (whole VND, or a foreign currency with two
// decimals) in hundredths, exactly.
func cents(t *testing.T, s string) int64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return int64(math.Round(f * 100))
}

func c100(f float64) int64 { return int64(math.Round(f * 100)) }

// checkArithmetic applies the §10.3 rules to a parsed XML.
func checkArithmetic(t *testing.T, x tt78) {
	t.Helper()
	var net, discount int64
	perRate := map[string]int64{}
	for _, l := range x.Lines {
		if l.TChat == 4 {
			continue
		}
		amt := cents(t, l.ThTien)
		if l.TChat == 3 { // trade discount: no quantity or price, subtracted
			if l.SLuong != "" || l.DGia != "" || amt <= 0 {
				t.Errorf("%s/%d: discount line %+v", x.TTChung.KHHDon, x.TTChung.SHDon, l)
			}
			discount += amt
			amt = -amt
		} else if want := cents(t, l.SLuong)*cents(t, l.DGia)/100 - cents(t, l.STCKhau); amt != want {
			t.Errorf("%s/%d: ThTien %d, want %d", x.TTChung.KHHDon, x.TTChung.SHDon, amt, want)
		}
		net += amt
		perRate[l.TSuat] += amt
	}
	var vat int64
	for _, rs := range x.Rates {
		if perRate[rs.TSuat] != c100(rs.ThTien) {
			t.Errorf("rate %s: ThTien %v, lines sum %d", rs.TSuat, rs.ThTien, perRate[rs.TSuat])
		}
		pct := 0.0
		if p, ok := strings.CutSuffix(rs.TSuat, "%"); ok {
			pct, _ = strconv.ParseFloat(p, 64)
		}
		if want := rs.ThTien * pct / 100; math.Abs(rs.TThue-want) > 1 {
			t.Errorf("rate %s: TThue %v, want ≈%.2f", rs.TSuat, rs.TThue, want)
		}
		vat += c100(rs.TThue)
	}
	words := "đồng"
	if x.TTChung.DVTTe != "VND" {
		words = "đô la Mỹ"
	}
	if net != c100(x.TgTCThue) || vat != c100(x.TgTThue) || discount != c100(x.TTCKTMai) ||
		c100(x.TgTTTBSo) != c100(x.TgTCThue)+c100(x.TgTThue) || !strings.Contains(x.TgTTTBChu, words) {
		t.Errorf("totals: net %d/%v vat %d/%v discount %d/%v total %v words %q", net, x.TgTCThue, vat, x.TgTThue, discount, x.TTCKTMai, x.TgTTTBSo, x.TgTTTBChu)
	}
}

func fetchZip(t *testing.T, srv *gdtsim.Server, tok, family string, r row) map[string][]byte {
	t.Helper()
	res := get(t, srv.URL()+"/"+family+"/invoices/export-xml?"+keyQuery(r), tok)
	if res.status != http.StatusOK {
		t.Fatalf("export %s: %d %s", r.key(), res.status, res.body)
	}
	zr, err := zip.NewReader(bytes.NewReader(res.body), int64(len(res.body)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func TestDetailAndXMLAgreeWithListRow(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 30; o.RelatedShare = 0.3; o.DossierlessShare = 0 })
	tok := login(t, srv, 0)
	mst := srv.Companies()[0].MST
	sums := map[string]string{}
	for _, tr := range srv.Invoices(mst, march, marchEnd) {
		sums[fmt.Sprintf("%s|%d|%s|%d", tr.NBMST, tr.KHMSHDon, tr.KHHDon, tr.SHDon)] = tr.XMLSHA256
	}
	var related int
	for _, fam := range []string{"query", "sco-query"} {
		for _, dir := range []string{"sold", "purchase"} {
			rows, _ := walk(t, srv, tok, fam, dir, searchFor(march, marchEnd, ""), 50)
			for i, r := range rows {
				if i%3 != 0 && r.TThai == 1 {
					continue // keep the test fast: every related invoice, a third of the rest
				}
				if r.TThai == 2 || r.TThai == 3 {
					related++
				}
				checkInvoice(t, srv, tok, fam, r, sums[r.key()])
			}
		}
	}
	if related == 0 {
		t.Error("no replacement/adjustment invoices generated at RelatedShare 0.3")
	}
}

func checkInvoice(t *testing.T, srv *gdtsim.Server, tok, family string, r row, sum string) {
	t.Helper()
	d := get(t, srv.URL()+"/"+family+"/invoices/detail?"+keyQuery(r), tok)
	var det struct {
		row
		HDHHDVu []struct {
			TChat  int      `json:"tchat"`
			ThTien *float64 `json:"thtien"`
			TSuat  *float64 `json:"tsuat"`
			LTSuat *string  `json:"ltsuat"`
		} `json:"hdhhdvu"`
		QRCode string `json:"qrcode"`
	}
	if d.status != http.StatusOK {
		t.Fatalf("detail %s: %d %s", r.key(), d.status, d.body)
	}
	d.json(t, &det)
	if det.key() != r.key() || det.TGTTTBSo != r.TGTTTBSo || det.TDLap != r.TDLap || len(det.HDHHDVu) == 0 || det.QRCode == "" {
		t.Fatalf("detail differs from row %s: %+v", r.key(), det.row)
	}
	files := fetchZip(t, srv, tok, family, r)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "details.js,invoice.html,invoice.xml,sign-check.jpg,viewinvoice-bg.jpg" {
		t.Fatalf("zip members %v", names)
	}
	raw := files["invoice.xml"]
	if h := sha256.Sum256(raw); hex.EncodeToString(h[:]) != sum {
		t.Errorf("%s: XML sha256 differs from ground truth", r.key())
	}
	var x tt78
	if err := xml.Unmarshal(raw, &x); err != nil {
		t.Fatalf("xml: %v", err)
	}
	tdlap, _ := time.Parse(time.RFC3339, r.TDLap)
	c := x.TTChung
	if c.KHHDon != r.KHHDon || c.SHDon != r.SHDon || c.KHMSHDon != r.KHMSHDon || x.NBanMST != r.NBMST ||
		c.NLap != tdlap.Add(7*time.Hour).Format("2006-01-02") || x.TgTTTBSo != r.TGTTTBSo ||
		x.TgTCThue != r.TGTCThue || x.TgTThue != r.TGTThue || x.TgTTTBChu != r.TGTTTBChu {
		t.Errorf("xml differs from row %s: %+v", r.key(), c)
	}
	if (r.MHDon != nil) != (x.MCCQT != "") || r.MHDon != nil && *r.MHDon != x.MCCQT {
		t.Errorf("%s: MCCQT %q vs mhdon %v", r.key(), x.MCCQT, r.MHDon)
	}
	if r.TThai == 2 || r.TThai == 3 {
		if r.KHHDGoc == nil || r.SHDGoc == nil || c.TTHDLQuan == nil || c.TTHDLQuan.SHDCLQuan != *r.SHDGoc || c.TTHDLQuan.TCHDon != r.TThai-1 {
			t.Errorf("%s: related refs row %v/%v xml %+v", r.key(), r.KHHDGoc, r.SHDGoc, c.TTHDLQuan)
		}
		if r.TThai == 3 && r.TGTTTBSo >= 0 {
			t.Errorf("%s: adjustment total %v, want negative", r.key(), r.TGTTTBSo)
		}
	}
	checkArithmetic(t, x)
}

func TestExportErrors(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 30; o.DossierlessShare = 0.5 })
	tok := login(t, srv, 0)
	rows, _ := walk(t, srv, tok, "query", "purchase", searchFor(march, marchEnd, ""), 50)
	var noDossier *row
	for i := range rows {
		if rows[i].HSGoc == nil {
			noDossier = &rows[i]
			break
		}
	}
	if noDossier == nil {
		t.Fatal("no dossier-less invoice at share 0.5")
	}
	r := get(t, srv.URL()+"/query/invoices/export-xml?"+keyQuery(*noDossier), tok)
	if r.status != 500 || !strings.Contains(string(r.body), `"message":"Không tồn tại hồ sơ gốc của hóa đơn."`) ||
		!strings.Contains(string(r.body), `"path":"uri=/invoices/export-xml"`) {
		t.Errorf("no dossier: %d %s", r.status, r.body)
	}
	r = get(t, srv.URL()+"/query/invoices/export-xml?nbmst=&khhdon=&shdon=&khmshdon=", tok)
	if r.status != 500 || !strings.Contains(string(r.body), "NumberFormatException") || !strings.Contains(string(r.body), "'byte'") {
		t.Errorf("empty params: %d %s", r.status, r.body)
	}
	// A query-family invoice is not visible through sco-query.
	r = get(t, srv.URL()+"/sco-query/invoices/detail?"+keyQuery(rows[0]), tok)
	if r.status == http.StatusOK {
		t.Errorf("sco-query detail served a query invoice")
	}
	// Another account does not see company 0's purchase invoices.
	other := login(t, srv, 1)
	if r := get(t, srv.URL()+"/query/invoices/detail?"+keyQuery(rows[0]), other); r.status == http.StatusOK {
		t.Errorf("company 1 read company 0's purchase invoice")
	}
}
