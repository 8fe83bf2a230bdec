// Package logx writes structured JSON logs in Cloud Logging's format
// (severity, message, time, logging.googleapis.com/trace) and carries
// request-scoped fields — the import id, the company, the trace — in the
// context, so every line a request logs names them without each call site
// repeating them.
package logx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

type ctxKey struct{}

// With returns a context whose log lines carry attrs (key, value pairs).
func With(ctx context.Context, args ...any) context.Context {
	prev, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	r := slog.Record{}
	r.Add(args...)
	attrs := append([]slog.Attr(nil), prev...)
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	return context.WithValue(ctx, ctxKey{}, attrs)
}

// handler adds the context's attrs to each record.
type handler struct{ slog.Handler }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(ctxKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler { return handler{h.Handler.WithAttrs(as)} }
func (h handler) WithGroup(n string) slog.Handler       { return handler{h.Handler.WithGroup(n)} }

// New returns a logger writing Cloud Logging JSON lines to w.
func New(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: cloudLogging}
	return slog.New(handler{slog.NewJSONHandler(w, opts)})
}

// cloudLogging renames the standard keys to the ones Cloud Logging reads.
func cloudLogging(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.MessageKey:
		a.Key = "message"
	case slog.LevelKey:
		a.Key = "severity"
		if l, ok := a.Value.Any().(slog.Level); ok && l == slog.LevelWarn {
			a.Value = slog.StringValue("WARNING")
		}
	}
	return a
}

// ParseLevel reads debug, info, warn or error (default info).
func ParseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Trace returns the Cloud Logging trace field for a request's
// X-Cloud-Trace-Context header ("TRACE_ID/SPAN;o=1"), or "".
func Trace(project string, r *http.Request) string {
	h := r.Header.Get("X-Cloud-Trace-Context")
	id, _, _ := strings.Cut(h, "/")
	if id == "" || project == "" {
		return ""
	}
	return "projects/" + project + "/traces/" + id
}

// TraceKey is Cloud Logging's trace field.
const TraceKey = "logging.googleapis.com/trace"
