package gdt_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// A list row shaped like the portal's (§5), with the awkward parts: money in
// exponent form and 19 digits, an unknown key, null fields.
const sampleRow = `{"nbmst":"0100109106","khmshdon":1,"khhdon":"C26TAA","shdon":1234,
"tdlap":"2026-03-14T17:00:00Z","tthai":1,"ttxly":5,"nbten":"Công ty A","nmmst":"0312345678",
"nmten":"Công ty B","dvtte":"VND","tgtcthue":1.4727778E7,"tgtthue":1178222.24,
"tgtttbso":1234567890123456789,"mhdon":"00ABCDEF","hsgoc":null,"id":"6f1c",
"newKeyFrom2027":{"x":1},"hdhhdvu":null}`

// Ensure rows are typed exactly: decimals never pass through float64,
// tdlap becomes the Vietnam date, raw JSON is kept.
func TestInvoiceDecoding(t *testing.T) {
	f := newFixture(t)
	f.handle("/query/invoices/sold", reply(200, "application/json",
		`{"datas":[`+sampleRow+`],"total":1,"state":null,"time":5}`))
	p, err := f.client().ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Invoices) != 1 || p.Total != 1 || p.State != "" {
		t.Fatalf("page = %+v", p)
	}
	inv := p.Invoices[0]
	want := hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 1234}
	if inv.Key != want || inv.Flow != hoadon.FlowSoldEInvoice {
		t.Errorf("key = %+v flow %s", inv.Key, inv.Flow)
	}
	if inv.Date.String() != "2026-03-15" {
		t.Errorf("date = %s, want 2026-03-15 (VN midnight)", inv.Date)
	}
	if inv.TotalBeforeTax.String() != "14727778" || inv.TotalTax.String() != "1178222.24" ||
		inv.Total.String() != "1234567890123456789" {
		t.Errorf("money = %s %s %s", inv.TotalBeforeTax, inv.TotalTax, inv.Total)
	}
	if inv.TThai != 1 || inv.TTXLY != 5 || inv.BuyerMST != "0312345678" || inv.SellerName != "Công ty A" {
		t.Errorf("fields = %+v", inv)
	}
	if inv.HasDossier() {
		t.Errorf("hsgoc null reported as dossier")
	}
	if !strings.Contains(string(inv.Raw), "newKeyFrom2027") || !json.Valid(inv.Raw) {
		t.Errorf("raw not kept: %s", inv.Raw)
	}
}

// Ensure tdlap accepts RFC 3339 and 13-digit epoch milliseconds, and the
// date is taken in Vietnam.
func TestParseTDLap(t *testing.T) {
	tests := []struct {
		raw, date string
		ok        bool
	}{
		{`"2026-03-14T17:00:00Z"`, "2026-03-15", true},
		{`"2026-03-15T00:00:00+07:00"`, "2026-03-15", true},
		{`"2026-03-14T16:59:59.999Z"`, "2026-03-14", true},
		{`1773507600000`, "2026-03-15", true},   // 2026-03-14T17:00:00Z
		{`"1773507600000"`, "2026-03-15", true}, // as a string
		{`null`, "", false},
		{`"14/03/2026"`, "", false},
		{`17735`, "", false},
	}
	for _, tc := range tests {
		tm, err := gdt.ParseTDLap(json.RawMessage(tc.raw))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.raw, err)
			continue
		}
		if tc.ok && hoadon.DateOf(tm).String() != tc.date {
			t.Errorf("%s: date %s, want %s", tc.raw, hoadon.DateOf(tm), tc.date)
		}
	}
}

// Ensure one unreadable row does not cost the rest of the page.
func TestBadRowReported(t *testing.T) {
	f := newFixture(t)
	bad := strings.Replace(sampleRow, `"shdon":1234`, `"shdon":"x"`, 1)
	f.handle("/query/invoices/sold", reply(200, "application/json",
		`{"datas":[`+bad+`,`+sampleRow+`],"total":2,"state":null}`))
	p, err := f.client().ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Invoices) != 1 || len(p.Errors) != 1 || hoadon.ErrorCode(p.Errors[0]) != hoadon.CodeBadData {
		t.Fatalf("invoices %d errors %v", len(p.Invoices), p.Errors)
	}
}

// Ensure detail keeps the line items in Raw.
func TestDetail(t *testing.T) {
	f := newFixture(t)
	row := strings.Replace(sampleRow, `"hdhhdvu":null`, `"hdhhdvu":[{"stt":1,"ten":"Hàng","thtien":1.0E3,"tsuat":0.08,"ltsuat":"8%"}]`, 1)
	f.handle("/query/invoices/detail", reply(200, "application/json", row))
	inv, err := f.client().Detail(context.Background(), f.session(), hoadon.FlowSoldEInvoice, testKey)
	if err != nil {
		t.Fatal(err)
	}
	var lines struct {
		H []map[string]any `json:"hdhhdvu"`
	}
	if err := json.Unmarshal(inv.Raw, &lines); err != nil || len(lines.H) != 1 {
		t.Fatalf("line items lost: %v %s", err, inv.Raw)
	}
}

// Ensure a replacement's reference to its original is read, and a
// malformed reference costs the link only, not the invoice.
func TestOriginalReference(t *testing.T) {
	ref := strings.Replace(sampleRow, `"tthai":1`, `"tthai":2,"khmshdgoc":1,"khhdgoc":"C26TAB","shdgoc":77,"tdlhdgoc":"2026-03-01T17:00:00Z","tthdclquan":true`, 1)
	bad := strings.Replace(strings.Replace(ref, `"shdon":1234`, `"shdon":1235`, 1), `"khhdgoc":"C26TAB"`, `"khhdgoc":"../x"`, 1)
	f := newFixture(t)
	f.handle("/query/invoices/sold", reply(200, "application/json", `{"datas":[`+ref+`,`+bad+`],"total":2,"state":null}`))
	p, err := f.client().ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), "")
	if err != nil || len(p.Invoices) != 2 {
		t.Fatalf("page %+v, %v", p, err)
	}
	want := hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C26TAB", SHDon: 77}
	if o := p.Invoices[0].Original; o == nil || *o != want || p.Invoices[0].OriginalDate.String() != "2026-03-02" {
		t.Errorf("original %v of %s", o, p.Invoices[0].OriginalDate)
	}
	if p.Invoices[1].Original != nil || p.Invoices[1].TThai != 2 {
		t.Errorf("bad reference kept: %v", p.Invoices[1].Original)
	}
}
