package console

import (
	"net/http"
)

// langCookie keeps the chosen language; ?lang=vi|en switches it.
const langCookie = "hoadon_lang"

// language is the request's language: ?lang= (remembered), the cookie, else
// Vietnamese.
func language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); texts[l] != nil {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: Prefix, MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
		return l
	}
	if ck, err := r.Cookie(langCookie); err == nil && texts[ck.Value] != nil {
		return ck.Value
	}
	return "vi"
}

func tr(lang, key string) string {
	if s, ok := texts[lang][key]; ok {
		return s
	}
	return key
}

// texts are the console's words; both languages have the same keys (a test
// checks).
var texts = map[string]map[string]string{
	"vi": {
		"companies_title": "Công ty", "search": "Tìm (tên hoặc MST)", "login_health": "Đăng nhập", "sort": "Sắp xếp",
		"sort_mst": "MST", "sort_name": "Tên", "sort_login": "Đăng nhập", "sort_last": "Lần nhập gần nhất",
		"lh_ok": "tốt", "lh_wrong_password": "sai mật khẩu", "lh_locked": "bị khóa", "lh_portal_down": "cổng thuế lỗi",
		"last_import": "Lần nhập gần nhất", "schedule": "Lịch", "no_name": "(chưa có tên)", "import_period": "Nhập một kỳ",
		"completeness": "Độ đầy đủ theo tháng", "month": "Tháng", "listed": "Cổng liệt kê", "status_changes": "Thay đổi trạng thái",
		"export_purchase": "Xuất bảng kê mua vào (.xlsx)", "export_sold": "Xuất bảng kê bán ra (.xlsx)",
		"credentials_title": "Cập nhật mật khẩu", "credentials_button": "Lưu và thử đăng nhập",
		"credentials_help": "Mật khẩu được mã hóa và chỉ dùng để đăng nhập cổng thuế; một lần nhập hôm qua chứng minh nó đúng.",
		"app":              "hoadon — hóa đơn điện tử", "lang_other": "English", "lang_other_code": "en",
		"nav_imports": "Lần nhập", "nav_schedules": "Lịch nhập", "nav_companies": "Công ty", "signout": "Đăng xuất",
		"signin_title": "Đăng nhập", "signin_key": "Khóa API", "signin_button": "Đăng nhập",
		"signin_help": "Dán khóa API (hoadon apikey create). Khóa không được lưu trong trình duyệt.",
		"signin_link": "Đăng nhập bằng liên kết dùng một lần", "readonly": "Chỉ xem",
		"err_title": "Không thực hiện được", "err_signin": "Khóa API không hợp lệ hoặc phiên đã hết hạn; hãy đăng nhập lại.",
		"err_stale": "Biểu mẫu đã cũ hoặc đến từ trang khác; hãy tải lại trang.", "err_readonly": "Khóa này chỉ được xem.",
		"err_internal":   "Lỗi nội bộ; xem nhật ký máy chủ.",
		"notfound_title": "Không tìm thấy", "notfound_text": "Không có mục này, hoặc nó không thuộc về bạn.",
		"imports_title": "Các lần nhập", "company": "Công ty", "mst": "MST", "state": "Trạng thái", "period": "Kỳ",
		"created": "Bắt đầu", "finished": "Kết thúc", "none": "Chưa có gì.", "filter": "Lọc", "all": "Tất cả",
		"start_title": "Nhập hóa đơn", "company_name": "Tên công ty", "username": "Tên đăng nhập cổng thuế (mặc định: MST)",
		"password": "Mật khẩu cổng thuế", "from": "Từ ngày", "to": "Đến ngày", "flows": "Luồng", "force": "Tải lại cả hóa đơn đã có",
		"start_button": "Bắt đầu nhập", "password_help": "Mật khẩu được mã hóa ngay và không bao giờ hiển thị lại.",
		"import_title": "Lần nhập", "phase": "Giai đoạn", "progress": "Tiến độ", "total": "Tổng", "pending": "Đang chờ",
		"rate": "Tốc độ", "per_min": "hóa đơn/phút", "eta": "Còn lại khoảng", "cancel_button": "Hủy lần nhập",
		"per_flow": "Theo luồng", "failures": "Hóa đơn lỗi", "reason": "Lý do", "events": "Sự kiện", "time": "Thời gian",
		"type": "Loại", "subject": "Đối tượng", "error": "Lỗi", "invoices": "Hóa đơn", "live": "Tự cập nhật mỗi giây.",
		"st_pending": "chờ", "st_running": "đang chạy", "st_completed": "hoàn tất", "st_failed": "thất bại", "st_cancelled": "đã hủy",
		"st_discovered": "đã tìm thấy", "st_downloading": "đang tải", "st_stored": "đã lưu", "st_unavailable": "không có XML",
		"st_skipped": "đã có", "ph_login": "đăng nhập", "ph_discovery": "tìm hóa đơn", "ph_download": "tải hóa đơn", "ph_done": "xong",
		"flow_ban_ra_dien_tu": "Bán ra — điện tử", "flow_ban_ra_may_tinh_tien": "Bán ra — máy tính tiền",
		"flow_mua_vao_dien_tu": "Mua vào — điện tử", "flow_mua_vao_may_tinh_tien": "Mua vào — máy tính tiền",
		"invoices_title": "Hóa đơn của lần nhập", "number": "Số", "symbol": "Ký hiệu", "seller_mst": "MST bên bán",
		"date": "Ngày", "flow": "Luồng", "status": "Trạng thái", "page": "Trang", "prev": "Trước", "next": "Sau", "view": "Xem",
		"invoice_title": "Hóa đơn", "seller": "Đơn vị bán", "buyer": "Người mua", "address": "Địa chỉ",
		"line_no": "STT", "item": "Tên hàng hóa, dịch vụ", "unit": "ĐVT", "qty": "Số lượng", "price": "Đơn giá",
		"amount": "Thành tiền", "vat_rate": "Thuế suất", "totals_per_rate": "Tổng hợp theo thuế suất", "vat": "Tiền thuế",
		"pretax_total": "Cộng tiền hàng", "vat_total": "Tiền thuế GTGT", "grand_total": "Tổng tiền thanh toán",
		"in_words": "Số tiền viết bằng chữ", "template": "Mẫu số", "signatures": "Chữ ký", "related": "Hóa đơn liên quan",
		"status_history": "Lịch sử trạng thái", "downloads": "Tải về", "not_stored": "Hóa đơn này chưa được lưu (trạng thái: %s).",
		"not_yet": "Chưa có dữ liệu này trong hệ thống.", "tax_code_authority": "Mã của cơ quan thuế", "warnings": "Cảnh báo kiểm tra",
		"replaces": "Thay thế hóa đơn", "adjusts": "Điều chỉnh hóa đơn", "currency": "Đơn vị tiền tệ",
		"sig_role_seller": "Người bán", "sig_role_buyer": "Người mua", "sig_role_tax_authority": "Cơ quan thuế", "sig_role_other": "Chữ ký khác",
		"sig_valid": "hợp lệ", "sig_warning": "hợp lệ, cần xem lại người ký", "sig_invalid": "không hợp lệ", "sig_missing": "không có chữ ký",
		"signed_at": "ký lúc", "chain": "chuỗi chứng thư",
		"schedules_title": "Lịch nhập hằng ngày", "schedule_id": "Mã lịch", "at": "Giờ chạy (giờ Việt Nam)", "next_run": "Lần chạy tới",
		"paused": "Tạm dừng", "active": "Đang chạy", "runs": "Số lần chạy", "note": "Ghi chú", "pause": "Tạm dừng",
		"unpause": "Tiếp tục", "trigger": "Chạy ngay", "create_schedule": "Tạo lịch", "hour": "Giờ", "minute": "Phút",
		"lookback": "Số ngày nhìn lại", "started": "Đã bắt đầu lần nhập", "actions": "Thao tác",
	},
	"en": {
		"companies_title": "Companies", "search": "Search (name or tax code)", "login_health": "Login", "sort": "Sort",
		"sort_mst": "Tax code", "sort_name": "Name", "sort_login": "Login", "sort_last": "Last import",
		"lh_ok": "ok", "lh_wrong_password": "wrong password", "lh_locked": "locked", "lh_portal_down": "portal down",
		"last_import": "Last import", "schedule": "Schedule", "no_name": "(no name yet)", "import_period": "Import a period",
		"completeness": "Completeness by month", "month": "Month", "listed": "Listed", "status_changes": "Status changes",
		"export_purchase": "Export purchases (.xlsx)", "export_sold": "Export sales (.xlsx)",
		"credentials_title": "Update password", "credentials_button": "Save and try the login",
		"credentials_help": "The password is sealed and only used to log in to the portal; an import of yesterday proves it.",
		"app":              "hoadon — e-invoices", "lang_other": "Tiếng Việt", "lang_other_code": "vi",
		"nav_imports": "Imports", "nav_schedules": "Schedules", "nav_companies": "Companies", "signout": "Sign out",
		"signin_title": "Sign in", "signin_key": "API key", "signin_button": "Sign in",
		"signin_help": "Paste an API key (hoadon apikey create). The key is not kept in the browser.",
		"signin_link": "Sign in with a one-time link", "readonly": "Read only",
		"err_title": "Could not do that", "err_signin": "The API key is not valid or the session ended; sign in again.",
		"err_stale": "The form is stale or came from another site; reload the page.", "err_readonly": "This key may only read.",
		"err_internal":   "Internal error; see the server log.",
		"notfound_title": "Not found", "notfound_text": "There is no such thing, or it is not yours.",
		"imports_title": "Imports", "company": "Company", "mst": "Tax code", "state": "State", "period": "Period",
		"created": "Started", "finished": "Finished", "none": "Nothing yet.", "filter": "Filter", "all": "All",
		"start_title": "Import invoices", "company_name": "Company name", "username": "Portal login (default: the tax code)",
		"password": "Portal password", "from": "From", "to": "To", "flows": "Flows", "force": "Download again what is stored",
		"start_button": "Start the import", "password_help": "The password is sealed at once and never shown again.",
		"import_title": "Import", "phase": "Phase", "progress": "Progress", "total": "Total", "pending": "Waiting",
		"rate": "Rate", "per_min": "invoices/min", "eta": "About", "cancel_button": "Cancel the import",
		"per_flow": "Per flow", "failures": "Failed invoices", "reason": "Reason", "events": "Events", "time": "Time",
		"type": "Type", "subject": "Subject", "error": "Error", "invoices": "Invoices", "live": "Updates every second.",
		"st_pending": "pending", "st_running": "running", "st_completed": "completed", "st_failed": "failed", "st_cancelled": "cancelled",
		"st_discovered": "discovered", "st_downloading": "downloading", "st_stored": "stored", "st_unavailable": "no XML",
		"st_skipped": "already stored", "ph_login": "login", "ph_discovery": "discovery", "ph_download": "download", "ph_done": "done",
		"flow_ban_ra_dien_tu": "Sold — e-invoice", "flow_ban_ra_may_tinh_tien": "Sold — cash register",
		"flow_mua_vao_dien_tu": "Purchased — e-invoice", "flow_mua_vao_may_tinh_tien": "Purchased — cash register",
		"invoices_title": "Invoices of the import", "number": "Number", "symbol": "Symbol", "seller_mst": "Seller tax code",
		"date": "Date", "flow": "Flow", "status": "Status", "page": "Page", "prev": "Previous", "next": "Next", "view": "View",
		"invoice_title": "Invoice", "seller": "Seller", "buyer": "Buyer", "address": "Address",
		"line_no": "No.", "item": "Goods or service", "unit": "Unit", "qty": "Quantity", "price": "Unit price",
		"amount": "Amount", "vat_rate": "VAT rate", "totals_per_rate": "Totals per VAT rate", "vat": "VAT",
		"pretax_total": "Total before VAT", "vat_total": "VAT", "grand_total": "Total payable",
		"in_words": "Amount in words", "template": "Template", "signatures": "Signatures", "related": "Related invoices",
		"status_history": "Status history", "downloads": "Downloads", "not_stored": "This invoice is not stored (status: %s).",
		"not_yet": "The system has no such data yet.", "tax_code_authority": "Tax authority code", "warnings": "Check findings",
		"replaces": "Replaces invoice", "adjusts": "Adjusts invoice", "currency": "Currency",
		"sig_role_seller": "Seller", "sig_role_buyer": "Buyer", "sig_role_tax_authority": "Tax authority", "sig_role_other": "Other signer",
		"sig_valid": "valid", "sig_warning": "valid, check the signer", "sig_invalid": "invalid", "sig_missing": "not signed",
		"signed_at": "signed", "chain": "certificate chain",
		"schedules_title": "Daily schedules", "schedule_id": "Schedule", "at": "Runs at (Vietnam time)", "next_run": "Next run",
		"paused": "Paused", "active": "Active", "runs": "Runs", "note": "Note", "pause": "Pause",
		"unpause": "Resume", "trigger": "Run now", "create_schedule": "Create schedule", "hour": "Hour", "minute": "Minute",
		"lookback": "Days to look back", "started": "Import started", "actions": "Actions",
	},
}
