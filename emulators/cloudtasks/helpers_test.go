package cloudtasks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	tasksapi "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"github.com/hoadon/hoadon/emulators/oidc"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

const location = "projects/p/locations/l"

var (
	issuerOnce sync.Once
	issuer     *oidc.Issuer
	issuerErr  error
)

// sharedIssuer is one issuer for all tests: RSA key generation is the costliest part of
// Start, and the machine running the tests is shared.
func sharedIssuer(t *testing.T) *oidc.Issuer {
	t.Helper()
	issuerOnce.Do(func() { issuer, issuerErr = oidc.NewIssuer("http://issuer.test") })
	if issuerErr != nil {
		t.Fatalf("NewIssuer: %v", issuerErr)
	}
	return issuer
}

// startEmu starts an emulator (sharing the test issuer unless opts has one) and an official
// client pointed at it; both close on cleanup.
func startEmu(t *testing.T, opts emu.Options) (*emu.Server, *tasksapi.Client) {
	t.Helper()
	if opts.Issuer == nil {
		opts.Issuer = sharedIssuer(t)
	}
	return startEmuRaw(t, opts)
}

// startEmuRaw starts the emulator exactly as configured.
func startEmuRaw(t *testing.T, opts emu.Options) (*emu.Server, *tasksapi.Client) {
	t.Helper()
	srv, err := emu.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv, dial(t, srv.Addr())
}

func dial(t *testing.T, addr string) *tasksapi.Client {
	t.Helper()
	c, err := tasksapi.NewClient(context.Background(), option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// arrival is one request the target received.
type arrival struct {
	at     time.Time
	method string
	uri    string
	hdr    http.Header
	body   []byte
}

// target is a local HTTP worker that records every request and tracks concurrency.
type target struct {
	srv         *httptest.Server
	mu          sync.Mutex
	arrivals    []arrival
	inflight    int
	maxInflight int
}

// newTarget serves handle(n, w, r) where n is the 0-based arrival number; nil answers 200.
func newTarget(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *target {
	tg := &target{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		n := len(tg.arrivals)
		tg.arrivals = append(tg.arrivals, arrival{at: time.Now(), method: r.Method, uri: r.RequestURI, hdr: r.Header.Clone(), body: body})
		tg.inflight++
		tg.maxInflight = max(tg.maxInflight, tg.inflight)
		tg.mu.Unlock()
		defer func() {
			tg.mu.Lock()
			tg.inflight--
			tg.mu.Unlock()
		}()
		if handle != nil {
			handle(n, w, r)
		}
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

func (tg *target) count() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return len(tg.arrivals)
}

func (tg *target) all() []arrival {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]arrival(nil), tg.arrivals...)
}

func (tg *target) peak() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.maxInflight
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// createQueue creates queue id with the given limits (nil = defaults) and returns its name.
func createQueue(t *testing.T, c *tasksapi.Client, id string, rl *cloudtaskspb.RateLimits, rc *cloudtaskspb.RetryConfig) string {
	t.Helper()
	name := location + "/queues/" + id
	_, err := c.CreateQueue(context.Background(), &cloudtaskspb.CreateQueueRequest{
		Parent: location, Queue: &cloudtaskspb.Queue{Name: name, RateLimits: rl, RetryConfig: rc},
	})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", id, err)
	}
	return name
}

func pause(t *testing.T, c *tasksapi.Client, q string) {
	t.Helper()
	if _, err := c.PauseQueue(context.Background(), &cloudtaskspb.PauseQueueRequest{Name: q}); err != nil {
		t.Fatalf("PauseQueue: %v", err)
	}
}

func resume(t *testing.T, c *tasksapi.Client, q string) {
	t.Helper()
	if _, err := c.ResumeQueue(context.Background(), &cloudtaskspb.ResumeQueueRequest{Name: q}); err != nil {
		t.Fatalf("ResumeQueue: %v", err)
	}
}

// httpTask is a POST task to url, optionally named.
func httpTask(q, id, url string) *cloudtaskspb.Task {
	tk := &cloudtaskspb.Task{MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: &cloudtaskspb.HttpRequest{
		Url: url, HttpMethod: cloudtaskspb.HttpMethod_POST, Body: []byte(`{"id":"` + id + `"}`),
	}}}
	if id != "" {
		tk.Name = q + "/tasks/" + id
	}
	return tk
}

func createTask(t *testing.T, c *tasksapi.Client, q string, tk *cloudtaskspb.Task) *cloudtaskspb.Task {
	t.Helper()
	got, err := c.CreateTask(context.Background(), &cloudtaskspb.CreateTaskRequest{Parent: q, Task: tk})
	if err != nil {
		t.Fatalf("CreateTask: %v", err)
	}
	return got
}

// enqueue creates n tasks with generated names.
func enqueue(t *testing.T, c *tasksapi.Client, q, url string, n int) {
	t.Helper()
	for range n {
		createTask(t, c, q, httpTask(q, "", url))
	}
}

func wantCode(t *testing.T, err error, want codes.Code, what string) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("%s: code %v (%v), want %v", what, got, err, want)
	}
}

// gone reports whether GetTask says NOT_FOUND.
func gone(c *tasksapi.Client, name string) bool {
	_, err := c.GetTask(context.Background(), &cloudtaskspb.GetTaskRequest{Name: name})
	return status.Code(err) == codes.NotFound
}

func dur(d time.Duration) *durationpb.Duration { return durationpb.New(d) }

// fastRetry is a retry config with constant short backoff.
func fastRetry(attempts int32, backoff time.Duration) *cloudtaskspb.RetryConfig {
	return &cloudtaskspb.RetryConfig{MaxAttempts: attempts, MinBackoff: dur(backoff), MaxBackoff: dur(backoff)}
}

// stallMonitor records a 5 ms ticker so a test can tell how long the whole process was
// stalled (not scheduled) during a window: on the shared, heavily loaded test machine stalls
// of 50-150 ms happen and would otherwise look like late dispatches.
type stallMonitor struct {
	mu    sync.Mutex
	ticks []time.Time
}

const stallTick = 5 * time.Millisecond

func watchStalls(t *testing.T) *stallMonitor {
	m := &stallMonitor{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(stallTick)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tk.C:
				m.mu.Lock()
				m.ticks = append(m.ticks, now)
				m.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return m
}

// worst is the longest gap between ticks overlapping [from, to], beyond the tick period.
func (m *stallMonitor) worst(from, to time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var w time.Duration
	for i := 1; i < len(m.ticks); i++ {
		if m.ticks[i].Before(from) || m.ticks[i-1].After(to) {
			continue
		}
		w = max(w, m.ticks[i].Sub(m.ticks[i-1])-stallTick)
	}
	return w
}
