package faults_test

import (
	"context"
	"testing"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/api/iterator"
)

// TestRestart: mid-import the server process is killed with SIGKILL
// (requests in flight die with it, and so does its App), and the Cloud
// Tasks emulator is stopped and started again on the same address from its
// state file; once a restored task has met the dead port, a new server
// process starts on the same port. The import completes with nothing lost
// and nothing stored twice.
func TestRestart(t *testing.T) {
	tc := tasksClient(t)
	q := queueName(coRestart)
	id := start(t, coRestart)
	waitFor(t, id, time.Minute, func(st map[string]any) bool { return count(st, "stored") >= 3 })
	// Kill while the server is inside a portal call: that download dies
	// half done (it may have written files, it has not completed).
	mst := company(coRestart).MST
	deadline := time.Now().Add(30 * time.Second)
	for h.Stack.GDT().InFlight(mst) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no portal request in flight within 30s")
		}
		time.Sleep(time.Millisecond)
	}
	inFlight := h.Stack.GDT().InFlight(mst)
	t0 := time.Now()
	if err := h.StopServer(); err != nil {
		t.Fatal(err)
	}
	before := pending(t, tc, q)
	if err := h.RestartTasks(); err != nil {
		t.Fatal(err)
	}
	after := -1
	poll(t, 10*time.Second, "tasks listed after the restart", func() bool {
		after = pendingOrErr(tc, q)
		return after >= 0
	})
	if after == 0 && before > 0 {
		t.Fatalf("the restarted emulator lost the %d pending tasks", before)
	}
	// Keep the server down until the restored queue has met its closed port.
	refused := 0
	poll(t, 20*time.Second, "a dispatch refused by the stopped server", func() bool {
		refused = 0
		for _, task := range listTasks(t, tc, q) {
			a := task.GetLastAttempt()
			if a.GetResponseStatus() != nil && a.GetResponseStatus().GetCode() != 0 && a.GetDispatchTime().AsTime().After(t0) {
				refused++
			}
		}
		return refused > 0
	})
	if err := h.StartServer(); err != nil {
		t.Fatal(err)
	}
	down := time.Since(t0)
	st := finish(t, id)
	o := checkTruth(t, coRestart, id, st, nil)
	t.Logf("server killed with %d portal requests in flight, down %s while Cloud Tasks restarted: %d tasks pending before, "+
		"%d restored from the state file, %d of them refused by the dead port; completed %.1fs after the kill: %d stored, %d unavailable",
		inFlight, down.Round(time.Millisecond), before, after, refused, time.Since(t0).Seconds(), o.stored, o.unavailable)
}

// pending counts a queue's tasks, failing the test on an error.
func pending(t *testing.T, tc *cloudtasks.Client, q string) int {
	t.Helper()
	return len(listTasks(t, tc, q))
}

// pendingOrErr counts a queue's tasks, or returns -1 while the emulator
// does not answer (the client reconnects after a restart).
func pendingOrErr(tc *cloudtasks.Client, q string) int {
	it := tc.ListTasks(context.Background(), &cloudtaskspb.ListTasksRequest{Parent: q})
	n := 0
	for {
		_, err := it.Next()
		if err == iterator.Done {
			return n
		}
		if err != nil {
			return -1
		}
		n++
	}
}
