package hoadon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Code classifies an error once, where it is first understood, so that every
// caller up the stack (handler, queue, workflow) decides the same way whether
// to retry, re-login, slow down or give up.
type Code string

// Error codes. The comments say what a caller should do.
const (
	CodeInvalid        Code = "invalid"             // bad input: fix the request; never retried
	CodeNotFound       Code = "not_found"           // no such thing; never retried
	CodeConflict       Code = "conflict"            // state forbids it (already exists, already final)
	CodeUnauthorized   Code = "unauthorized"        // caller not authenticated
	CodeForbidden      Code = "forbidden"           // caller authenticated but its role or company allow-list refuses this
	CodeWrongCaptcha   Code = "wrong_captcha"       // portal refused the captcha: retry with a new one
	CodeBadCredentials Code = "invalid_credentials" // portal refused the password: never retried (lock-out)
	CodeLocked         Code = "account_locked"      // portal account locked: never retried
	CodeSessionExpired Code = "session_expired"     // portal token expired or rejected: log in again, then retry
	CodeRateLimited    Code = "rate_limited"        // portal 429: slow down, retry after RetryAfter
	CodeBlocked        Code = "blocked"             // portal firewall (403 or HTML reject): slow down, retry later
	CodeNoDossier      Code = "no_dossier"          // invoice has no original XML on the portal: permanent
	CodeBadData        Code = "bad_data"            // portal sent something unreadable (corrupt ZIP/XML): permanent for that item
	CodeTransient      Code = "transient"           // 5xx, timeouts, connection errors: retry with backoff
	CodeCancelled      Code = "cancelled"           // the import was cancelled
	CodeInternal       Code = "internal"            // a bug or an unclassified failure
)

// Error is the project's one error type. Adapters wrap whatever they got in
// an *Error with the right Code; everything above reads the Code only.
type Error struct {
	Code       Code
	Message    string
	RetryAfter time.Duration // set for CodeRateLimited/CodeBlocked when the server said how long
	Err        error         // the underlying cause, if any
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil && !strings.Contains(e.Message, e.Err.Error()) {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message. A %w verb in format
// records the wrapped cause.
func Errorf(code Code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Wrap classifies err under code with a short context message. It returns nil
// for a nil err.
func Wrap(code Code, err error, msg string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: msg, Err: err}
}

// ErrorCode returns the code of the outermost *Error in err's chain;
// context cancellation maps to CodeCancelled or CodeTransient, anything else
// unclassified to CodeInternal.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	switch {
	case errors.Is(err, context.Canceled):
		return CodeCancelled
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTransient
	}
	return CodeInternal
}

// ErrorMessage renders err for people — API answers, CLI output, the
// error stored on an invoice or import: the whole chain of messages, without
// the codes an *Error prints in logs ("bad_data: ") and with a wrapped
// cause kept, so a user reads what went wrong. It is the one place errors
// are rendered for users.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var e *Error
	if errors.As(err, &e) {
		text = strings.Replace(text, e.Error(), e.userText(), 1)
	}
	return dropGoNames(text)
}

// goName is a Go identifier used as an error prefix ("gdt.Login: ",
// "captcha.Table.Solve: ") at the start of a message or after ": ".
var goName = regexp.MustCompile(`(^|: )[a-z][a-z0-9]*(\.[A-Z][A-Za-z0-9]*)+: `)

func dropGoNames(s string) string {
	for {
		t := goName.ReplaceAllString(s, "$1")
		if t == s {
			return s
		}
		s = t
	}
}

// LogOnly is implemented by causes whose text is meant for logs, not
// users (a developer hint, internal identifiers): ErrorMessage leaves them
// out while Error() keeps them.
type LogOnly interface{ LogOnly() }

// userText is Error() without codes, down the chain.
func (e *Error) userText() string {
	var hidden LogOnly
	if e.Err == nil || (errors.As(e.Err, &hidden) && e.Message != "") {
		return e.Message
	}
	cause := e.Err.Error()
	inner := ErrorMessage(e.Err)
	switch {
	case strings.Contains(e.Message, cause):
		return strings.Replace(e.Message, cause, inner, 1)
	case e.Message == "":
		return inner
	}
	return e.Message + ": " + inner
}

// ErrorRetryAfter returns the server-advised wait carried by err, or 0,
// capped at MaxRetryAfter.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return CapRetryAfter(e.RetryAfter)
	}
	return 0
}

// Retryable reports whether repeating the same operation later may succeed.
func Retryable(err error) bool {
	switch ErrorCode(err) {
	case CodeWrongCaptcha, CodeSessionExpired, CodeRateLimited, CodeBlocked, CodeTransient:
		return true
	}
	return false
}

// HTTPStatus maps a code to the status our own handlers answer with. Cloud
// Tasks and Workflows retry 429 and 5xx and give up on other 4xx, so this one
// table decides what the infrastructure retries.
func HTTPStatus(code Code) int {
	switch code {
	case "":
		return http.StatusOK
	case CodeInvalid, CodeBadData:
		return http.StatusBadRequest
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeBadCredentials, CodeLocked, CodeForbidden:
		return http.StatusForbidden
	case CodeNoDossier:
		return http.StatusGone
	case CodeRateLimited, CodeBlocked:
		return http.StatusTooManyRequests
	case CodeWrongCaptcha, CodeSessionExpired, CodeTransient:
		return http.StatusServiceUnavailable
	case CodeCancelled:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}
