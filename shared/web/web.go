// Package web is the HTTP plumbing every handler shares: strict JSON
// decoding with clear 400s, JSON answers, one mapping from error codes to
// statuses, and request logging with the import and company on every line.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/logx"
)

// MaxBody bounds a request body: every request of the API and of the
// pipeline is a few hundred bytes.
const MaxBody = 64 << 10

// DecodeJSON reads one JSON object from r's body into v, refusing bodies
// over MaxBody and everything Unmarshal refuses, each with a message that
// names the problem.
func DecodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return hoadon.Errorf(hoadon.CodeInvalid, "Content-Type must be application/json, not %q", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return hoadon.Wrap(hoadon.CodeInvalid, err, "reading the request body")
	}
	if len(body) > MaxBody {
		return hoadon.Errorf(hoadon.CodeInvalid, "request body is larger than %d bytes", MaxBody)
	}
	return Unmarshal(body, v)
}

// Unmarshal is the one decoder of every JSON request body, for bodies
// already read. It uses encoding/json/v2's semantics (through its kept
// mirror, github.com/go-json-experiment/json, until Go 1.27 makes it
// standard): member names match case-sensitively, a name given twice is
// refused (encoding/json v1 matches "Company_ID" to company_id and lets
// the last of two keys win, so a proxy and this server could read different
// values from one body), and so are unknown names, invalid UTF-8, wrong
// types and data after the object.
func Unmarshal(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return hoadon.Errorf(hoadon.CodeInvalid, "request body is empty; want a JSON object")
	}
	if err := jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true)); err != nil {
		var he *hoadon.Error
		if errors.As(err, &he) {
			return err
		}
		return hoadon.Errorf(hoadon.CodeInvalid, "invalid JSON: %s", describe(err))
	}
	return nil
}

func describe(err error) string {
	var sy *jsontext.SyntacticError
	var se *jsonv2.SemanticError
	switch {
	case errors.As(err, &sy) && errors.Is(sy.Err, jsontext.ErrDuplicateName):
		return fmt.Sprintf("%s is given twice", field(sy.JSONPointer))
	case errors.As(err, &sy) && errors.Is(sy.Err, io.ErrUnexpectedEOF):
		return "the object is cut short"
	case errors.As(err, &sy) && strings.Contains(sy.Err.Error(), "after top-level value"):
		return "data after the object"
	case errors.As(err, &sy):
		return fmt.Sprintf("syntax error at byte %d: %v", sy.ByteOffset, sy.Err)
	case errors.As(err, &se) && errors.Is(se.Err, jsonv2.ErrUnknownName):
		return fmt.Sprintf("unknown field %s (names are case-sensitive)", field(se.JSONPointer))
	case errors.As(err, &se) && se.GoType != nil:
		msg := fmt.Sprintf("%s must be %s, not %s", field(se.JSONPointer), jsonType(se.GoType.Kind()), kindName(se.JSONKind))
		if se.Err != nil {
			msg += " (" + se.Err.Error() + ")"
		}
		return msg
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// field names a member by its JSON pointer as a dotted path, quoted so that
// control or direction characters in a hostile name stay visible.
func field(p jsontext.Pointer) string {
	if p == "" {
		return "the body"
	}
	var parts []string
	for tok := range p.Tokens() {
		parts = append(parts, tok)
	}
	return strconv.Quote(strings.Join(parts, "."))
}

func jsonType(kind reflect.Kind) string {
	switch kind {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer, reflect.Interface:
		return "a value of another type"
	}
	return "a number"
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "something else"
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// ErrorBody is the JSON of every error answer.
type ErrorBody struct {
	Error struct {
		Code    hoadon.Code `json:"code"`
		Message string      `json:"message"`
	} `json:"error"`
}

// WriteError answers with the status of err's code. Internal errors are
// logged in full and answered with a generic message: their text may hold
// details a client should not see.
func WriteError(ctx context.Context, w http.ResponseWriter, log *slog.Logger, err error) {
	code := hoadon.ErrorCode(err)
	status := hoadon.HTTPStatus(code)
	var body ErrorBody
	body.Error.Code, body.Error.Message = code, hoadon.ErrorMessage(err)
	if code == hoadon.CodeInternal {
		body.Error.Message = "internal error; see the server log"
	}
	if status >= 500 {
		log.ErrorContext(ctx, "request failed", "code", code, "err", err)
	} else {
		log.InfoContext(ctx, "request refused", "code", code, "status", status, "err", err)
	}
	if ra := hoadon.ErrorRetryAfter(err); ra > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(ra.Round(time.Second).Seconds())))
	}
	WriteJSON(w, status, body)
}

// Misconfigured answers 500 for a process whose configuration is broken. The
// detail goes to the log only: it can name files, hosts and settings a
// caller has no business seeing.
func Misconfigured(ctx context.Context, w http.ResponseWriter, log *slog.Logger, err error) {
	log.ErrorContext(ctx, "server misconfigured", "err", err)
	var body ErrorBody
	body.Error.Code, body.Error.Message = "misconfigured", "the server is misconfigured; see its log"
	WriteJSON(w, http.StatusInternalServerError, body)
}

// Logged wraps a handler: it puts the trace of the request into the
// context's log fields and logs each request's outcome and duration.
func Logged(log *slog.Logger, project string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if tr := logx.Trace(project, r); tr != "" {
			ctx = logx.With(ctx, logx.TraceKey, tr)
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(rec, r.WithContext(ctx))
		log.DebugContext(ctx, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(s int) {
	r.status = s
	r.ResponseWriter.WriteHeader(s)
}

// Call adapts fn, a typed JSON-in JSON-out operation, to an HTTP POST
// handler. A request with a Validate method is checked before fn runs (the
// ids it names, so a hostile id never reaches the store). The request's
// import id and company, when it names them, go into every log line of the
// call.
func Call[Req, Resp any](log *slog.Logger, fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodPost {
			MethodNotAllowed(w, r, http.MethodPost)
			return
		}
		var req Req
		if err := DecodeJSON(r, &req); err != nil {
			WriteError(ctx, w, log, err)
			return
		}
		if v, ok := any(req).(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				WriteError(ctx, w, log, err)
				return
			}
		}
		if l, ok := any(req).(interface{ LogAttrs() []any }); ok {
			ctx = logx.With(ctx, l.LogAttrs()...)
		}
		resp, err := fn(ctx, req)
		if err != nil {
			WriteError(ctx, w, log, err)
			return
		}
		WriteJSON(w, http.StatusOK, resp)
	}
}

// MethodNotAllowed answers 405 with the allowed methods.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	var body ErrorBody
	body.Error.Code = hoadon.CodeInvalid
	body.Error.Message = fmt.Sprintf("method %s not allowed here; use %s", r.Method, strings.Join(allowed, " or "))
	WriteJSON(w, http.StatusMethodNotAllowed, body)
}
