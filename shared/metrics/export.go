package metrics

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	mexporter "github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/metric"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/detectors/gcp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// Config says where the metrics go besides the process's own Prometheus registry.
type Config struct {
	// Cloud exports to Cloud Monitoring of Project every Interval; Instance names the
	// process (its own time series: Cloud Monitoring takes one writer per series).
	Cloud    bool
	Project  string
	Interval time.Duration
	Instance string
}

var (
	setupOnce sync.Once
	setupErr  error
	provider  atomic.Pointer[sdkmetric.MeterProvider]
	// registry holds what GET /metrics answers: hoadon's instruments only.
	registry = prometheus.NewRegistry()
)

// Setup installs the process's meter provider, once: the Prometheus registry Handler serves,
// and with cfg.Cloud a periodic export to Cloud Monitoring, the monitored resource detected
// from the environment (a Cloud Run instance, the VM). Later calls return the first's result.
func Setup(ctx context.Context, cfg Config) error {
	setupOnce.Do(func() { setupErr = setup(ctx, cfg) })
	return setupErr
}

func setup(ctx context.Context, cfg Config) error {
	prom, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo())
	if err != nil {
		return fmt.Errorf("metrics: prometheus exporter: %w", err)
	}
	opts := []sdkmetric.Option{sdkmetric.WithReader(prom)}
	if cfg.Cloud {
		exp, err := mexporter.New(mexporter.WithProjectID(cfg.Project))
		if err != nil {
			return fmt.Errorf("metrics: Cloud Monitoring exporter: %w", err)
		}
		opts = append(opts, sdkmetric.WithResource(taskResource(ctx, cfg.Instance)),
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(cfg.Interval))))
	}
	mp := sdkmetric.NewMeterProvider(opts...)
	provider.Store(mp)
	otel.SetMeterProvider(mp)
	return nil
}

// taskResource describes the process as a generic_task, on Cloud Run and on the VM alike,
// so one PromQL query (terraform/monitoring.tf) covers both: the platform's detected
// location and service name are kept, its platform dropped (it would make the VM a
// gce_instance), the task named by instance.
func taskResource(ctx context.Context, instance string) *resource.Resource {
	detected, err := resource.New(ctx, resource.WithDetectors(gcp.NewDetector()))
	if err != nil {
		otel.Handle(fmt.Errorf("metrics: detecting the platform: %w", err)) // a partial resource still names the task
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", "hoadon"), attribute.String("service.instance.id", instance)}
	for _, kv := range detected.Attributes() {
		if kv.Key != "cloud.platform" {
			attrs = append(attrs, kv)
		}
	}
	return resource.NewSchemaless(attrs...)
}

// Shutdown exports what the periodic reader has not sent yet and stops it: a server calls it
// when it stops, so the last interval's counts are not lost.
func Shutdown(ctx context.Context) error {
	if mp := provider.Load(); mp != nil {
		return mp.Shutdown(ctx)
	}
	return nil
}

// Handler answers the instruments in Prometheus text (GET /metrics of a local server). Before
// Setup ran (the first request builds the process's App) it answers no series.
func Handler() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
}
