package logx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/hoadon/hoadon/shared/logx"
)

func TestCloudLoggingFormatWithContextFields(t *testing.T) {
	var buf bytes.Buffer
	log := logx.New(&buf, slog.LevelInfo)
	ctx := logx.With(context.Background(), "import", "imp-1", "company", "0100109106")
	ctx = logx.With(ctx, logx.TraceKey, "projects/p/traces/abc")
	log.WarnContext(ctx, "slow portal", "latency_ms", 900)
	log.DebugContext(ctx, "hidden")
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	want := map[string]any{"severity": "WARNING", "message": "slow portal", "import": "imp-1",
		"company": "0100109106", logx.TraceKey: "projects/p/traces/abc", "latency_ms": float64(900)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, buf.String())
		}
	}
}

func TestTrace(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1;o=1")
	if got := logx.Trace("p", r); got != "projects/p/traces/105445aa7843bc8bf206b12000100000" {
		t.Errorf("Trace = %q", got)
	}
	if logx.ParseLevel("warn") != slog.LevelWarn || logx.ParseLevel("bogus") != slog.LevelInfo {
		t.Error("ParseLevel")
	}
}
