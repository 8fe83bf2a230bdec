package export

import (
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Summary sheet labels.
var (
	labelCompany  = text{"Công ty (MST)", "Company (tax code)"}
	labelPeriod   = text{"Kỳ", "Period"}
	labelVerified = text{"Dữ liệu xác minh với cổng lần cuối", "Data last verified with the portal"}
	labelExported = text{"Thời điểm xuất", "Exported at"}
	labelExcluded = text{
		"Hóa đơn đã bị thay thế hoặc đã bị hủy được liệt kê trong Bảng kê nhưng không tính vào các tổng dưới đây; " +
			"hóa đơn không có XML gốc hoặc bị lỗi ở trang Lỗi. Số tiền lấy từ phần tổng (TToan) của từng hóa đơn, " +
			"quy đổi ra VND theo tỷ giá ghi trên hóa đơn.",
		"Replaced and cancelled invoices are listed on the Invoices sheet but left out of the totals below; " +
			"invoices without an original XML or that failed are on the Errors sheet. Amounts are each invoice's own " +
			"totals (TToan), converted to VND at the exchange rate on the invoice."}
	labelGroup      = text{"Nhóm thuế suất", "VAT rate group"}
	labelCount      = text{"Số hóa đơn", "Invoices"}
	labelBase       = text{"Tiền trước thuế (VND)", "Before VAT (VND)"}
	labelVAT        = text{"Thuế GTGT (VND)", "VAT (VND)"}
	labelTotal      = text{"Tổng cộng (VND)", "Total (VND)"}
	labelDiscount   = text{"Chiết khấu thương mại (VND)", "Trade discount (VND)"}
	labelGrand      = text{"Tổng cộng (theo tổng của hóa đơn)", "Total (invoice totals)"}
	labelStatus     = text{"Trạng thái", "Status"}
	labelInTotals   = text{"Tính vào tổng", "In totals"}
	labelAll        = text{"Tổng số hóa đơn trong kỳ", "All invoices of the period"}
	labelUnverified = text{"Chưa rõ", "Unknown"}
)

// noteRow is the summary's row saying what the totals leave out (A6:E6).
const noteRow = 6

// writeSummary writes the summary sheet from the accumulated figures.
func (w *Workbook) writeSummary() error {
	sw, err := w.f.NewStreamWriter(w.l.s(sheetSummary))
	if err != nil {
		return err
	}
	for i, width := range []float64{42, 18, 22, 20, 22} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	for i, r := range w.summaryRows() {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		var opts []excelize.RowOpts
		if i+1 == noteRow {
			opts = append(opts, excelize.RowOpts{Height: 48})
		}
		if err := sw.SetRow(cell, r, opts...); err != nil {
			return err
		}
	}
	if err := sw.MergeCell("A6", "E6"); err != nil {
		return err
	}
	return sw.Flush()
}

func (w *Workbook) summaryRows() [][]any {
	l, st, s, sel := w.l, w.st, &w.sum, w.sel
	bold := func(t text) any { return excelize.Cell{StyleID: st.header, Value: l.s(t)} }
	company := sel.Company
	if name := firstNonEmpty(sel.Name, s.name); name != "" {
		company += " – " + name
	}
	verified := any(l.s(labelUnverified))
	if !s.verified.IsZero() {
		verified = excelize.Cell{StyleID: st.stamp, Value: s.verified.In(hoadon.VietnamZone)}
	}
	rows := [][]any{
		{excelize.Cell{StyleID: st.title, Value: l.directionTitle(sel.Direction)}},
		{l.s(labelCompany), company},
		{l.s(labelPeriod), excelize.Cell{StyleID: st.date, Value: sel.From.Time}, excelize.Cell{StyleID: st.date, Value: sel.To.Time}},
		{l.s(labelVerified), verified},
		{l.s(labelExported), excelize.Cell{StyleID: st.stamp, Value: w.opt.now().In(hoadon.VietnamZone)}},
		{excelize.Cell{StyleID: st.note, Value: l.s(labelExcluded)}},
		nil,
		{bold(labelGroup), bold(labelCount), bold(labelBase), bold(labelVAT), bold(labelTotal)},
	}
	for g := range numGroups {
		rows = append(rows, []any{l.s(groupLabels[g]), s.count[g], st.vndCell(s.base[g]), st.vndCell(s.vat[g]),
			st.vndCell(s.base[g].Add(s.vat[g]))})
	}
	vnd := func(d decimal.Decimal) any { return excelize.Cell{StyleID: st.boldVND, Value: d.InexactFloat64()} }
	rows = append(rows,
		[]any{excelize.Cell{StyleID: st.bold, Value: l.s(labelGrand)}, excelize.Cell{StyleID: st.bold, Value: s.invoices},
			vnd(s.net), vnd(s.tax), vnd(s.total)},
		[]any{l.s(labelDiscount), nil, st.vndCell(s.discount)},
		nil,
		[]any{bold(labelStatus), bold(labelCount), bold(labelInTotals)},
	)
	for status := PortalNew; status <= PortalCancelled; status++ {
		rows = append(rows, []any{l.s(statusLabels[status]), s.byStatus[status], yesNo(l, counted(status))})
	}
	rows = append(rows,
		[]any{l.s(labelUnavailable), s.unavail, l.s(labelNo)},
		[]any{l.s(labelFailed), s.failed, l.s(labelNo)},
		[]any{excelize.Cell{StyleID: st.bold, Value: l.s(labelAll)}, excelize.Cell{StyleID: st.bold, Value: w.stats.Invoices}},
	)
	return rows
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
