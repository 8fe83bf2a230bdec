package metrics

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// record swaps the instruments for ones read by a manual reader, runs fn and returns the
// sums by instrument and attribute set.
func record(t *testing.T, fn func()) map[string]map[attribute.Distinct]int64 {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	saved := inst
	inst = newInstruments(mp.Meter(scope))
	defer func() { inst = saved }()
	fn()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[attribute.Distinct]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = map[attribute.Distinct]int64{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[m.Name][p.Attributes.Equivalent()] = p.Value
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out[m.Name][p.Attributes.Equivalent()] = p.Value
				}
			}
		}
	}
	return out
}

func set(kv ...string) attribute.Distinct {
	var attrs []attribute.KeyValue
	for i := 0; i+1 < len(kv); i += 2 {
		attrs = append(attrs, attribute.String(kv[i], kv[i+1]))
	}
	s := attribute.NewSet(attrs...)
	return s.Equivalent()
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{200: "2xx", 204: "2xx", 302: "3xx", 400: "4xx", 401: "401", 403: "403",
		404: "4xx", 429: "429", 500: "5xx", 503: "5xx", 0: "unreachable", 999: "unreachable"} {
		if got := StatusClass(status); got != want {
			t.Errorf("StatusClass(%d) = %q, want %q", status, got, want)
		}
	}
}

func TestRecording(t *testing.T) {
	const mst = "0100109106"
	ctx := context.Background()
	got := record(t, func() {
		Event(ctx, events.ImportStartedType)
		Event(ctx, events.ImportCompletedType)
		Event(ctx, events.InvoiceStoredType)
		Event(ctx, events.InvoiceStoredType)
		Event(ctx, events.InvoiceFailedType)
		Event(ctx, events.DiscoveryCompletedType) // not counted
		PortalResponse(ctx, CallData, 429)
		PortalResponse(ctx, CallData, 200)
		Login(ctx, mst, nil)
		Login(ctx, mst, hoadon.Errorf(hoadon.CodeBadCredentials, "refused"))
		Login(ctx, mst, fmt.Errorf("gdt.Login: %w", context.Canceled)) // not counted
		Login(ctx, "not an mst; password=x", hoadon.Errorf(hoadon.CodeTransient, "down"))
		Delivery(ctx, nil)
		Delivery(ctx, hoadon.Errorf(hoadon.CodeTransient, "503"))
		Backlog(ctx, mst, 7)
		Backlog(ctx, mst, 3)
	})
	want := map[string]map[attribute.Distinct]int64{
		ImportsName:  {set("state", "started"): 1, set("state", "completed"): 1},
		InvoicesName: {set("outcome", "stored"): 2, set("outcome", "failed"): 1},
		PortalName:   {set("call", "data", "class", "429"): 1, set("call", "data", "class", "2xx"): 1},
		LoginsName: {set("company", mst, "result", "ok"): 1, set("company", mst, "result", "invalid_credentials"): 1,
			set("company", "invalid", "result", "portal_error"): 1},
		DeliveriesName: {set("result", "delivered"): 1, set("result", "failed"): 1},
		BacklogName:    {set("company", mst): 3},
	}
	for name, series := range want {
		if len(got[name]) != len(series) {
			t.Errorf("%s: %d series, want %d", name, len(got[name]), len(series))
		}
		for attrs, v := range series {
			if got[name][attrs] != v {
				t.Errorf("%s %v = %d, want %d", name, attrs, got[name][attrs], v)
			}
		}
	}
}

func TestCompanyLabelIsBounded(t *testing.T) {
	companies.Lock()
	saved := companies.seen
	companies.seen = map[string]bool{}
	companies.Unlock()
	defer func() { companies.Lock(); companies.seen = saved; companies.Unlock() }()
	for i := range maxCompanies {
		companies.seen[fmt.Sprintf("x%d", i)] = true
	}
	if got := companyLabel("0100109106"); got != "other" {
		t.Errorf("a company past the bound is labelled %q, want other", got)
	}
	if got := companyLabel("x1"); got != "invalid" {
		t.Errorf("an invalid MST is labelled %q, want invalid", got)
	}
}
