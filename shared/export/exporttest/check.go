// Package exporttest reads an exported workbook back with excelize and
// checks every sheet against the parsed invoices it was built from. It is
// an oracle written apart from the exporter: it finds columns by their
// Vietnamese headers and recomputes each expected figure from the invoice's
// TToan with its own small rules, so a mistake in the exporter's grouping,
// conversion or status logic shows as a difference.
package exporttest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Want is one invoice as the workbook must show it, in list order. Inv is
// nil for an invoice listed without a parsed invoice (no original XML,
// failed).
type Want struct {
	Key       hoadon.InvoiceKey
	Direction hoadon.Direction
	Inv       *einvoice.Invoice
	Status    int  // expected portal status 1–6 (for Inv != nil)
	Missing   bool // listed on the error sheet
	// Signature, when set, is how the seller signature's verdict must begin
	// ("valid", "invalid", "missing").
	Signature string
}

// Sheets are the Vietnamese sheet names, in order.
var Sheets = []string{"Tổng hợp", "Bảng kê", "Chi tiết", "Lỗi"}

// Book is a workbook read back.
type Book struct {
	F    *excelize.File
	rows map[string][][]string // formatted values
	raw  map[string][][]string // raw values
}

// Open reads an .xlsx.
func Open(data []byte) (*Book, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := &Book{F: f, rows: map[string][][]string{}, raw: map[string][][]string{}}
	for _, s := range f.GetSheetList() {
		if b.rows[s], err = f.GetRows(s); err != nil {
			return nil, err
		}
		if b.raw[s], err = f.GetRows(s, excelize.Options{RawCellValue: true}); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Rows returns a sheet's formatted rows.
func (b *Book) Rows(sheet string) [][]string { return b.rows[sheet] }

// Check compares the whole workbook with want, its values and its view
// (sheets in order, frozen header rows), and returns every difference (at
// most a few hundred lines).
func Check(data []byte, want []Want) []string { return check(data, want, true) }

// CheckValues is Check without the view: a copy saved by LibreOffice
// headless has no view, so it keeps no frozen panes.
func CheckValues(data []byte, want []Want) []string { return check(data, want, false) }

func check(data []byte, want []Want, view bool) []string {
	b, err := Open(data)
	if err != nil {
		return []string{"open workbook: " + err.Error()}
	}
	defer b.F.Close()
	c := &checker{b: b}
	c.structure(view)
	c.list(want)
	c.lines(want)
	c.errors(want)
	c.summary(want)
	return c.diffs
}

type checker struct {
	b     *Book
	diffs []string
}

func (c *checker) errorf(format string, args ...any) {
	if len(c.diffs) < 300 {
		c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
	}
}

func (c *checker) structure(view bool) {
	got := c.b.F.GetSheetList()
	if strings.Join(got, "|") != strings.Join(Sheets, "|") {
		c.errorf("sheets %q, want %q", got, Sheets)
	}
	if !view {
		return
	}
	for _, s := range Sheets[1:] {
		p, err := c.b.F.GetPanes(s)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			c.errorf("%s: header row not frozen (%+v, %v)", s, p, err)
		}
	}
}

// table is a data sheet with its header.
type table struct {
	name      string
	head      map[string]int
	rows, raw [][]string
}

func (c *checker) table(name string) table {
	t := table{name: name, head: map[string]int{}}
	rows, raw := c.b.rows[name], c.b.raw[name]
	if len(rows) == 0 {
		c.errorf("%s: empty sheet", name)
		return t
	}
	for i, h := range rows[0] {
		t.head[h] = i
	}
	t.rows, t.raw = rows[1:], raw[1:]
	return t
}

func (t table) cell(rows [][]string, r int, col string) (string, bool) {
	i, ok := t.head[col]
	if !ok || r >= len(rows) || i >= len(rows[r]) {
		return "", ok
	}
	return rows[r][i], true
}

func (c *checker) text(t table, r int, col, want string) {
	got, ok := t.cell(t.rows, r, col)
	if !ok {
		c.errorf("%s: no column %q", t.name, col)
		return
	}
	if got != want {
		c.errorf("%s row %d %q = %q, want %q", t.name, r+2, col, got, want)
	}
}

// number checks a numeric cell; an absent want means an empty cell.
func (c *checker) number(t table, r int, col string, want einvoice.Num, factor float64) {
	got, ok := t.cell(t.raw, r, col)
	if !ok {
		c.errorf("%s: no column %q", t.name, col)
		return
	}
	if !want.Valid() {
		if got != "" {
			c.errorf("%s row %d %q = %q, want empty", t.name, r+2, col, got)
		}
		return
	}
	w := want.Decimal().InexactFloat64() * factor
	g, err := strconv.ParseFloat(got, 64)
	if err != nil || math.Abs(g-w) > 0.005*math.Max(1, math.Abs(w)/1e9) {
		c.errorf("%s row %d %q = %q, want %v", t.name, r+2, col, got, w)
	}
}

func num(f float64) einvoice.Num {
	n := einvoice.Num{}
	_ = n.UnmarshalJSON([]byte(strconv.FormatFloat(f, 'f', -1, 64)))
	return n
}

// rateOf is TGia for a foreign-currency invoice, else 1.
func rateOf(inv *einvoice.Invoice) float64 {
	cur := strings.ToUpper(inv.General.DVTTe)
	if cur == "" || cur == "VND" || !inv.General.TGia.Valid() {
		return 1
	}
	return inv.General.TGia.Decimal().InexactFloat64()
}

// groupHeader names the list's amount column of a TSuat.
func groupHeader(tsuat string) string {
	switch s := strings.ToUpper(strings.ReplaceAll(tsuat, " ", "")); s {
	case "0%", "5%", "8%", "10%", "KCT", "KKKNT":
		return s
	case "KKKTT":
		return "KKKNT"
	}
	return "khác"
}

var statusVI = map[int]string{1: "Hóa đơn mới", 2: "Hóa đơn thay thế", 3: "Hóa đơn điều chỉnh",
	4: "Đã bị thay thế", 5: "Đã bị điều chỉnh", 6: "Đã bị hủy"}

func counted(w Want) bool { return w.Inv != nil && w.Status != 4 && w.Status != 6 }

func (c *checker) list(want []Want) {
	t := c.table("Bảng kê")
	if len(t.rows) != len(want) {
		c.errorf("Bảng kê: %d rows, want %d", len(t.rows), len(want))
	}
	for r, w := range want {
		if r >= len(t.rows) {
			return
		}
		c.text(t, r, "Ký hiệu", w.Key.KHHDon)
		c.text(t, r, "Số hóa đơn", strconv.FormatInt(w.Key.SHDon, 10))
		c.text(t, r, "Mẫu số", strconv.Itoa(w.Key.KHMSHDon))
		if w.Inv == nil {
			c.text(t, r, "Tổng thanh toán (VND)", "")
			c.text(t, r, "Tính vào tổng hợp", "Không")
			continue
		}
		c.listInvoice(t, r, w)
	}
}

func (c *checker) listInvoice(t table, r int, w Want) {
	inv, rate := w.Inv, rateOf(w.Inv)
	nlap, _ := time.Parse(time.DateOnly, inv.General.NLap)
	c.text(t, r, "Ngày lập", nlap.Format("02/01/2006"))
	party, role := inv.Buyer, "người mua"
	if w.Direction == hoadon.Purchase {
		party, role = inv.Seller, "người bán"
	}
	c.text(t, r, "MST "+role, party.MST)
	if party.Ten != "" {
		c.text(t, r, "Tên "+role, party.Ten)
	}
	sums := map[string]float64{}
	vats := map[string]float64{}
	for _, rt := range inv.Totals.Rates {
		g := groupHeader(rt.TSuat)
		sums[g] += rt.ThTien.Decimal().InexactFloat64()
		vats[g] += rt.TThue.Decimal().InexactFloat64()
	}
	for g, v := range sums {
		c.number(t, r, "Tiền trước thuế "+g, num(v), rate)
		if _, taxed := t.head["Thuế GTGT "+g]; taxed {
			c.number(t, r, "Thuế GTGT "+g, num(vats[g]), rate)
		}
	}
	c.number(t, r, "Tổng tiền thuế GTGT", orZero(inv.Totals.TgTThue), rate)
	c.number(t, r, "Tổng thanh toán (VND)", orZero(inv.Totals.TgTTTBSo), rate)
	c.number(t, r, "Tổng thanh toán (nguyên tệ)", inv.Totals.TgTTTBSo, 1)
	c.number(t, r, "Chiết khấu thương mại", orZero(inv.Totals.TTCKTMai), rate)
	c.number(t, r, "Tỷ giá", num(rate), 1)
	cur := inv.General.DVTTe
	if cur == "" {
		cur = "VND"
	}
	c.text(t, r, "Đơn vị tiền tệ", cur)
	c.text(t, r, "Mã CQT", inv.MCCQT)
	c.text(t, r, "Trạng thái", statusVI[w.Status])
	c.text(t, r, "Có XML gốc", "Có")
	in := map[bool]string{true: "Có", false: "Không"}[counted(w)]
	if w.Status == 4 {
		in = "Không (đã bị thay thế)"
	} else if w.Status == 6 {
		in = "Không (đã bị hủy)"
	}
	c.text(t, r, "Tính vào tổng hợp", in)
	if got, _ := t.cell(t.rows, r, "Chữ ký số"); w.Signature != "" && !strings.HasPrefix(got, w.Signature) {
		c.errorf("Bảng kê row %d signature %q, want %s", r+2, got, w.Signature)
	}
	if rel := inv.General.Related; rel != nil && w.Status <= 3 {
		got, _ := t.cell(t.rows, r, "Hóa đơn liên quan")
		if !strings.Contains(got, rel.KHHDCLQuan) || !strings.HasSuffix(got, "_"+rel.SHDCLQuan) {
			c.errorf("Bảng kê row %d related %q, want it to name %s %s", r+2, got, rel.KHHDCLQuan, rel.SHDCLQuan)
		}
	}
}

func orZero(n einvoice.Num) einvoice.Num {
	if n.Valid() {
		return n
	}
	return num(0)
}

var kinds = map[int]string{0: "Hàng hóa, dịch vụ", 1: "Hàng hóa, dịch vụ", 2: "Khuyến mại", 3: "Chiết khấu thương mại", 4: "Ghi chú, diễn giải"}

func (c *checker) lines(want []Want) {
	t := c.table("Chi tiết")
	r := 0
	for _, w := range want {
		if w.Inv == nil {
			continue
		}
		for _, l := range w.Inv.Lines {
			if r >= len(t.rows) {
				c.errorf("Chi tiết: %d rows, want more (invoice %s)", len(t.rows), w.Key)
				return
			}
			c.text(t, r, "Hóa đơn", w.Key.String())
			c.text(t, r, "Tính chất", kinds[l.TChat])
			c.text(t, r, "Tên hàng hóa, dịch vụ", l.THHDVu)
			c.text(t, r, "Thuế suất", l.TSuat)
			c.number(t, r, "Số lượng", l.SLuong, 1)
			c.number(t, r, "Đơn giá", l.DGia, 1)
			c.number(t, r, "Tiền chiết khấu", l.STCKhau, 1)
			c.number(t, r, "Thành tiền", l.ThTien, 1)
			r++
		}
	}
	if r != len(t.rows) {
		c.errorf("Chi tiết: %d rows, want %d", len(t.rows), r)
	}
}

func (c *checker) errors(want []Want) {
	t := c.table("Lỗi")
	r := 0
	for _, w := range want {
		if !w.Missing {
			continue
		}
		if r < len(t.rows) {
			c.text(t, r, "Hóa đơn", w.Key.String())
			if got, _ := t.cell(t.rows, r, "Lý do"); got == "" {
				c.errorf("Lỗi row %d: no reason", r+2)
			}
		}
		r++
	}
	if r != len(t.rows) {
		c.errorf("Lỗi: %d rows, want %d", len(t.rows), r)
	}
}

// summary checks the grand total row and the rate-group rows.
func (c *checker) summary(want []Want) {
	var n int
	var net, tax, total float64
	groups := map[string][3]float64{} // count, base, vat
	for _, w := range want {
		if !counted(w) {
			continue
		}
		n++
		rate := rateOf(w.Inv)
		t := w.Inv.Totals
		net += t.TgTCThue.Decimal().InexactFloat64() * rate
		tax += t.TgTThue.Decimal().InexactFloat64() * rate
		total += t.TgTTTBSo.Decimal().InexactFloat64() * rate
		seen := map[string]bool{}
		for _, rt := range t.Rates {
			g := groupHeader(rt.TSuat)
			v := groups[g]
			if !seen[g] {
				v[0]++
				seen[g] = true
			}
			v[1] += rt.ThTien.Decimal().InexactFloat64() * rate
			v[2] += rt.TThue.Decimal().InexactFloat64() * rate
			groups[g] = v
		}
	}
	rows := c.b.raw["Tổng hợp"]
	find := func(prefix string) []string {
		for _, r := range rows {
			if len(r) > 0 && strings.HasPrefix(r[0], prefix) {
				return r
			}
		}
		c.errorf("Tổng hợp: no row %q", prefix)
		return nil
	}
	c.summaryRow(find("Tổng cộng (theo tổng"), "total", [4]float64{float64(n), net, tax, total})
	labels := map[string]string{"0%": "0%", "5%": "5%", "8%": "8%", "10%": "10%", "KCT": "Không chịu thuế", "KKKNT": "Không kê khai", "khác": "Thuế suất khác"}
	for g, v := range groups {
		c.summaryRow(find(labels[g]), g, [4]float64{v[0], v[1], v[2], v[1] + v[2]})
	}
}

func (c *checker) summaryRow(row []string, name string, want [4]float64) {
	if row == nil {
		return
	}
	for i, w := range want {
		if i+1 >= len(row) {
			c.errorf("Tổng hợp %s: short row %q", name, row)
			return
		}
		g, err := strconv.ParseFloat(row[i+1], 64)
		if err != nil || math.Abs(g-w) > 0.01*math.Max(1, math.Abs(w)/1e9) {
			c.errorf("Tổng hợp %s column %d = %q, want %v", name, i+2, row[i+1], w)
		}
	}
}

// Entries lists the names in a ZIP (a bundle).
func Entries(data []byte) ([]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range zr.File {
		out = append(out, f.Name)
	}
	return out, nil
}

// Entry reads one file of a ZIP.
func Entry(data []byte, name string) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	rc, err := zr.Open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
