package gdt

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Portal messages the classifier recognises (lower-cased substrings). The
// Vietnamese texts come from gdt-portal.md §1.5 and §3.3; the tone mark on
// "khóa" is written both ways in the wild, so both spellings are listed.
var (
	msgCaptcha     = []string{"captcha", "mã xác nhận", "ma xac nhan"}
	msgLocked      = []string{"bị khóa", "bị khoá", "đã khóa", "đã khoá", "locked", "tạm khóa", "tạm khoá"}
	msgCredentials = []string{"mật khẩu", "tên đăng nhập", "password", "username", "tài khoản"}
	msgNoDossier   = []string{"không tồn tại hồ sơ gốc"}
	msgBadParam    = []string{"numberformatexception", "failed to convert", "không hỗ trợ sắp xếp"}
	msgRange       = []string{"khoảng thời gian", "1 tháng"}
	msgNotFound    = []string{"không tìm thấy"}
	msgWAF         = []string{"hành vi không hợp lệ", "request rejected", "yêu cầu đã bị chặn"}
)

// apiError is the union of the portal's error bodies: Spring's
// {timestamp,message,details,path,requestId} and the firewall's
// {status,message}.
type apiError struct {
	Message string `json:"message"`
	Details string `json:"details"`
	Path    string `json:"path"`
}

// classify turns a response into nil (success) or a *hoadon.Error. It is the
// one place where statuses and messages get their meaning.
func (cl *Client) classify(kind opKind, r *response) error {
	msg := errorMessage(r.body)
	switch {
	case r.status == http.StatusTooManyRequests:
		e := hoadon.Errorf(hoadon.CodeRateLimited, "portal rate limit (HTTP 429)")
		e.RetryAfter = retryAfter(r.header, cl.cfg.RateLimitWait)
		return e
	case isHTML(r) && r.status >= 500:
		e := hoadon.Errorf(hoadon.CodeTransient, "portal or gateway error page (HTTP %d)", r.status)
		e.RetryAfter = retryAfter(r.header, 0)
		return e
	case isHTML(r):
		// The firewall's "Request Rejected" page, often with status 200.
		return hoadon.Errorf(hoadon.CodeBlocked, "portal firewall rejected the request (HTML page, HTTP %d)", r.status)
	case kind == opAuth && isLoginRefusal(r, msg):
		return classifyLogin(r.status, msg)
	case r.status >= 200 && r.status < 300:
		return nil
	case r.status == http.StatusUnauthorized:
		return hoadon.Errorf(hoadon.CodeSessionExpired, "portal rejected the session token (HTTP 401)")
	case r.status == http.StatusForbidden:
		e := hoadon.Errorf(hoadon.CodeBlocked, "portal firewall blocked the request (HTTP 403): %s", short(msg))
		e.RetryAfter = retryAfter(r.header, 0)
		return e
	}
	return classifyStatus(r, msg)
}

// classifyStatus handles the remaining 3xx/4xx/5xx by status and message.
func classifyStatus(r *response, msg string) error {
	switch {
	case contains(msg, msgNoDossier):
		return hoadon.Errorf(hoadon.CodeNoDossier, "invoice has no original dossier (HTTP %d): %s", r.status, short(msg))
	case contains(msg, msgBadParam):
		return hoadon.Errorf(hoadon.CodeInvalid, "portal rejected the parameters (HTTP %d): %s", r.status, short(msg))
	case r.status == http.StatusBadRequest && contains(msg, msgRange):
		return hoadon.Errorf(hoadon.CodeInvalid, "date range longer than the portal accepts (HTTP 400): %s", short(msg))
	case r.status == http.StatusNotFound || contains(msg, msgNotFound):
		return hoadon.Errorf(hoadon.CodeNotFound, "portal has no such invoice or resource (HTTP %d): %s", r.status, short(msg))
	case r.status >= 400 && r.status < 500:
		return hoadon.Errorf(hoadon.CodeInvalid, "portal refused the request (HTTP %d): %s", r.status, short(msg))
	case r.status >= 500:
		e := hoadon.Errorf(hoadon.CodeTransient, "portal error (HTTP %d): %s", r.status, short(msg))
		e.RetryAfter = retryAfter(r.header, 0)
		return e
	}
	return hoadon.Errorf(hoadon.CodeTransient, "unexpected HTTP %d from portal", r.status)
}

// classifyLogin reads an authenticate failure. The captcha is checked
// before the password on the portal, so a captcha message wins; anything
// else that is not clearly a lock-out is treated as bad credentials, which
// callers never retry (accounts lock after repeated failures).
func classifyLogin(status int, msg string) error {
	switch {
	case contains(msg, msgCaptcha):
		return hoadon.Errorf(hoadon.CodeWrongCaptcha, "portal refused the captcha answer (HTTP %d)", status)
	case contains(msg, msgLocked):
		return hoadon.Errorf(hoadon.CodeLocked, "portal account is locked (HTTP %d): %s", status, short(msg))
	case contains(msg, msgCredentials):
		return hoadon.Errorf(hoadon.CodeBadCredentials, "portal refused the username or password (HTTP %d): %s", status, short(msg))
	}
	return hoadon.Errorf(hoadon.CodeBadCredentials, "portal refused the login (HTTP %d): %s", status, short(msg))
}

// isLoginRefusal reports whether an authenticate response is the portal
// saying no (as opposed to the firewall or an outage): 400/401, a 403 with a
// non-firewall message, or — on older portals — 200 with a message and no
// token.
func isLoginRefusal(r *response, msg string) bool {
	switch r.status {
	case http.StatusBadRequest, http.StatusUnauthorized:
		return true
	case http.StatusForbidden:
		return msg != "" && !contains(msg, msgWAF)
	case http.StatusOK:
		var t struct {
			Token string `json:"token"`
		}
		return json.Unmarshal(r.body, &t) == nil && t.Token == "" && msg != ""
	}
	return false
}

// errorMessage extracts the message of a JSON error body, or "".
func errorMessage(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if e.Message == "" {
		return e.Details
	}
	return e.Message
}

// isHTML recognises the firewall's "Request Rejected" page, which may come
// with status 200 (§1.1).
func isHTML(r *response) bool {
	ct := strings.ToLower(r.header.Get("Content-Type"))
	if strings.HasPrefix(ct, "text/html") {
		return true
	}
	b := bytes.TrimLeft(r.body, " \t\r\n\ufeff")
	return bytes.HasPrefix(b, []byte("<")) && bytes.Contains(bytes.ToLower(b), []byte("<html"))
}

// retryAfter reads Retry-After as seconds or an HTTP date, capped at
// hoadon.MaxRetryAfter (the portal is untrusted); fallback when absent or
// unreadable.
func retryAfter(h http.Header, fallback time.Duration) time.Duration {
	return hoadon.CapRetryAfter(parseRetryAfter(h, fallback))
}

func parseRetryAfter(h http.Header, fallback time.Duration) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return fallback
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(min(n, int64(hoadon.MaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
		return 0
	}
	return fallback
}

func contains(msg string, needles []string) bool {
	if msg == "" {
		return false
	}
	m := strings.ToLower(msg)
	for _, n := range needles {
		if strings.Contains(m, n) {
			return true
		}
	}
	return false
}

// short trims a server message for an error string.
func short(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxErrorMessageRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxErrorMessageRunes]) + "…"
}
