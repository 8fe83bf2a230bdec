package export

import (
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// listRow is one row of the invoice list (Bảng kê).
type listRow struct {
	n      int
	rec    Record
	inv    *einvoice.Invoice // nil when the invoice has no parsed JSON
	a      amounts
	status int
	in     bool // counted in the totals
}

// counterparty is the other side: the seller of a purchase, the buyer of a sale.
func (r *listRow) counterparty() einvoice.Party {
	if r.inv == nil {
		return einvoice.Party{}
	}
	if r.rec.Flow.Direction() == hoadon.Purchase {
		return r.inv.Seller
	}
	p := r.inv.Buyer
	if p.Ten == "" {
		p.Ten = p.HVTNMHang
	}
	return p
}

// amount returns a VND figure of a parsed invoice, nil for one without.
func (r *listRow) amount(st styles, d func(*amounts) decimal.Decimal) any {
	if r.inv == nil {
		return nil
	}
	return st.vndCell(d(&r.a))
}

func listColumns(l lang, st styles, d hoadon.Direction) []column[listRow] {
	party := text{"người mua", "Buyer"}
	if d == hoadon.Purchase {
		party = text{"người bán", "Seller"}
	}
	cols := []column[listRow]{
		{text{"STT", "No."}, 6, func(r *listRow) any { return r.n }},
		{text{"Mẫu số", "Template"}, 7, func(r *listRow) any { return r.rec.Key.KHMSHDon }},
		{text{"Ký hiệu", "Series"}, 10, func(r *listRow) any { return r.rec.Key.KHHDon }},
		{text{"Số hóa đơn", "Number"}, 10, func(r *listRow) any { return r.rec.Key.SHDon }},
		{text{"Ngày lập", "Date"}, 11, func(r *listRow) any { return st.dateCell(issueDate(r.rec, r.inv)) }},
		{text{"MST " + party.vi, party.en + " tax code"}, 14, func(r *listRow) any { return nilIfEmpty(r.counterparty().MST) }},
		{text{"Tên " + party.vi, party.en + " name"}, 34, func(r *listRow) any { return nilIfEmpty(r.counterparty().Ten) }},
		{text{"Địa chỉ " + party.vi, party.en + " address"}, 34, func(r *listRow) any { return nilIfEmpty(r.counterparty().DChi) }},
	}
	for g := range numGroups {
		cols = append(cols, column[listRow]{
			text{"Tiền trước thuế " + shortGroup[g].vi, "Before VAT " + shortGroup[g].en}, 14,
			func(r *listRow) any { return r.groupCell(st, g, false) }})
		if g.taxed() {
			cols = append(cols, column[listRow]{
				text{"Thuế GTGT " + shortGroup[g].vi, "VAT " + shortGroup[g].en}, 13,
				func(r *listRow) any { return r.groupCell(st, g, true) }})
		}
	}
	return append(cols, []column[listRow]{
		{text{"Chiết khấu thương mại", "Trade discount"}, 13, func(r *listRow) any { return r.amount(st, func(a *amounts) decimal.Decimal { return a.discount }) }},
		{text{"Tổng tiền trước thuế", "Total before VAT"}, 15, func(r *listRow) any { return r.amount(st, func(a *amounts) decimal.Decimal { return a.net }) }},
		{text{"Tổng tiền thuế GTGT", "Total VAT"}, 14, func(r *listRow) any { return r.amount(st, func(a *amounts) decimal.Decimal { return a.tax }) }},
		{text{"Tổng thanh toán (VND)", "Total payable (VND)"}, 16, func(r *listRow) any { return r.amount(st, func(a *amounts) decimal.Decimal { return a.total }) }},
		{text{"Đơn vị tiền tệ", "Currency"}, 8, func(r *listRow) any { return r.currency() }},
		{text{"Tỷ giá", "Exchange rate"}, 10, func(r *listRow) any { return r.rate(st) }},
		{text{"Tổng thanh toán (nguyên tệ)", "Total payable (invoice currency)"}, 16, func(r *listRow) any { return r.payableWritten(st) }},
		{text{"Mã CQT", "Tax authority code"}, 36, func(r *listRow) any { return r.mccqt() }},
		{text{"Trạng thái", "Status"}, 18, func(r *listRow) any { return r.statusText(l) }},
		{text{"Hóa đơn liên quan", "Related invoice"}, 28, func(r *listRow) any { return nilIfEmpty(relatedOf(r.rec, r.inv)) }},
		{text{"Tính vào tổng hợp", "In totals"}, 16, func(r *listRow) any { return r.inTotals(l) }},
		{text{"Chữ ký số", "Signature"}, 14, func(r *listRow) any { return signatureText(l, r) }},
		{text{"Có XML gốc", "Original XML stored"}, 10, func(r *listRow) any { return yesNo(l, r.rec.Objects.XML != "") }},
		{text{"Luồng", "Flow"}, 20, func(r *listRow) any { return string(r.rec.Flow) }},
		{text{"Tệp", "Object"}, 60, func(r *listRow) any { return nilIfEmpty(objectOf(r.rec)) }},
	}...)
}

func (r *listRow) groupCell(st styles, g group, vat bool) any {
	if r.inv == nil || !r.a.in[g] {
		return nil
	}
	if vat {
		return st.vndCell(r.a.vat[g])
	}
	return st.vndCell(r.a.base[g])
}

func (r *listRow) currency() any {
	if r.inv == nil {
		return nil
	}
	if c := strings.TrimSpace(r.inv.General.DVTTe); c != "" {
		return c
	}
	return "VND"
}

func (r *listRow) rate(st styles) any {
	if r.inv == nil {
		return nil
	}
	return excelize.Cell{StyleID: st.pct, Value: r.a.rate.InexactFloat64()}
}

func (r *listRow) payableWritten(st styles) any {
	if r.inv == nil {
		return nil
	}
	return st.written(r.inv.Totals.TgTTTBSo, foreign(r.inv))
}

func (r *listRow) mccqt() any {
	if r.inv == nil {
		return nil
	}
	return nilIfEmpty(r.inv.MCCQT)
}

func (r *listRow) statusText(l lang) string {
	switch {
	case r.rec.Status == hoadon.StatusUnavailable:
		return l.s(labelUnavailable)
	case r.inv == nil:
		return l.s(labelFailed)
	}
	return l.s(statusLabels[r.status])
}

func (r *listRow) inTotals(l lang) string {
	switch {
	case r.inv == nil:
		return l.s(labelNo)
	case r.status == PortalReplaced:
		return l.s(labelOutReplaced)
	case r.status == PortalCancelled:
		return l.s(labelOutCancel)
	}
	return l.s(labelYes)
}

// signatureText is the seller signature's verdict: the catalogue's
// (Record.Signature), else the one stored in the parsed JSON.
func signatureText(l lang, r *listRow) string {
	sig := r.rec.Signature
	if sig == "" && r.inv != nil {
		sig = SellerSignature(r.inv.Signatures)
	}
	if sig == "" {
		return l.s(labelNotChecked)
	}
	return sig
}

// SellerSignature sums up the seller's signature of stored results (the
// catalogue's or the parsed JSON's) as Record.Signature holds it: "valid",
// or the status and the reason ("invalid: …", "warning: …", "missing: …");
// "" when the results hold no seller verdict (not checked).
func SellerSignature(rs []xmlsig.Result) string {
	seller, ok := xmlsig.Seller(rs)
	switch {
	case !ok:
		return ""
	case seller.Status == xmlsig.StatusValid || seller.Reason == "":
		return string(seller.Status)
	}
	return string(seller.Status) + ": " + seller.Reason
}

func yesNo(l lang, b bool) string {
	if b {
		return l.s(labelYes)
	}
	return l.s(labelNo)
}

// objectOf is the object a row points to: the original XML, else the
// portal's ZIP, else the parsed JSON.
func objectOf(rec Record) string {
	switch {
	case rec.Objects.XML != "":
		return rec.Objects.XML
	case rec.Objects.ZIP != "":
		return rec.Objects.ZIP
	}
	return rec.Objects.JSON
}

// issueDate is the invoice's own date (NLap), else the catalogue's.
func issueDate(rec Record, inv *einvoice.Invoice) string {
	if inv != nil && inv.General.NLap != "" {
		return inv.General.NLap
	}
	return rec.Date
}

// lineRow is one row of the line sheet (Chi tiết).
type lineRow struct {
	rec  Record
	inv  *einvoice.Invoice
	line einvoice.Line
}

func lineColumns(l lang, st styles) []column[lineRow] {
	money := func(r *lineRow, n einvoice.Num) any { return st.written(n, foreign(r.inv)) }
	return []column[lineRow]{
		{text{"Hóa đơn", "Invoice"}, 30, func(r *lineRow) any { return r.rec.Key.String() }},
		{text{"Ký hiệu", "Series"}, 10, func(r *lineRow) any { return r.rec.Key.KHHDon }},
		{text{"Số hóa đơn", "Number"}, 10, func(r *lineRow) any { return r.rec.Key.SHDon }},
		{text{"Ngày lập", "Date"}, 11, func(r *lineRow) any { return st.dateCell(issueDate(r.rec, r.inv)) }},
		{text{"STT", "Line"}, 6, func(r *lineRow) any { return zeroNil(r.line.STT) }},
		{text{"Tính chất", "Kind"}, 18, func(r *lineRow) any { return l.lineKind(r.line.TChat) }},
		{text{"Mã hàng", "Item code"}, 10, func(r *lineRow) any { return nilIfEmpty(r.line.MHHDVu) }},
		{text{"Tên hàng hóa, dịch vụ", "Description"}, 40, func(r *lineRow) any { return nilIfEmpty(r.line.THHDVu) }},
		{text{"Đơn vị tính", "Unit"}, 9, func(r *lineRow) any { return nilIfEmpty(r.line.DVTinh) }},
		{text{"Số lượng", "Quantity"}, 10, func(r *lineRow) any { return st.numCell(r.line.SLuong, st.qty) }},
		{text{"Đơn giá", "Unit price"}, 14, func(r *lineRow) any { return money(r, r.line.DGia) }},
		{text{"Tỷ lệ chiết khấu (%)", "Discount rate (%)"}, 10, func(r *lineRow) any { return st.numCell(r.line.TLCKhau, st.pct) }},
		{text{"Tiền chiết khấu", "Discount"}, 13, func(r *lineRow) any { return money(r, r.line.STCKhau) }},
		{text{"Thành tiền", "Amount"}, 15, func(r *lineRow) any { return money(r, r.line.ThTien) }},
		{text{"Thuế suất", "VAT rate"}, 9, func(r *lineRow) any { return rateText(r.line) }},
		{text{"Tiền thuế", "VAT"}, 13, func(r *lineRow) any { return money(r, lineVAT(r.line, foreign(r.inv))) }},
		{text{"Đơn vị tiền tệ", "Currency"}, 8, func(r *lineRow) any { return (&listRow{inv: r.inv}).currency() }},
	}
}

// rateText is the line's VAT rate as written, or its % of revenue.
func rateText(line einvoice.Line) any {
	if line.TSuat != "" {
		return line.TSuat
	}
	return nilIfEmpty(line.TLTThue)
}

func zeroNil(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// errorRow is one row of the error sheet (Lỗi).
type errorRow struct {
	rec    Record
	reason string
}

func errorColumns(l lang, st styles) []column[errorRow] {
	return []column[errorRow]{
		{text{"Hóa đơn", "Invoice"}, 30, func(r *errorRow) any { return r.rec.Key.String() }},
		{text{"Ký hiệu", "Series"}, 10, func(r *errorRow) any { return r.rec.Key.KHHDon }},
		{text{"Số hóa đơn", "Number"}, 10, func(r *errorRow) any { return r.rec.Key.SHDon }},
		{text{"Ngày lập", "Date"}, 11, func(r *errorRow) any { return st.dateCell(r.rec.Date) }},
		{text{"Luồng", "Flow"}, 20, func(r *errorRow) any { return string(r.rec.Flow) }},
		{text{"Tình trạng", "Condition"}, 22, func(r *errorRow) any {
			if r.rec.Status == hoadon.StatusUnavailable {
				return l.s(labelUnavailable)
			}
			return l.s(labelFailed)
		}},
		{text{"Lý do", "Reason"}, 60, func(r *errorRow) any { return r.reason }},
		{text{"Tệp", "Object"}, 60, func(r *errorRow) any { return nilIfEmpty(objectOf(r.rec)) }},
	}
}
