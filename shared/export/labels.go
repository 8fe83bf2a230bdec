package export

import (
	"strconv"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// text is a label in both languages.
type text struct{ vi, en string }

// lang picks the language of every label of one workbook.
type lang bool

const english lang = true

func (l lang) s(t text) string {
	if l == english {
		return t.en
	}
	return t.vi
}

// Sheet names.
var (
	sheetSummary = text{"Tổng hợp", "Summary"}
	sheetList    = text{"Bảng kê", "Invoices"}
	sheetLines   = text{"Chi tiết", "Lines"}
	sheetErrors  = text{"Lỗi", "Errors"}
)

// groupLabels name the VAT-rate groups.
var groupLabels = [numGroups]text{
	group0:       {"0%", "0%"},
	group5:       {"5%", "5%"},
	group8:       {"8%", "8%"},
	group10:      {"10%", "10%"},
	groupKCT:     {"Không chịu thuế (KCT)", "Not subject to VAT (KCT)"},
	groupKKKNT:   {"Không kê khai, nộp thuế (KKKNT)", "Not declared (KKKNT)"},
	groupOther:   {"Thuế suất khác", "Other rates"},
	groupRevenue: {"% doanh thu (hộ kinh doanh)", "% of revenue (household business)"},
}

// shortGroup is the group's name inside a column header.
var shortGroup = [numGroups]text{
	group0: {"0%", "0%"}, group5: {"5%", "5%"}, group8: {"8%", "8%"}, group10: {"10%", "10%"},
	groupKCT: {"KCT", "KCT"}, groupKKKNT: {"KKKNT", "KKKNT"}, groupOther: {"khác", "other"},
	groupRevenue: {"% doanh thu", "% of revenue"},
}

// statusLabels name the portal statuses (index = tthai).
var statusLabels = [...]text{
	PortalNew:         {"Hóa đơn mới", "New"},
	PortalReplacement: {"Hóa đơn thay thế", "Replacement"},
	PortalAdjustment:  {"Hóa đơn điều chỉnh", "Adjustment"},
	PortalReplaced:    {"Đã bị thay thế", "Replaced"},
	PortalAdjusted:    {"Đã bị điều chỉnh", "Adjusted"},
	PortalCancelled:   {"Đã bị hủy", "Cancelled"},
}

// Labels of rows that are not portal statuses.
var (
	labelUnavailable = text{"Không có XML gốc", "No original XML"}
	labelFailed      = text{"Lỗi tải / đọc", "Failed to download or read"}
	labelYes         = text{"Có", "Yes"}
	labelNo          = text{"Không", "No"}
	labelNotChecked  = text{"Chưa kiểm tra", "Not checked"}
	labelOutReplaced = text{"Không (đã bị thay thế)", "No (replaced)"}
	labelOutCancel   = text{"Không (đã bị hủy)", "No (cancelled)"}
)

// lineKinds name the line kinds (TChat).
var lineKinds = map[int]text{
	einvoice.LineGoods:     {"Hàng hóa, dịch vụ", "Goods or service"},
	einvoice.LinePromotion: {"Khuyến mại", "Promotion"},
	einvoice.LineDiscount:  {"Chiết khấu thương mại", "Trade discount"},
	einvoice.LineNote:      {"Ghi chú, diễn giải", "Note"},
}

func (l lang) lineKind(tchat int) string {
	if t, ok := lineKinds[tchat]; ok {
		return l.s(t)
	}
	if tchat == 0 {
		return l.s(lineKinds[einvoice.LineGoods])
	}
	return strconv.Itoa(tchat)
}

// directionTitle is the workbook's title.
func (l lang) directionTitle(d hoadon.Direction) string {
	if d == hoadon.Purchase {
		return l.s(text{"Bảng kê hóa đơn mua vào", "Purchase invoices"})
	}
	return l.s(text{"Bảng kê hóa đơn bán ra", "Sales invoices"})
}

// portalStatus is the invoice's status: the catalogue's tthai when known,
// else what the XML says (a replacement or adjustment names its original).
func portalStatus(rec Record, inv *einvoice.Invoice) int {
	if rec.PortalStatus >= PortalNew && rec.PortalStatus <= PortalCancelled {
		return rec.PortalStatus
	}
	if inv != nil && inv.General.Related != nil {
		switch inv.General.Related.TCHDon {
		case 1:
			return PortalReplacement
		case 2:
			return PortalAdjustment
		}
	}
	return PortalNew
}

// counted reports whether an invoice in this status enters the totals:
// replaced and cancelled invoices do not (the replacement, or nothing, takes
// their place); adjusted ones do, with their adjustments.
func counted(status int) bool { return status != PortalReplaced && status != PortalCancelled }

// relatedOf names the related invoice: the catalogue's link, else the
// original named in the XML (same seller), as nbmst_khmshdon_khhdon_shdon.
func relatedOf(rec Record, inv *einvoice.Invoice) string {
	if rec.Related != "" {
		return rec.Related
	}
	if inv == nil || inv.General.Related == nil {
		return ""
	}
	r := inv.General.Related
	return inv.Seller.MST + "_" + r.KHMSHDCLQuan + "_" + r.KHHDCLQuan + "_" + r.SHDCLQuan
}
