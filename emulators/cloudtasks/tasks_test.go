package cloudtasks_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestCreateTaskValidation(t *testing.T) {
	t.Parallel()
	_, c := startEmu(t, emu.Options{})
	q := createQueue(t, c, "val", nil, nil)
	ok := "http://127.0.0.1:1/x"
	with := func(f func(tk *cloudtaskspb.Task)) *cloudtaskspb.Task {
		tk := httpTask(q, "", ok)
		f(tk)
		return tk
	}
	for _, tc := range []struct {
		name   string
		parent string
		task   *cloudtaskspb.Task
		want   codes.Code
	}{
		{"missing queue", location + "/queues/none", httpTask(location+"/queues/none", "", ok), codes.NotFound},
		{"no target", q, &cloudtaskspb.Task{}, codes.InvalidArgument},
		{"relative url", q, httpTask(q, "", "/x"), codes.InvalidArgument},
		{"ftp url", q, httpTask(q, "", "ftp://h/x"), codes.InvalidArgument},
		{"bad task id", q, httpTask(q, "a.b", ok), codes.InvalidArgument},
		{"other queue", q, httpTask(location+"/queues/other", "x", ok), codes.InvalidArgument},
		{"body with GET", q, with(func(tk *cloudtaskspb.Task) { tk.GetHttpRequest().HttpMethod = cloudtaskspb.HttpMethod_GET }), codes.InvalidArgument},
		{"deadline 5s", q, with(func(tk *cloudtaskspb.Task) { tk.DispatchDeadline = dur(5 * time.Second) }), codes.InvalidArgument},
		{"deadline 31m", q, with(func(tk *cloudtaskspb.Task) { tk.DispatchDeadline = dur(31 * time.Minute) }), codes.InvalidArgument},
		{"schedule 31 days ahead", q, with(func(tk *cloudtaskspb.Task) {
			tk.ScheduleTime = timestamppb.New(time.Now().Add(31 * 24 * time.Hour))
		}), codes.InvalidArgument},
		{"oversized", q, with(func(tk *cloudtaskspb.Task) { tk.GetHttpRequest().Body = make([]byte, 1<<20+1) }), codes.InvalidArgument},
		{"app engine", q, &cloudtaskspb.Task{MessageType: &cloudtaskspb.Task_AppEngineHttpRequest{
			AppEngineHttpRequest: &cloudtaskspb.AppEngineHttpRequest{RelativeUri: "/x"}}}, codes.Unimplemented},
	} {
		_, err := c.CreateTask(context.Background(), &cloudtaskspb.CreateTaskRequest{Parent: tc.parent, Task: tc.task})
		wantCode(t, err, tc.want, tc.name)
	}
	// The documented bounds themselves are accepted.
	pause(t, c, q)
	for _, d := range []time.Duration{15 * time.Second, 30 * time.Minute} {
		createTask(t, c, q, with(func(tk *cloudtaskspb.Task) { tk.DispatchDeadline = dur(d) }))
	}
}

func TestTaskNamesViewsAndListing(t *testing.T) {
	t.Parallel()
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	q := createQueue(t, c, "names", nil, nil)
	pause(t, c, q)
	gen := createTask(t, c, q, httpTask(q, "", "http://127.0.0.1:1/x"))
	if !regexp.MustCompile(`^` + q + `/tasks/[0-9]{19}$`).MatchString(gen.GetName()) {
		t.Errorf("generated name %q", gen.GetName())
	}
	if gen.GetView() != cloudtaskspb.Task_BASIC || gen.GetDispatchDeadline().AsDuration() != 10*time.Minute ||
		gen.GetCreateTime() == nil || gen.GetScheduleTime() == nil {
		t.Errorf("created task output fields: %v", gen)
	}
	for _, id := range []string{"b", "c", "d", "e"} {
		createTask(t, c, q, httpTask(q, id, "http://127.0.0.1:1/x"))
	}
	full, err := c.GetTask(ctx, &cloudtaskspb.GetTaskRequest{Name: q + "/tasks/b", ResponseView: cloudtaskspb.Task_FULL})
	if err != nil || full.GetView() != cloudtaskspb.Task_FULL || string(full.GetHttpRequest().GetBody()) != `{"id":"b"}` {
		t.Fatalf("GetTask FULL = %v, %v", full, err)
	}
	it := c.ListTasks(ctx, &cloudtaskspb.ListTasksRequest{Parent: q, PageSize: 2})
	var names []string
	for {
		tk, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatalf("ListTasks: %v", err)
		}
		names = append(names, tk.GetName())
	}
	if len(names) != 5 || names[0] != gen.GetName() || names[4] != q+"/tasks/e" {
		t.Errorf("ListTasks names = %v", names)
	}
}

func TestDuplicateNamesAndTombstones(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, nil)
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	q := createQueue(t, c, "dedup", nil, nil)
	dup := func(id, what string) {
		t.Helper()
		_, err := c.CreateTask(ctx, &cloudtaskspb.CreateTaskRequest{Parent: q, Task: httpTask(q, id, tg.srv.URL)})
		wantCode(t, err, codes.AlreadyExists, what)
	}

	pause(t, c, q)
	createTask(t, c, q, httpTask(q, "inv-1", tg.srv.URL))
	dup("inv-1", "duplicate of a pending task")
	if err := c.DeleteTask(ctx, &cloudtaskspb.DeleteTaskRequest{Name: q + "/tasks/inv-1"}); err != nil {
		t.Fatalf("DeleteTask: %v", err)
	}
	dup("inv-1", "duplicate of a deleted task")
	err := c.DeleteTask(ctx, &cloudtaskspb.DeleteTaskRequest{Name: q + "/tasks/inv-1"})
	wantCode(t, err, codes.NotFound, "deleting a deleted task")

	resume(t, c, q)
	createTask(t, c, q, httpTask(q, "inv-2", tg.srv.URL))
	waitFor(t, 5*time.Second, "inv-2 executed", func() bool { return gone(c, q+"/tasks/inv-2") })
	dup("inv-2", "duplicate of an executed task")
	if tg.count() != 1 {
		t.Errorf("target got %d requests, want 1", tg.count())
	}
}

func TestTombstoneExpiry(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, nil)
	const ttl = 300 * time.Millisecond
	_, c := startEmu(t, emu.Options{TombstoneTTL: ttl})
	q := createQueue(t, c, "short", nil, nil)
	createTask(t, c, q, httpTask(q, "x", tg.srv.URL))
	waitFor(t, 5*time.Second, "x executed", func() bool { return gone(c, q+"/tasks/x") })
	executed := time.Now()
	var reused time.Time
	waitFor(t, 5*time.Second, "name reusable", func() bool {
		_, err := c.CreateTask(context.Background(), &cloudtaskspb.CreateTaskRequest{Parent: q, Task: httpTask(q, "x", tg.srv.URL)})
		reused = time.Now()
		return err == nil
	})
	if reused.Sub(executed) < ttl-50*time.Millisecond {
		t.Errorf("name reusable after %v, tombstone TTL is %v", reused.Sub(executed), ttl)
	}
}

func TestPauseResumePurge(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, nil)
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	q := createQueue(t, c, "prp", nil, nil)
	pause(t, c, q)
	enqueue(t, c, q, tg.srv.URL+"/old", 5)
	// Asserting an absence needs an observation window; this sleep is not synchronisation.
	time.Sleep(200 * time.Millisecond)
	if n := tg.count(); n != 0 {
		t.Fatalf("paused queue dispatched %d tasks", n)
	}
	resume(t, c, q)
	waitFor(t, 5*time.Second, "5 tasks after resume", func() bool { return tg.count() == 5 })

	pause(t, c, q)
	enqueue(t, c, q, tg.srv.URL+"/purged", 5)
	purged, err := c.PurgeQueue(ctx, &cloudtaskspb.PurgeQueueRequest{Name: q})
	if err != nil || purged.GetPurgeTime() == nil {
		t.Fatalf("PurgeQueue = %v, %v", purged, err)
	}
	if _, err := c.ListTasks(ctx, &cloudtaskspb.ListTasksRequest{Parent: q}).Next(); err != iterator.Done {
		t.Fatalf("ListTasks after purge: %v, want no tasks", err)
	}
	createTask(t, c, q, httpTask(q, "after-purge", tg.srv.URL+"/new"))
	resume(t, c, q)
	waitFor(t, 5*time.Second, "post-purge task", func() bool { return tg.count() == 6 })
	for _, a := range tg.all()[5:] {
		if a.uri != "/new" {
			t.Errorf("purged task dispatched: %s", a.uri)
		}
	}
}

func TestScheduleTimeHonoured(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, nil)
	_, c := startEmu(t, emu.Options{})
	q := createQueue(t, c, "sched", nil, nil)
	at := time.Now().Add(600 * time.Millisecond)
	tk := httpTask(q, "later", tg.srv.URL)
	tk.ScheduleTime = timestamppb.New(at)
	got := createTask(t, c, q, tk)
	if !got.GetScheduleTime().AsTime().Equal(at.Truncate(time.Microsecond)) && !got.GetScheduleTime().AsTime().Equal(at) {
		t.Errorf("schedule_time %v, want %v", got.GetScheduleTime().AsTime(), at)
	}
	waitFor(t, 5*time.Second, "scheduled dispatch", func() bool { return tg.count() == 1 })
	early := tg.all()[0].at.Sub(at)
	if early < -2*time.Millisecond || early > 250*time.Millisecond {
		t.Errorf("dispatched %v relative to schedule_time, want within [0, 250ms]", early)
	}
	t.Logf("schedule_time: dispatched %v after the requested time", early)
}

func TestRunTaskIgnoresPause(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	q := createQueue(t, c, "run", nil, nil)
	pause(t, c, q)
	createTask(t, c, q, httpTask(q, "now", tg.srv.URL))
	ran, err := c.RunTask(ctx, &cloudtaskspb.RunTaskRequest{Name: q + "/tasks/now"})
	if err != nil || ran.GetDispatchCount() != 1 || ran.GetLastAttempt().GetDispatchTime() == nil {
		t.Fatalf("RunTask = %v, %v", ran, err)
	}
	waitFor(t, 5*time.Second, "task run", func() bool { return gone(c, q+"/tasks/now") })
	_, err = c.RunTask(ctx, &cloudtaskspb.RunTaskRequest{Name: q + "/tasks/now"})
	wantCode(t, err, codes.NotFound, "RunTask of an executed task")
}
