package gdt

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Server messages reproduced verbatim from the reference (§1.5, §3).
const (
	msgWAF         = "Hệ thống phát hiện hành vi không hợp lệ. Yêu cầu đã bị chặn."
	msgCaptcha     = "Mã captcha không đúng."
	msgCredentials = "Tên đăng nhập hoặc mật khẩu không đúng."
	msgLocked      = "Tài khoản đã bị khoá do đăng nhập sai nhiều lần."
	msgRange       = "Khoảng thời gian tìm kiếm không được lớn hơn 1 tháng"
	msgMultiSort   = "Không hỗ trợ sắp xếp theo nhiều trường"
	msgNoDossier   = "Không tồn tại hồ sơ gốc của hóa đơn."
	msgNotFound    = "Không tìm thấy hóa đơn."
	msgUnauth      = "Full authentication is required to access this resource"
)

// nfe is Spring's message for a numeric parameter that does not parse.
func nfe(javaType, input string) string {
	return "Failed to convert value of type 'java.lang.String' to required type '" + javaType +
		"'; nested exception is java.lang.NumberFormatException: For input string: \"" + input + "\""
}

// springError is the backend's error envelope.
type springError struct {
	Timestamp string `json:"timestamp"`
	Message   string `json:"message"`
	Details   string `json:"details"`
	Path      string `json:"path"`
	RequestID string `json:"requestId,omitempty"`
}

const jsonType = "application/json;charset=UTF-8"

// writeJSON sends v with the portal's JSON content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Jackson writes <svg> and & as they are
	b := []byte(`{"message":"encode error"}`)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
	} else {
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// springFail answers with the Spring envelope; path is the backend path
// without the family prefix (e.g. "/invoices/export-xml").
func (s *Simulator) springFail(w http.ResponseWriter, r *http.Request, status int, path, msg string) {
	writeJSON(w, status, springError{
		Timestamp: s.opts.Now().In(vn).Format("02/01/2006 15:04:05"),
		Message:   msg, Path: "uri=" + path, RequestID: r.Header.Get("request-id"),
	})
}

// wafReject answers a request the WAF blocks, as JSON 403 or as the HTML
// page with status 200.
func (s *Simulator) wafReject(w http.ResponseWriter) {
	if s.opts.WAFHTMLReject {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. ` +
			`Please consult with your administrator.<br><br>Your support ID is: ` + strconv.FormatInt(time.Now().UnixNano()%1e18, 10) +
			`<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>`))
		return
	}
	b := []byte(`{"status":403,"message":"` + msgWAF + `"}`)
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(b)
}

// authFail is the login endpoint's error body.
func authFail(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{"message": msg, "path": "uri=/authenticate"})
}
