package queue_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"

	tasksemu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/queue"
)

// newQueues starts a Cloud Tasks emulator and returns Queues on it.
func newQueues(t *testing.T) (*queue.Queues, *tasksemu.Server) {
	t.Helper()
	srv, err := tasksemu.Start(tasksemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := gcp.Tasks(context.Background(), srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cfg := queue.DefaultConfig()
	cfg.Project, cfg.Location, cfg.ServiceAccount = "p", "l", "tasks@p.iam.gserviceaccount.com"
	return queue.New(c, cfg), srv
}

type received struct {
	mu     sync.Mutex
	bodies []string
	auth   []string
	got    chan struct{}
}

func (r *received) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, string(b))
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	r.mu.Unlock()
	r.got <- struct{}{}
}

func TestEnqueueIsIdempotentAndDispatches(t *testing.T) {
	q, srv := newQueues(t)
	ctx := context.Background()
	rec := &received{got: make(chan struct{}, 10)}
	target := httptest.NewServer(rec)
	t.Cleanup(target.Close)

	name, err := q.EnsureCompanyQueue(ctx, "0100109106")
	if err != nil || !strings.HasSuffix(name, "/queues/dl-0100109106") {
		t.Fatalf("EnsureCompanyQueue = %s, %v", name, err)
	}
	task := queue.Task{Queue: name, ID: "imp-abc", URL: target.URL + "/download", Body: []byte(`{"import_id":"x"}`)}
	if created, err := q.Enqueue(ctx, task); err != nil || !created {
		t.Fatalf("first Enqueue = %v, %v", created, err)
	}
	if created, err := q.Enqueue(ctx, task); err != nil || created {
		t.Fatalf("second Enqueue = %v, %v; want not created, no error", created, err)
	}
	select {
	case <-rec.got:
	case <-time.After(10 * time.Second):
		t.Fatal("task not dispatched")
	}
	rec.mu.Lock()
	body, auth := rec.bodies[0], rec.auth[0]
	rec.mu.Unlock()
	if body != `{"import_id":"x"}` {
		t.Errorf("body = %q", body)
	}
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		t.Fatalf("no OIDC token: %q", auth)
	}
	claims, err := srv.Issuer().Verify(tok, target.URL+"/download")
	if err != nil || claims.Email != "tasks@p.iam.gserviceaccount.com" {
		t.Errorf("token: %+v, %v", claims, err)
	}
	// Executed: the name stays taken.
	if created, err := q.Enqueue(ctx, task); err != nil || created {
		t.Errorf("enqueue after execution = %v, %v", created, err)
	}
}

func TestRatePauseResume(t *testing.T) {
	q, _ := newQueues(t)
	ctx := context.Background()
	name, err := q.EnsureCompanyQueue(ctx, "0100520429")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.SetRate(ctx, name, 1.5); err != nil {
		t.Fatal(err)
	}
	if err := q.Pause(ctx, name); err != nil {
		t.Fatal(err)
	}
	st, rate, err := q.State(ctx, name)
	if err != nil || st != cloudtaskspb.Queue_PAUSED || rate != 1.5 {
		t.Errorf("after pause: %v %v %v", st, rate, err)
	}
	if err := q.Resume(ctx, name); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := q.State(ctx, name); st != cloudtaskspb.Queue_RUNNING {
		t.Errorf("after resume: %v", st)
	}
}
