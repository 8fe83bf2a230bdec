package faults_test

import (
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

const authPath = "/security-taxpayer/authenticate"

// statusCount sums the responses with a status over every endpoint.
func statusCount(s gdtsim.Stats, status int) int64 {
	var n int64
	for _, m := range s {
		n += m[status]
	}
	return n
}

// TestPortalDown: the portal goes away mid-import. Downloads fail and are
// retried, the circuit breaker pauses the company queue, the status poll
// resumes it after the cool-down, and once the portal is back the import
// completes with everything stored and nothing failed.
func TestPortalDown(t *testing.T) {
	sim, tc := h.Stack.GDT(), tasksClient(t)
	q := queueName(coDown)
	id := start(t, coDown)
	waitFor(t, id, time.Minute, func(st map[string]any) bool { return count(st, "stored") >= 2 })
	before, t0 := statusCount(sim.Stats(), 503), time.Now()
	sim.SetDown(true)
	t.Cleanup(func() { sim.SetDown(false) })
	poll(t, 30*time.Second, "breaker pauses the queue", func() bool {
		st, _ := queueState(t, tc, q)
		return st == cloudtaskspb.Queue_PAUSED
	})
	pausedAfter := time.Since(t0)
	// Keep the portal down through one heal: the queue resumes after the
	// cool-down, fails again and pauses again.
	resumed := false
	poll(t, 30*time.Second, "breaker heals and trips again", func() bool {
		st, _ := queueState(t, tc, q)
		if st == cloudtaskspb.Queue_RUNNING {
			resumed = true
		}
		return resumed && st == cloudtaskspb.Queue_PAUSED
	})
	downFor := time.Since(t0)
	sim.SetDown(false)
	up := time.Now()
	poll(t, 30*time.Second, "queue resumes after the outage", func() bool {
		st, _ := queueState(t, tc, q)
		return st == cloudtaskspb.Queue_RUNNING
	})
	resumedAfter := time.Since(up)
	st := finish(t, id)
	o := checkTruth(t, coDown, id, st, nil)
	refused := statusCount(sim.Stats(), 503) - before
	if refused == 0 {
		t.Error("the portal refused nothing while down")
	}
	t.Logf("down %.1fs: %d requests answered 503; breaker paused after %.1fs, healed and tripped again; "+
		"queue running %.1fs after the portal came back; completed %.1fs after it: %d stored, %d unavailable",
		downFor.Seconds(), refused, pausedAfter.Seconds(), resumedAfter.Seconds(), time.Since(up).Seconds(), o.stored, o.unavailable)
}

// TestRateLimitStorm: every portal request answers 429 for a while. The
// company queue's dispatch rate halves (read through the Cloud Tasks API),
// no invoice is failed for it, and successes raise the rate again after
// the storm.
func TestRateLimitStorm(t *testing.T) {
	sim, tc := h.Stack.GDT(), tasksClient(t)
	q := queueName(coStorm)
	id := start(t, coStorm)
	waitFor(t, id, time.Minute, func(st map[string]any) bool { return count(st, "stored") >= 2 })
	_, r0 := queueState(t, tc, q)
	before, t0 := statusCount(sim.Stats(), 429), time.Now()
	sim.SetFaults(gdtsim.FaultOptions{RateLimitShare: 1, RateLimitFor: 300 * time.Millisecond})
	t.Cleanup(func() { sim.SetFaults(gdtsim.FaultOptions{}) })
	low := r0
	poll(t, 30*time.Second, "rate halved twice", func() bool {
		_, r := queueState(t, tc, q)
		low = min(low, r)
		return r > 0 && r <= r0/4
	})
	storm := time.Since(t0)
	sim.SetFaults(gdtsim.FaultOptions{})
	limited := statusCount(sim.Stats(), 429) - before
	high := low
	var st map[string]any
	poll(t, 90*time.Second, "import "+id+" ends", func() bool {
		_, r := queueState(t, tc, q)
		high = max(high, r)
		st = status(t, id)
		return final(st)
	})
	if st["status"] != "completed" {
		t.Fatalf("import ended %v (%v)", st["status"], st["error"])
	}
	o := checkTruth(t, coStorm, id, st, nil)
	if limited == 0 {
		t.Error("no 429 was answered during the storm")
	}
	if high <= low {
		t.Errorf("rate stayed at %v after the storm; want it raised again", low)
	}
	t.Logf("rate %.2f/s before, %.3f/s after %.1fs of storm (%d answers 429), back up to %.2f/s by the end; "+
		"%d stored, %d unavailable, 0 failed", r0, low, storm.Seconds(), limited, high, o.stored, o.unavailable)
}

// TestTokenExpiry: the portal's clock jumps a day ahead mid-import, so the
// token every download shares has expired. The downloads that meet the 401
// log in again once between them (single-flight), and the import completes.
func TestTokenExpiry(t *testing.T) {
	sim := h.Stack.GDT()
	auth0 := sim.Stats().Total(authPath)
	id := start(t, coToken)
	waitFor(t, id, time.Minute, func(st map[string]any) bool { return count(st, "stored") >= 3 })
	rejected0 := statusCount(sim.Stats(), 401)
	clockSkew.Add(int64(25 * time.Hour))
	st := finish(t, id)
	o := checkTruth(t, coToken, id, st, nil)
	auths := sim.Stats().Total(authPath) - auth0
	rejected := statusCount(sim.Stats(), 401) - rejected0
	if rejected == 0 {
		t.Fatal("the portal rejected no token after its clock moved: the case tested nothing")
	}
	if auths != 2 {
		t.Errorf("%d authentications for one import with one expiry; want 2 (the first login and one shared re-login)", auths)
	}
	t.Logf("%d requests rejected with 401 after the expiry, %d authentications in all; %d stored, %d unavailable",
		rejected, auths, o.stored, o.unavailable)
}
