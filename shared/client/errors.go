package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// APIError is an answer of the API with an error status. Code and Message
// are the API's own ({"error":{"code","message"}}); an answer without that
// body (a proxy's error page) gets a code from its status.
type APIError struct {
	Status  int         // HTTP status
	Code    hoadon.Code // the API's error code
	Message string      // the API's message, meant for people
}

// Error implements error: the API's message, which is what a user needs.
func (e *APIError) Error() string { return e.Message }

// Unwrap classifies the answer as a *hoadon.Error with the API's code, so
// hoadon.ErrorCode and hoadon.Retryable see through it.
func (e *APIError) Unwrap() error { return &hoadon.Error{Code: e.Code, Message: e.Message} }

// UnreachableError means no HTTP answer came back: nothing listens at the
// URL, the name does not resolve, the connection broke.
type UnreachableError struct {
	URL string // the API base URL
	Err error  // the transport's error
}

// Error implements error.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the server at %s is not reachable (%v)", e.URL, e.Err)
}

// Unwrap classifies the failure as transient (a server may come up); the
// transport error stays reachable through the *hoadon.Error's cause.
func (e *UnreachableError) Unwrap() error {
	return &hoadon.Error{Code: hoadon.CodeTransient, Message: "server not reachable", Err: e.Err}
}

// apiError reads an error answer; it never fails.
func apiError(resp *http.Response) *APIError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error struct {
			Code    hoadon.Code `json:"code"`
			Message string      `json:"message"`
		} `json:"error"`
	}
	e := &APIError{Status: resp.StatusCode}
	if json.Unmarshal(raw, &body) == nil && body.Error.Message != "" {
		e.Code, e.Message = body.Error.Code, body.Error.Message
	}
	if e.Code == "" {
		e.Code = codeOf(resp.StatusCode)
	}
	if e.Message == "" {
		text := strings.TrimSpace(string(raw))
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		e.Message = strings.TrimSpace(fmt.Sprintf("%s %s", resp.Status, text))
	}
	return e
}

// codeOf maps an HTTP status to a code for answers that carry none.
func codeOf(status int) hoadon.Code {
	switch {
	case status == http.StatusNotFound:
		return hoadon.CodeNotFound
	case status == http.StatusConflict:
		return hoadon.CodeConflict
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return hoadon.CodeUnauthorized
	case status == http.StatusTooManyRequests:
		return hoadon.CodeRateLimited
	case status >= 500:
		return hoadon.CodeTransient
	case status >= 400:
		return hoadon.CodeInvalid
	}
	return hoadon.CodeInternal
}
