package export_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/export/exporttest"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

const company = "0312345673"

func n(s string) einvoice.Num { return einvoice.NewNum(decimal.RequireFromString(s)) }

// memSource is a Source over records and objects held in memory.
type memSource struct {
	recs    []export.Record
	objects map[string][]byte
	opened  []string
}

func (m *memSource) Records(ctx context.Context, fn func(export.Record) error) error {
	for _, r := range m.recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) Open(ctx context.Context, object string) (io.ReadCloser, error) {
	m.opened = append(m.opened, object)
	b, ok := m.objects[object]
	if !ok {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "no object %s", object)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// invoice builds a purchase invoice of company from seller with lines at
// rates, totals written per rate as real invoices do.
func invoice(seller string, number int64, date string, lines ...einvoice.Line) *einvoice.Invoice {
	inv := &einvoice.Invoice{Schema: einvoice.Schema,
		General: einvoice.General{KHMSHDon: 1, KHHDon: "C26TAB", SHDon: number, NLap: date, DVTTe: "VND", TGia: n("1")},
		Seller:  einvoice.Party{Ten: "Công ty Bán " + seller, MST: seller, DChi: "Hà Nội"},
		Buyer:   einvoice.Party{Ten: "Công ty Mua", MST: company},
		Lines:   lines, MCCQT: "00ABCDEF", Warnings: []einvoice.Warning{}}
	byRate := map[string]decimal.Decimal{}
	var order []string
	net := decimal.Zero
	for _, l := range lines {
		if l.TChat == einvoice.LineNote {
			continue
		}
		amt := l.ThTien.Decimal()
		if l.TChat == einvoice.LineDiscount {
			amt = amt.Neg()
		}
		if _, ok := byRate[l.TSuat]; !ok {
			order = append(order, l.TSuat)
		}
		byRate[l.TSuat] = byRate[l.TSuat].Add(amt)
		net = net.Add(amt)
	}
	tax := decimal.Zero
	for _, r := range order {
		vat := decimal.Zero
		if p, ok := strings.CutSuffix(r, "%"); ok {
			vat = byRate[r].Mul(decimal.RequireFromString(p)).Div(decimal.NewFromInt(100)).Round(2)
		}
		tax = tax.Add(vat)
		inv.Totals.Rates = append(inv.Totals.Rates, einvoice.RateTotal{TSuat: r, ThTien: einvoice.NewNum(byRate[r]), TThue: einvoice.NewNum(vat)})
	}
	inv.Totals.TgTCThue, inv.Totals.TgTThue = einvoice.NewNum(net), einvoice.NewNum(tax)
	inv.Totals.TgTTTBSo = einvoice.NewNum(net.Add(tax))
	return inv
}

func goods(stt int, name, qty, price, amount, rate string) einvoice.Line {
	return einvoice.Line{TChat: 1, STT: stt, THHDVu: name, DVTinh: "Cái", SLuong: n(qty), DGia: n(price), ThTien: n(amount), TSuat: rate}
}

// fixture is a period with every shape the workbook distinguishes.
func fixture(t *testing.T) (*memSource, []exporttest.Want) {
	t.Helper()
	discount := invoice("0101234565", 11, "2026-09-03",
		goods(1, "Giấy in A4", "10", "85000", "850000", "8%"),
		goods(2, "Vận chuyển", "1", "150000", "150000", "KCT"),
		einvoice.Line{TChat: einvoice.LineDiscount, STT: 3, THHDVu: "Chiết khấu thương mại", ThTien: n("50000"), TSuat: "8%"},
		einvoice.Line{TChat: einvoice.LineNote, THHDVu: "Giao tại kho"})
	discount.Totals.TTCKTMai = n("50000")
	original := invoice("0101234565", 12, "2026-09-05", goods(1, "Máy tính", "1", "20000000", "20000000", "10%"))
	replacement := invoice("0101234565", 13, "2026-09-06", goods(1, "Máy tính", "1", "19000000", "19000000", "10%"))
	replacement.General.Related = &einvoice.Related{TCHDon: 1, KHMSHDCLQuan: "1", KHHDCLQuan: "C26TAB", SHDCLQuan: "12", NLHDCLQuan: "2026-09-05"}
	usd := invoice("0100109106", 5, "2026-09-10", goods(1, "Software licence", "2", "1250.50", "2501", "10%"))
	usd.General.DVTTe, usd.General.TGia = "USD", n("25420")
	cancelled := invoice("0100109106", 6, "2026-09-12", goods(1, "Dịch vụ", "1", "1000000", "1000000", "5%"))
	sales := invoice("0100109106", 7, "2026-09-15", goods(1, "Cơm hộp", "20", "35000", "700000", ""))
	sales.General.KHMSHDon, sales.Totals.Rates, sales.Totals.TLTThue = 2, nil, "1.5%"
	discount.Signatures = []xmlsig.Result{{Role: xmlsig.RoleSeller, Status: xmlsig.StatusValid, Valid: true, Chain: xmlsig.ChainNotChecked}}
	cancelled.Signatures = []xmlsig.Result{{Role: xmlsig.RoleSeller, Status: xmlsig.StatusInvalid,
		Reason: `reference "#data": digest does not match: the content changed after signing`}}

	src := &memSource{objects: map[string][]byte{}}
	var want []exporttest.Want
	add := func(inv *einvoice.Invoice, status int, rec export.Record) {
		key := inv.Key()
		stem := "tenants/default/invoices/" + company + "/purchase/2026/09/" + key.String()
		rec.Key, rec.Flow, rec.Date, rec.Status, rec.PortalStatus = key, hoadon.FlowPurchaseEInvoice, inv.General.NLap, hoadon.StatusStored, status
		rec.Objects = hoadon.Objects{ZIP: stem + ".zip", XML: stem + ".xml", JSON: stem + ".json"}
		js, err := inv.JSON()
		if err != nil {
			t.Fatal(err)
		}
		src.objects[rec.Objects.JSON] = js
		src.objects[rec.Objects.XML] = []byte("<HDon>" + key.String() + "</HDon>")
		src.objects[rec.Objects.ZIP] = portalZIP(t, key.String())
		src.recs = append(src.recs, rec)
		want = append(want, exporttest.Want{Key: key, Direction: hoadon.Purchase, Inv: inv, Status: status})
	}
	add(discount, export.PortalNew, export.Record{VerifiedAt: time.Date(2026, 10, 2, 3, 4, 0, 0, time.UTC)})
	add(original, export.PortalReplaced, export.Record{Related: replacement.Key().String()})
	add(replacement, 0, export.Record{}) // status from the XML's TTHDLQuan
	add(usd, export.PortalNew, export.Record{Signature: "valid"})
	add(cancelled, export.PortalCancelled, export.Record{})
	add(sales, export.PortalNew, export.Record{})
	want[2].Status = export.PortalReplacement

	unavailable := hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "K26TXY", SHDon: 9}
	src.recs = append(src.recs, export.Record{Key: unavailable, Flow: hoadon.FlowPurchaseEInvoice, Date: "2026-09-20",
		Status: hoadon.StatusUnavailable, Reason: "no_dossier: the portal has no original XML"})
	want = append(want, exporttest.Want{Key: unavailable, Direction: hoadon.Purchase, Missing: true})
	lost := hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C26TXY", SHDon: 10}
	src.recs = append(src.recs, export.Record{Key: lost, Flow: hoadon.FlowPurchaseEInvoice, Date: "2026-09-21",
		Status: hoadon.StatusStored, Objects: hoadon.Objects{JSON: "tenants/default/invoices/gone.json"}})
	want = append(want, exporttest.Want{Key: lost, Direction: hoadon.Purchase, Missing: true})
	return src, want
}

func selection(t *testing.T) export.Selection {
	from, _ := hoadon.ParseDate("2026-09-01")
	to, _ := hoadon.ParseDate("2026-09-30")
	return export.Selection{Company: company, Direction: hoadon.Purchase, From: from, To: to}
}

// workbook writes the Vietnamese workbook of src's period and opens it.
func workbook(t *testing.T, src *memSource) (*exporttest.Book, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := export.WriteWorkbook(context.Background(), &buf, src, selection(t), export.Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := exporttest.Open(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return b, buf.Bytes()
}

func TestWorkbookMatchesInvoices(t *testing.T) {
	src, want := fixture(t)
	var buf bytes.Buffer
	st, err := export.WriteWorkbook(context.Background(), &buf, src, selection(t), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Invoices != 8 || st.Lines != 9 || st.Errors != 2 {
		t.Errorf("stats %+v, want 8 invoices, 9 lines, 2 errors", st)
	}
	for _, d := range exporttest.Check(buf.Bytes(), want) {
		t.Error(d)
	}
	for _, o := range src.opened {
		if !strings.HasSuffix(o, ".json") {
			t.Errorf("the workbook read %s: it needs only the parsed JSON", o)
		}
	}
}

// TestWorkbookSummary pins the summary's figures for the fixture by hand.
func TestWorkbookSummary(t *testing.T) {
	src, _ := fixture(t)
	b, _ := workbook(t, src)
	rows := map[string][]string{}
	for _, r := range b.Rows("Tổng hợp") {
		if len(r) > 0 {
			rows[r[0]] = r
		}
	}
	// Counted: discount (8% 800,000 + KCT 150,000, VAT 64,000), replacement
	// (10% 19,000,000 + 1,900,000), USD 2,501 × 25,420 = 63,575,420 (+ 6,357,542),
	// the sales invoice (700,000 at % of revenue): 84,225,420 + 8,321,542.
	// Not: the replaced and the cancelled invoice.
	for label, want := range map[string]string{
		"8%":                          "1|800,000|64,000|864,000",
		"10%":                         "2|82,575,420|8,257,542|90,832,962",
		"Không chịu thuế (KCT)":       "1|150,000|0|150,000",
		"5%":                          "0|0|0|0",
		"% doanh thu (hộ kinh doanh)": "1|700,000|0|700,000",
		"Tổng cộng (theo tổng của hóa đơn)": "4|84,225,420|8,321,542|92,546,962",
		"Đã bị thay thế":                    "1|Không",
		"Đã bị hủy":                         "1|Không",
		"Hóa đơn thay thế":                  "1|Có",
		"Không có XML gốc":                  "1|Không",
		"Lỗi tải / đọc":                     "1|Không",
		"Tổng số hóa đơn trong kỳ":          "8",
	} {
		if got := strings.Join(rows[label][1:], "|"); got != want {
			t.Errorf("summary %q = %q, want %q", label, got, want)
		}
	}
	if got := strings.Join(rows["Dữ liệu xác minh với cổng lần cuối"], "|"); !strings.Contains(got, "02/10/2026 10:04") {
		t.Errorf("verified row %q, want 02/10/2026 10:04 (Vietnam time)", got)
	}
	note := b.Rows("Tổng hợp")[5][0]
	if !strings.Contains(note, "bị thay thế hoặc đã bị hủy") || !strings.Contains(note, "không tính vào các tổng") {
		t.Errorf("the summary does not say replaced and cancelled invoices are out of the totals: %q", note)
	}
}

// TestWorkbookSignatures: the Bảng kê's signature column shows the
// catalogue's verdict, else the one the parsed JSON stores, else "not
// checked".
func TestWorkbookSignatures(t *testing.T) {
	src, _ := fixture(t)
	b, _ := workbook(t, src)
	rows := b.Rows("Bảng kê")
	col := slices.Index(rows[0], "Chữ ký số")
	if col < 0 {
		t.Fatalf("no signature column in %q", rows[0])
	}
	for i, want := range []string{
		"valid", // parsed JSON
		"Chưa kiểm tra",
		"Chưa kiểm tra",
		"valid", // the record's
		`invalid: reference "#data": digest does not match: the content changed after signing`,
		"Chưa kiểm tra",
	} {
		if got := rows[i+1][col]; got != want {
			t.Errorf("row %d (%s): signature %q, want %q", i+1, src.recs[i].Key, got, want)
		}
	}
}

func TestWorkbookFormatsAndLayout(t *testing.T) {
	src, _ := fixture(t)
	b, raw := workbook(t, src)
	f := b.F
	// Amounts are numbers with a thousands format, dates real dates.
	for _, c := range []struct{ sheet, cell, fmt string }{
		{"Bảng kê", "E2", "dd/mm/yyyy"},
		{"Bảng kê", "M2", "#,##0"},
		{"Chi tiết", "N2", "#,##0"},
		{"Tổng hợp", "C10", "#,##0"},
	} {
		id, err := f.GetCellStyle(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if style.CustomNumFmt != nil {
			got = *style.CustomNumFmt
		} else if style.NumFmt == 3 {
			got = "#,##0"
		}
		if got != c.fmt {
			t.Errorf("%s!%s: number format %q (numFmt %d), want %q", c.sheet, c.cell, got, style.NumFmt, c.fmt)
		}
		typ, err := f.GetCellType(c.sheet, c.cell)
		if err != nil || (typ != 0 && typ != 3) { // unset (a number) or number
			t.Errorf("%s!%s: cell type %v, want a number", c.sheet, c.cell, typ)
		}
	}
	// Autofilter over every written row of each data sheet.
	sheetXML, err := exporttest.Entry(raw, "xl/worksheets/sheet2.xml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sheetXML, []byte(`<autoFilter ref="$A$1:$AJ$9"`)) {
		t.Errorf("Bảng kê has no autofilter over rows 1–9: %s", tail(sheetXML))
	}
	if w, err := f.GetColWidth("Bảng kê", "G"); err != nil || w < 30 {
		t.Errorf("counterparty name column width %v (%v), want ≥ 30", w, err)
	}
}

func tail(b []byte) string {
	if len(b) > 400 {
		b = b[len(b)-400:]
	}
	return string(b)
}

func TestWorkbookEnglish(t *testing.T) {
	src, _ := fixture(t)
	var buf bytes.Buffer
	if _, err := export.WriteWorkbook(context.Background(), &buf, src, selection(t), export.Options{English: true}); err != nil {
		t.Fatal(err)
	}
	b, err := exporttest.Open(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(b.F.GetSheetList(), "|"); got != "Summary|Invoices|Lines|Errors" {
		t.Errorf("sheets %q", got)
	}
	head := strings.Join(b.Rows("Invoices")[0], "|")
	for _, h := range []string{"Number", "Seller tax code", "Before VAT 8%", "Total payable (VND)", "Status", "In totals"} {
		if !strings.Contains(head, h) {
			t.Errorf("English header lacks %q: %s", h, head)
		}
	}
	if got := b.Rows("Invoices")[2][len(b.Rows("Invoices")[0])-10]; got == "" {
		t.Errorf("empty status cell")
	}
}

func TestBundle(t *testing.T) {
	src, want := fixture(t)
	var buf bytes.Buffer
	st, err := export.WriteBundle(context.Background(), &buf, src, selection(t), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	names, err := exporttest.Entries(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	root := company + "_purchase_2026-09-01_2026-09-30/"
	got := map[string]bool{}
	for _, name := range names {
		got[name] = true
	}
	for _, w := range want[:6] {
		for _, f := range []string{"xml/" + w.Key.String() + ".xml", "json/" + w.Key.String() + ".json", "html/" + w.Key.String() + ".html"} {
			if !got[root+f] {
				t.Errorf("bundle lacks %s", root+f)
			}
		}
	}
	if st.Files != 18 || len(names) != 19 {
		t.Errorf("%d files (stats %d), want 18 + the workbook: %q", len(names), st.Files, names)
	}
	if names[len(names)-1] != root+company+"_purchase_2026-09-01_2026-09-30.xlsx" {
		t.Errorf("last entry %q, want the workbook", names[len(names)-1])
	}
	xml, _ := exporttest.Entry(buf.Bytes(), root+"xml/"+want[0].Key.String()+".xml")
	if string(xml) != string(src.objects[src.recs[0].Objects.XML]) {
		t.Errorf("bundled XML %q differs from the stored one", xml)
	}
	page, _ := exporttest.Entry(buf.Bytes(), root+"html/"+want[0].Key.String()+".html")
	if !strings.Contains(string(page), want[0].Key.String()) {
		t.Errorf("bundled HTML %q is not the portal's page", page)
	}
	wb, err := exporttest.Entry(buf.Bytes(), names[len(names)-1])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range exporttest.Check(wb, want) {
		t.Error(d)
	}
}

func TestSelectionRefused(t *testing.T) {
	src, _ := fixture(t)
	sel := selection(t)
	for name, mutate := range map[string]func(*export.Selection){
		"bad MST":        func(s *export.Selection) { s.Company = "0312345670" },
		"bad direction":  func(s *export.Selection) { s.Direction = "both" },
		"reversed dates": func(s *export.Selection) { s.From, s.To = s.To, s.From },
	} {
		s := sel
		mutate(&s)
		_, err := export.WriteWorkbook(context.Background(), io.Discard, src, s, export.Options{})
		if hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("%s: err %v, want invalid", name, err)
		}
	}
	// A record of the other direction is a bug of the source, not data.
	src.recs[0].Flow = hoadon.FlowSoldEInvoice
	if _, err := export.WriteWorkbook(context.Background(), io.Discard, src, sel, export.Options{}); hoadon.ErrorCode(err) != hoadon.CodeInternal {
		t.Errorf("foreign record: err %v, want internal", err)
	}
}
