package sink

import (
	"io"
	"log/slog"
	"os"
)

// NewLogger returns a JSON slog.Logger writing to w (stderr when nil) with
// the field names Cloud Logging reads from a structured line: "severity"
// instead of "level" and "message" instead of "msg". The sink logs event
// ids, types and refusal reasons, never signatures, digests or keys.
func NewLogger(w io.Writer) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: cloudLoggingAttr}))
}

// cloudLoggingAttr renames the top-level level and message keys.
func cloudLoggingAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		a.Key = "severity"
		if lvl, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(severity(lvl))
		}
	case slog.MessageKey:
		a.Key = "message"
	}
	return a
}

// severity maps slog levels to Cloud Logging's LogSeverity names.
func severity(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	}
	return "DEBUG"
}
