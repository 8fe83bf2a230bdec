package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/types/known/durationpb"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/events"
)

// TestCorruptData: the portal sends truncated ZIPs and valid ZIPs holding
// truncated XML. Exactly the invoices served corrupt end failed with
// bad_data and a reason; every other invoice is stored as the ground truth
// says.
func TestCorruptData(t *testing.T) {
	sim := h.Stack.GDT()
	n0 := len(sim.Corrupted())
	sim.SetFaults(gdtsim.FaultOptions{CorruptZipShare: 0.25, CorruptXMLShare: 0.25})
	t.Cleanup(func() { sim.SetFaults(gdtsim.FaultOptions{}) })
	id := start(t, coCorrupt)
	st := finish(t, id)
	sim.SetFaults(gdtsim.FaultOptions{})
	mst := company(coCorrupt).MST
	bad := map[string]bool{}
	for _, tr := range sim.Corrupted()[n0:] {
		bad[objectName(mst, tr)] = true
	}
	if len(bad) == 0 {
		t.Fatal("the portal corrupted nothing: the case tested nothing")
	}
	o := checkTruth(t, coCorrupt, id, st, bad)
	for _, r := range received(t, id) {
		if r.Type != "vn.hoadon.invoice.failed" {
			continue
		}
		var d events.InvoiceFailed
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.Code != "bad_data" || d.Reason == "" || d.Attempts != 1 {
			t.Errorf("failed event %s: code %q reason %q attempts %d; want bad_data with a reason after 1 attempt", r.Subject, d.Code, d.Reason, d.Attempts)
		}
	}
	t.Logf("%d invoices served corrupt, all failed with bad_data at the first attempt; %d stored equal to the ground truth, %d unavailable",
		len(bad), o.stored, o.unavailable)
}

// TestDuplicateDelivery: every download task is delivered twice at the same
// moment (the function called directly, twice in parallel, with the task's
// body), then a third time by the queue itself. Each invoice is stored
// once with one event, the counts are exact, and the queue's own delivery
// calls the portal no more.
func TestDuplicateDelivery(t *testing.T) {
	sim, tc := h.Stack.GDT(), tasksClient(t)
	q := queueName(coDuplicate)
	pausedQueue(t, q)
	id := start(t, coDuplicate)
	total := len(truth(coDuplicate))
	var tasks []*cloudtaskspb.Task
	poll(t, time.Minute, "every download enqueued", func() bool {
		tasks = listTasks(t, tc, q)
		return len(tasks) == total
	})
	exports0 := exports(sim.Stats())
	var wg sync.WaitGroup
	codes := make([]int, 2*len(tasks))
	for i, task := range tasks {
		for j := range 2 {
			wg.Go(func() { codes[2*i+j] = deliver(t, task.GetHttpRequest().GetBody()) })
		}
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusNoContent {
			t.Errorf("delivery %d of %s answered %d", i%2+1, tasks[i/2].GetName(), c)
		}
	}
	direct := exports(sim.Stats()) - exports0
	if direct < int64(len(tasks)) || direct > 2*int64(len(tasks)) {
		t.Errorf("%d export-xml calls for %d tasks delivered twice; want between one and two per task", direct, len(tasks))
	}
	if _, err := tc.ResumeQueue(context.Background(), &cloudtaskspb.ResumeQueueRequest{Name: q}); err != nil {
		t.Fatal(err)
	}
	st := finish(t, id)
	o := checkTruth(t, coDuplicate, id, st, nil)
	if n := exports(sim.Stats()) - exports0 - direct; n != 0 {
		t.Errorf("the queue's own deliveries called export-xml %d times after the invoices were done", n)
	}
	t.Logf("%d tasks delivered twice at once: %d export-xml calls (at most 2 per invoice), then %d queue deliveries with none; "+
		"%d stored once each with one event, %d unavailable", len(tasks), direct, len(tasks), o.stored, o.unavailable)
}

// pausedQueue creates a company's download queue as the pipeline would,
// but paused, so its tasks wait for the test.
func pausedQueue(t *testing.T, name string) {
	t.Helper()
	tc := tasksClient(t)
	ctx := context.Background()
	parent := "projects/" + h.Env["HOADON_PROJECT"] + "/locations/" + h.Env["HOADON_LOCATION"]
	_, err := tc.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: parent, Queue: &cloudtaskspb.Queue{
		Name:       name,
		RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 4, MaxConcurrentDispatches: 4},
		RetryConfig: &cloudtaskspb.RetryConfig{MaxAttempts: 200, MinBackoff: durationpb.New(100 * time.Millisecond),
			MaxBackoff: durationpb.New(time.Second), MaxDoublings: 5},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tc.PauseQueue(ctx, &cloudtaskspb.PauseQueueRequest{Name: name}); err != nil {
		t.Fatal(err)
	}
}

// deliver posts a download task's body to the download function as Cloud
// Tasks would on a first attempt.
func deliver(t *testing.T, body []byte) int {
	req, _ := http.NewRequest("POST", h.URL+"/download", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CloudTasks-TaskRetryCount", "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func exports(s gdtsim.Stats) int64 {
	return s.Total("/query/invoices/export-xml") + s.Total("/sco-query/invoices/export-xml")
}
