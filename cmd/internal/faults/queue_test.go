package faults_test

import (
	"context"
	"testing"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
)

// tasksClient is the official Cloud Tasks client on the server's emulator.
func tasksClient(t *testing.T) *cloudtasks.Client {
	t.Helper()
	c, err := gcp.Tasks(context.Background(), h.Env["HOADON_TASKS_ENDPOINT"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// queueName is the download queue of company i.
func queueName(i int) string {
	return "projects/" + h.Env["HOADON_PROJECT"] + "/locations/" + h.Env["HOADON_LOCATION"] + "/queues/dl-" + company(i).MST
}

// queueState reads a queue's state and rate_limits.max_dispatches_per_second;
// a queue not created yet reads as zero values.
func queueState(t *testing.T, c *cloudtasks.Client, name string) (cloudtaskspb.Queue_State, float64) {
	t.Helper()
	q, err := c.GetQueue(context.Background(), &cloudtaskspb.GetQueueRequest{Name: name})
	if err != nil {
		return cloudtaskspb.Queue_STATE_UNSPECIFIED, 0
	}
	return q.GetState(), q.GetRateLimits().GetMaxDispatchesPerSecond()
}

// listTasks returns the tasks of a queue, with their bodies.
func listTasks(t *testing.T, c *cloudtasks.Client, name string) []*cloudtaskspb.Task {
	t.Helper()
	it := c.ListTasks(context.Background(), &cloudtaskspb.ListTasksRequest{Parent: name, ResponseView: cloudtaskspb.Task_FULL})
	var out []*cloudtaskspb.Task
	for {
		task, err := it.Next()
		if err == iterator.Done {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, task)
	}
}
