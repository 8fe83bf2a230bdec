package cloudtasks_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
)

func TestStateSurvivesRestart(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, nil)
	// The first request to /stuck hangs until the emulator cancels it at Close.
	stuck := newTarget(t, func(n int, _ http.ResponseWriter, r *http.Request) {
		if n == 0 {
			<-r.Context().Done()
		}
	})
	state := filepath.Join(t.TempDir(), "tasks.json")
	opts := emu.Options{StateFile: state, Issuer: sharedIssuer(t)}
	srv, err := emu.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addr())
	q := createQueue(t, c, "dl-0101234567", &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 5, MaxConcurrentDispatches: 2},
		fastRetry(4, 10*time.Millisecond))
	done := createQueue(t, c, "done", nil, nil)
	createTask(t, c, done, httpTask(done, "finished", tg.srv.URL))
	waitFor(t, 5*time.Second, "finished task", func() bool { return gone(c, done+"/tasks/finished") })
	pause(t, c, q)
	for _, id := range []string{"a", "b", "c"} {
		createTask(t, c, q, httpTask(q, id, tg.srv.URL+"/"+id))
	}
	inflight := createQueue(t, c, "inflight", nil, nil)
	createTask(t, c, inflight, httpTask(inflight, "hung", stuck.srv.URL))
	waitFor(t, 5*time.Second, "hung request in flight", func() bool { return stuck.count() == 1 })
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Restart on the same address, as the fault suite does; the old client reconnects.
	opts.Addr = srv.Addr()
	srv2, c2 := startEmu(t, opts)
	if srv2.Addr() != opts.Addr {
		t.Fatalf("restarted on %s, want %s", srv2.Addr(), opts.Addr)
	}
	waitFor(t, 5*time.Second, "in-flight task dispatched again after restart", func() bool {
		return stuck.count() == 2 && gone(c, inflight+"/tasks/hung")
	})
	got, err := c2.GetQueue(context.Background(), &cloudtaskspb.GetQueueRequest{Name: q})
	if err != nil || got.GetState() != cloudtaskspb.Queue_PAUSED || got.GetRateLimits().GetMaxConcurrentDispatches() != 2 ||
		got.GetRetryConfig().GetMaxAttempts() != 4 {
		t.Fatalf("queue after restart: %v, %v", got, err)
	}
	var names []string
	it := c2.ListTasks(context.Background(), &cloudtaskspb.ListTasksRequest{Parent: q})
	for tk, err := it.Next(); err != iterator.Done; tk, err = it.Next() {
		if err != nil {
			t.Fatalf("ListTasks: %v", err)
		}
		names = append(names, shortID(tk.GetName()))
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("tasks after restart: %v", names)
	}
	for _, name := range []string{q + "/tasks/a", done + "/tasks/finished"} {
		parent := name[:strings.LastIndex(name, "/tasks/")]
		_, err := c2.CreateTask(context.Background(), &cloudtaskspb.CreateTaskRequest{Parent: parent, Task: httpTask(parent, shortID(name), tg.srv.URL)})
		wantCode(t, err, codes.AlreadyExists, "reusing "+name+" after restart")
	}
	resume(t, c2, q)
	waitFor(t, 5*time.Second, "restored tasks dispatched", func() bool { return tg.count() == 4 })
}

func shortID(name string) string { return name[strings.LastIndex(name, "/")+1:] }

func TestPeriodicSnapshot(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "sub", "tasks.json")
	_, c := startEmu(t, emu.Options{StateFile: state, SnapshotInterval: 20 * time.Millisecond})
	createQueue(t, c, "snap-me", nil, nil)
	waitFor(t, 5*time.Second, "snapshot on disk", func() bool {
		b, err := os.ReadFile(state)
		return err == nil && strings.Contains(string(b), "queues/snap-me")
	})
}

func TestCorruptStateFileRefused(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "tasks.json")
	if err := os.WriteFile(state, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if srv, err := emu.Start(emu.Options{StateFile: state, Issuer: sharedIssuer(t)}); err == nil {
		_ = srv.Close()
		t.Fatal("Start accepted a corrupt state file")
	}
}
