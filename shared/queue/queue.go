// Package queue puts work on Cloud Tasks queues: one download queue per
// company (dl-{mst}), whose dispatch limits are what keeps us within the
// portal's per-account allowance, and one webhooks queue for event delivery.
//
// Task names are derived from what the task does, so enqueueing the same
// work twice is refused by Cloud Tasks (ALREADY_EXISTS) and treated here as
// success: enqueueing is idempotent.
package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/settings"
)

// Config sets where queues live and how company queues are created. The
// tagged fields are the queue's settings (shared/settings): shared/config
// reads them from the environment, DefaultConfig takes their defaults.
type Config struct {
	// Project and Location are the deployment's (shared/config).
	Project, Location string
	// ServiceAccount is the identity whose OIDC token tasks carry; the
	// receiving handlers accept only it. Empty sends no token.
	ServiceAccount string `env:"HOADON_TASKS_SERVICE_ACCOUNT" help:"service account whose OIDC token tasks carry"`
	// Concurrency caps parallel downloads per company (the portal account's
	// allowance).
	Concurrency int `env:"HOADON_COMPANY_CONCURRENCY" default:"4" help:"parallel downloads per company (the portal account's allowance)"`
	// InitialRate is the dispatch rate (per second) a new company queue
	// starts at: the throttle's InitialRate, which adapts it from there
	// (the wiring copies it). 0 leaves Cloud Tasks' default.
	InitialRate float64
	// MaxAttempts bounds deliveries of one task; MinBackoff and MaxBackoff
	// shape its retries.
	MaxAttempts int           `env:"HOADON_TASKS_MAX_ATTEMPTS" default:"12" help:"deliveries of one download task before its invoice is recorded failed"`
	MinBackoff  time.Duration `env:"HOADON_TASKS_MIN_BACKOFF" default:"2s" help:"first retry delay of a download task (Go duration)"`
	MaxBackoff  time.Duration `env:"HOADON_TASKS_MAX_BACKOFF" default:"5m" help:"longest retry delay of a download task (Go duration)"`
	// DispatchDeadline is how long a handler may take per attempt.
	DispatchDeadline time.Duration
}

// DefaultConfig holds values that suit the portal as measured: a handful of
// parallel downloads per account, retries spread over minutes.
func DefaultConfig() Config {
	c := Config{DispatchDeadline: 2 * time.Minute}
	settings.Defaults(&c)
	return c
}

// Check reports settings out of range.
func (c Config) Check() error {
	if c.Concurrency < 1 || c.Concurrency > 100 {
		return errors.New("HOADON_COMPANY_CONCURRENCY must be 1..100")
	}
	if c.MaxAttempts < 1 || c.MinBackoff <= 0 || c.MaxBackoff < c.MinBackoff {
		return errors.New("HOADON_TASKS_MAX_ATTEMPTS must be ≥ 1 and 0 < HOADON_TASKS_MIN_BACKOFF ≤ HOADON_TASKS_MAX_BACKOFF")
	}
	return nil
}

// Queues manages the project's queues and tasks.
type Queues struct {
	c     *cloudtasks.Client
	cfg   Config
	known sync.Map // queue name → struct{}: created or seen by this instance
}

// New returns Queues on a Cloud Tasks client.
func New(c *cloudtasks.Client, cfg Config) *Queues { return &Queues{c: c, cfg: cfg} }

// Config returns the configuration.
func (q *Queues) Config() Config { return q.cfg }

func (q *Queues) parent() string {
	return fmt.Sprintf("projects/%s/locations/%s", q.cfg.Project, q.cfg.Location)
}

// CompanyQueue returns the full name of a company's download queue.
func (q *Queues) CompanyQueue(company string) string {
	return q.parent() + "/queues/dl-" + company
}

// WebhookQueue returns the full name of the event-delivery queue.
func (q *Queues) WebhookQueue() string { return q.parent() + "/queues/webhooks" }

// EnsureCompanyQueue creates a company's download queue on first use.
func (q *Queues) EnsureCompanyQueue(ctx context.Context, company string) (string, error) {
	name := q.CompanyQueue(company)
	return name, q.ensure(ctx, name, q.cfg.InitialRate, int32(q.cfg.Concurrency))
}

// EnsureWebhookQueue creates the event-delivery queue on first use.
func (q *Queues) EnsureWebhookQueue(ctx context.Context) (string, error) {
	name := q.WebhookQueue()
	return name, q.ensure(ctx, name, 50, 20)
}

func (q *Queues) ensure(ctx context.Context, name string, rate float64, conc int32) error {
	if _, ok := q.known.Load(name); ok {
		return nil
	}
	_, err := q.c.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: name})
	if status.Code(err) == codes.NotFound {
		_, err = q.c.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: q.parent(), Queue: q.newQueue(name, rate, conc)})
		if status.Code(err) == codes.AlreadyExists {
			err = nil
		}
	}
	if err != nil {
		return gcp.Classify("queue: ensure queue "+name, err)
	}
	q.known.Store(name, struct{}{})
	return nil
}

func (q *Queues) newQueue(name string, rate float64, conc int32) *cloudtaskspb.Queue {
	return &cloudtaskspb.Queue{
		Name: name,
		RateLimits: &cloudtaskspb.RateLimits{
			MaxDispatchesPerSecond:  rate,
			MaxConcurrentDispatches: conc,
		},
		RetryConfig: &cloudtaskspb.RetryConfig{
			MaxAttempts:  int32(q.cfg.MaxAttempts),
			MinBackoff:   durationpb.New(q.cfg.MinBackoff),
			MaxBackoff:   durationpb.New(q.cfg.MaxBackoff),
			MaxDoublings: 5,
		},
	}
}

// Task is one HTTP task.
type Task struct {
	Queue string // full queue name
	ID    string // task id within the queue: [A-Za-z0-9_-], ≤ 500 chars
	URL   string
	Body  []byte    // JSON; never secrets
	At    time.Time // zero: now
}

// Enqueue creates a task. A task with the same id that exists or ran
// recently is the same work: Enqueue reports created false and no error.
func (q *Queues) Enqueue(ctx context.Context, t Task) (created bool, err error) {
	req := &cloudtaskspb.HttpRequest{
		Url: t.URL, HttpMethod: cloudtaskspb.HttpMethod_POST, Body: t.Body,
		Headers: map[string]string{"Content-Type": "application/json"},
	}
	if q.cfg.ServiceAccount != "" {
		req.AuthorizationHeader = &cloudtaskspb.HttpRequest_OidcToken{OidcToken: &cloudtaskspb.OidcToken{
			ServiceAccountEmail: q.cfg.ServiceAccount, Audience: audience(t.URL),
		}}
	}
	task := &cloudtaskspb.Task{
		Name:        t.Queue + "/tasks/" + t.ID,
		MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: req},
	}
	if q.cfg.DispatchDeadline > 0 {
		task.DispatchDeadline = durationpb.New(q.cfg.DispatchDeadline)
	}
	if !t.At.IsZero() {
		task.ScheduleTime = timestamppb.New(t.At)
	}
	_, err = q.c.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{Parent: t.Queue, Task: task})
	switch status.Code(err) {
	case codes.OK:
		return true, nil
	case codes.AlreadyExists:
		return false, nil
	}
	return false, gcp.Classify("queue: enqueue "+task.Name, err)
}

// audience is the URL without its query: what the receiving handler checks.
func audience(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// SetRate changes a queue's dispatch rate while it runs.
func (q *Queues) SetRate(ctx context.Context, queue string, rate float64) error {
	_, err := q.c.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
		Queue:      &cloudtaskspb.Queue{Name: queue, RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: rate}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"rate_limits.max_dispatches_per_second"}},
	})
	return gcp.Classify("queue: set rate of "+queue, err)
}

// Pause stops dispatch from a queue; tasks wait.
func (q *Queues) Pause(ctx context.Context, queue string) error {
	_, err := q.c.PauseQueue(ctx, &cloudtaskspb.PauseQueueRequest{Name: queue})
	return gcp.Classify("queue: pause "+queue, err)
}

// Resume restarts dispatch from a paused queue.
func (q *Queues) Resume(ctx context.Context, queue string) error {
	_, err := q.c.ResumeQueue(ctx, &cloudtaskspb.ResumeQueueRequest{Name: queue})
	return gcp.Classify("queue: resume "+queue, err)
}

// State returns a queue's state (RUNNING, PAUSED, ...) and current rate.
func (q *Queues) State(ctx context.Context, queue string) (cloudtaskspb.Queue_State, float64, error) {
	qu, err := q.c.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: queue})
	if err != nil {
		return 0, 0, gcp.Classify("queue: get "+queue, err)
	}
	return qu.GetState(), qu.GetRateLimits().GetMaxDispatchesPerSecond(), nil
}

// TaskExists reports whether a task is still in its queue (pending or
// running).
func (q *Queues) TaskExists(ctx context.Context, queue, id string) (bool, error) {
	_, err := q.c.GetTask(ctx, &cloudtaskspb.GetTaskRequest{Name: queue + "/tasks/" + id})
	switch status.Code(err) {
	case codes.OK:
		return true, nil
	case codes.NotFound:
		return false, nil
	}
	return false, gcp.Classify("queue: get task "+id, err)
}

// SetConcurrency changes how many tasks of a queue run at once.
func (q *Queues) SetConcurrency(ctx context.Context, queue string, n int) error {
	_, err := q.c.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
		Queue:      &cloudtaskspb.Queue{Name: queue, RateLimits: &cloudtaskspb.RateLimits{MaxConcurrentDispatches: int32(n)}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"rate_limits.max_concurrent_dispatches"}},
	})
	return gcp.Classify("queue: set concurrency of "+queue, err)
}
