package cloudtasks_test

import (
	"context"
	"testing"
	"time"

	tasksapi "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

func TestQueueDefaultsAndLifecycle(t *testing.T) {
	t.Parallel()
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	name := createQueue(t, c, "dl-0101234567", nil, nil)

	q, err := c.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: name})
	if err != nil {
		t.Fatalf("GetQueue: %v", err)
	}
	rl, rc := q.GetRateLimits(), q.GetRetryConfig()
	if q.GetState() != cloudtaskspb.Queue_RUNNING || rl.GetMaxDispatchesPerSecond() != 500 ||
		rl.GetMaxConcurrentDispatches() != 1000 || rl.GetMaxBurstSize() != 100 {
		t.Errorf("defaults: state %v rate limits %v", q.GetState(), rl)
	}
	if rc.GetMaxAttempts() != 100 || rc.GetMinBackoff().AsDuration() != 100*time.Millisecond ||
		rc.GetMaxBackoff().AsDuration() != time.Hour || rc.GetMaxDoublings() != 16 {
		t.Errorf("retry defaults: %v", rc)
	}

	_, err = c.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: location, Queue: &cloudtaskspb.Queue{Name: name}})
	wantCode(t, err, codes.AlreadyExists, "duplicate CreateQueue")

	pause(t, c, name)
	other := createQueue(t, c, "a-first", &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 7, MaxConcurrentDispatches: 3}, nil)
	if got := listQueues(t, c, ""); len(got) != 2 || got[0] != other || got[1] != name {
		t.Errorf("ListQueues = %v, want [%s %s]", got, other, name)
	}
	if got := listQueues(t, c, "state: PAUSED"); len(got) != 1 || got[0] != name {
		t.Errorf("ListQueues(state: PAUSED) = %v", got)
	}
	_, err = c.ListQueues(ctx, &cloudtaskspb.ListQueuesRequest{Parent: location, Filter: "name:x"}).Next()
	wantCode(t, err, codes.InvalidArgument, "unsupported filter")

	resume(t, c, name)
	if err := c.DeleteQueue(ctx, &cloudtaskspb.DeleteQueueRequest{Name: name}); err != nil {
		t.Fatalf("DeleteQueue: %v", err)
	}
	_, err = c.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: name})
	wantCode(t, err, codes.NotFound, "GetQueue after delete")
}

func listQueues(t *testing.T, c *tasksapi.Client, filter string) []string {
	t.Helper()
	it := c.ListQueues(context.Background(), &cloudtaskspb.ListQueuesRequest{Parent: location, Filter: filter, PageSize: 1})
	var names []string
	for {
		q, err := it.Next()
		if err == iterator.Done {
			return names
		}
		if err != nil {
			t.Fatalf("ListQueues: %v", err)
		}
		names = append(names, q.GetName())
	}
}

func TestQueueValidation(t *testing.T) {
	t.Parallel()
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		q    *cloudtaskspb.Queue
		want codes.Code
	}{
		{"bad id", &cloudtaskspb.Queue{Name: location + "/queues/bad_id"}, codes.InvalidArgument},
		{"other location", &cloudtaskspb.Queue{Name: "projects/p/locations/x/queues/q"}, codes.InvalidArgument},
		{"rate above 500", &cloudtaskspb.Queue{Name: location + "/queues/q1",
			RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 501}}, codes.InvalidArgument},
		{"concurrency above 5000", &cloudtaskspb.Queue{Name: location + "/queues/q2",
			RateLimits: &cloudtaskspb.RateLimits{MaxConcurrentDispatches: 5001}}, codes.InvalidArgument},
		{"attempts below -1", &cloudtaskspb.Queue{Name: location + "/queues/q3",
			RetryConfig: &cloudtaskspb.RetryConfig{MaxAttempts: -2}}, codes.InvalidArgument},
		{"min above max backoff", &cloudtaskspb.Queue{Name: location + "/queues/q4",
			RetryConfig: &cloudtaskspb.RetryConfig{MinBackoff: dur(time.Minute), MaxBackoff: dur(time.Second)}}, codes.InvalidArgument},
		{"http_target", &cloudtaskspb.Queue{Name: location + "/queues/q5",
			HttpTarget: &cloudtaskspb.HttpTarget{}}, codes.Unimplemented},
	} {
		_, err := c.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: location, Queue: tc.q})
		wantCode(t, err, tc.want, tc.name)
	}
	_, err := c.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: location + "/queues/missing"})
	wantCode(t, err, codes.NotFound, "GetQueue missing")
	_, err = c.PauseQueue(ctx, &cloudtaskspb.PauseQueueRequest{Name: "queues/x"})
	wantCode(t, err, codes.InvalidArgument, "PauseQueue bad name")
}

func TestUpdateQueueMask(t *testing.T) {
	t.Parallel()
	_, c := startEmu(t, emu.Options{})
	ctx := context.Background()
	name := createQueue(t, c, "upd", &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 5, MaxConcurrentDispatches: 4},
		&cloudtaskspb.RetryConfig{MaxAttempts: 7})
	pause(t, c, name)
	q, err := c.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
		Queue:      &cloudtaskspb.Queue{Name: name, RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 50, MaxConcurrentDispatches: 99}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"rate_limits.max_dispatches_per_second"}},
	})
	if err != nil {
		t.Fatalf("UpdateQueue: %v", err)
	}
	rl := q.GetRateLimits()
	if rl.GetMaxDispatchesPerSecond() != 50 || rl.GetMaxConcurrentDispatches() != 4 || rl.GetMaxBurstSize() != 50 ||
		q.GetRetryConfig().GetMaxAttempts() != 7 || q.GetState() != cloudtaskspb.Queue_PAUSED {
		t.Errorf("after masked update: %v", q)
	}
	_, err = c.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
		Queue: &cloudtaskspb.Queue{Name: name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"state"}},
	})
	wantCode(t, err, codes.InvalidArgument, "mask path state")
	_, err = c.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{
		Queue: &cloudtaskspb.Queue{Name: name}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"bogus"}},
	})
	wantCode(t, err, codes.InvalidArgument, "unknown mask path")

	// UpdateQueue creates a missing queue.
	created, err := c.UpdateQueue(ctx, &cloudtaskspb.UpdateQueueRequest{Queue: &cloudtaskspb.Queue{
		Name: location + "/queues/made-by-update", RateLimits: &cloudtaskspb.RateLimits{MaxConcurrentDispatches: 2}}})
	if err != nil || created.GetRateLimits().GetMaxConcurrentDispatches() != 2 || created.GetState() != cloudtaskspb.Queue_RUNNING {
		t.Fatalf("UpdateQueue(create) = %v, %v", created, err)
	}
}
