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
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/logx"
)

// MaxBody bounds a request body: every request of the API and of the
// pipeline is a few hundred bytes.
const MaxBody = 64 << 10

// DecodeJSON reads one JSON object from r's body into v, refusing unknown
// fields, trailing data, bodies over MaxBody and wrong types, each with a
// message that names the problem.
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

// Unmarshal is DecodeJSON's decoding, for bodies already read.
func Unmarshal(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return hoadon.Errorf(hoadon.CodeInvalid, "request body is empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "invalid JSON: %s", describe(err))
	}
	if dec.More() {
		return hoadon.Errorf(hoadon.CodeInvalid, "invalid JSON: data after the object")
	}
	return nil
}

func describe(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Sprintf("%s must be %s, not %s", field, jsonType(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the object is cut short"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonType(kind string) string {
	switch kind {
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	}
	return "a number"
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
// handler. The request's import id and company, when it names them, go into
// every log line of the call.
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
