package cloudtasks_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// steadyRate is the dispatch rate over arrivals: the least-squares slope of arrival number
// against time, which a single late arrival at either end cannot skew much (the test machine
// is shared and often loaded).
func steadyRate(as []arrival) float64 {
	if len(as) < 2 {
		return 0
	}
	var mt, mi float64
	for i, a := range as {
		mt += a.at.Sub(as[0].at).Seconds()
		mi += float64(i)
	}
	n := float64(len(as))
	mt, mi = mt/n, mi/n
	var cov, vt float64
	for i, a := range as {
		dt := a.at.Sub(as[0].at).Seconds() - mt
		cov += dt * (float64(i) - mi)
		vt += dt * dt
	}
	return cov / vt
}

func TestConcurrencyCapMeasured(t *testing.T) {
	// Not parallel: timing measurements run alone (they still share the machine).
	const limit, n = 3, 30
	tg := newTarget(t, func(int, http.ResponseWriter, *http.Request) { time.Sleep(40 * time.Millisecond) })
	_, c := startEmu(t, emu.Options{})
	q := createQueue(t, c, "conc", &cloudtaskspb.RateLimits{MaxConcurrentDispatches: limit}, nil)
	pause(t, c, q)
	enqueue(t, c, q, tg.srv.URL, n)
	resume(t, c, q)
	waitFor(t, 10*time.Second, "all tasks", func() bool { return tg.count() == n })
	if peak := tg.peak(); peak != limit {
		t.Fatalf("peak concurrency %d, want exactly max_concurrent_dispatches=%d", peak, limit)
	}
	t.Logf("max_concurrent_dispatches=%d: measured peak %d over %d tasks of 40ms", limit, tg.peak(), n)
}

func TestRateLimitMeasured(t *testing.T) {
	// Not parallel: timing measurements run alone (they still share the machine).
	const rate, burst, n = 20.0, 20, 80 // 20 at once from the full bucket, then 60 over 3 s
	tg := newTarget(t, nil)
	_, c := startEmu(t, emu.Options{})
	q := createQueue(t, c, "rate", &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: rate}, nil)
	pause(t, c, q)
	enqueue(t, c, q, tg.srv.URL, n)
	start := time.Now()
	resume(t, c, q)
	waitFor(t, 10*time.Second, "all tasks", func() bool { return tg.count() == n })
	as := tg.all()
	got := steadyRate(as[burst:])
	if got < rate*0.9 || got > rate*1.1 {
		t.Errorf("steady rate %.2f/s, want %.0f/s ±10%%", got, rate)
	}
	// Token-bucket bound at every arrival: at most burst + rate*elapsed (+1 for rounding).
	for i, a := range as {
		if allowed := burst + rate*a.at.Sub(start).Seconds() + 1; float64(i+1) > allowed {
			t.Fatalf("arrival %d at %v exceeds the bucket bound %.1f", i+1, a.at.Sub(start), allowed)
		}
	}
	t.Logf("rate %.0f/s burst %d: %d tasks, burst of %d then measured %.2f/s over %v",
		rate, burst, n, burst, got, as[n-1].at.Sub(as[burst].at))
}

func TestUpdateQueueChangesRateOfRunningQueue(t *testing.T) {
	// Not parallel: timing measurements run alone (they still share the machine).
	const before, after, n = 20.0, 60.0, 140
	tg := newTarget(t, nil)
	_, c := startEmu(t, emu.Options{})
	q := createQueue(t, c, "retune", &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: before}, nil)
	pause(t, c, q)
	enqueue(t, c, q, tg.srv.URL, n)
	resume(t, c, q)
	// Burst of 20, then ~1.5 s at 20/s.
	waitFor(t, 10*time.Second, "50 dispatches", func() bool { return tg.count() >= 50 })
	changing := time.Now()
	_, err := c.UpdateQueue(context.Background(), &cloudtaskspb.UpdateQueueRequest{
		Queue:      &cloudtaskspb.Queue{Name: q, RateLimits: &cloudtaskspb.RateLimits{MaxDispatchesPerSecond: after}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"rate_limits.max_dispatches_per_second"}},
	})
	if err != nil {
		t.Fatalf("UpdateQueue: %v", err)
	}
	changed := time.Now()
	waitFor(t, 10*time.Second, "all tasks", func() bool { return tg.count() == n })
	var slow, fast []arrival
	for i, a := range tg.all() {
		switch {
		case i >= 20 && a.at.Before(changing):
			slow = append(slow, a)
		case a.at.After(changed):
			fast = append(fast, a)
		}
	}
	rs, rf := steadyRate(slow), steadyRate(fast)
	if rs < before*0.9 || rs > before*1.1 || rf < after*0.9 || rf > after*1.1 {
		t.Errorf("rates %.2f/s then %.2f/s, want %.0f then %.0f ±10%%", rs, rf, before, after)
	}
	t.Logf("UpdateQueue while running: %.2f/s (%d tasks) then %.2f/s (%d tasks)", rs, len(slow), rf, len(fast))
}

func TestRetryBackoffMeasured(t *testing.T) {
	// Not parallel: timing measurements run alone (they still share the machine).
	tg := newTarget(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	_, c := startEmu(t, emu.Options{})
	stalls := watchStalls(t)
	// min 100ms, max 900ms, 1 doubling: 100, 200, then linear +200: 400, 600, 800, 900.
	// (Doubling throughout would give 800 at retry 4; no cap would give 1000 at retry 6.)
	q := createQueue(t, c, "backoff", nil, &cloudtaskspb.RetryConfig{
		MaxAttempts: 7, MinBackoff: dur(100 * time.Millisecond), MaxBackoff: dur(900 * time.Millisecond), MaxDoublings: 1})
	const tasks = 3
	for i := range tasks {
		createTask(t, c, q, httpTask(q, "fails-"+strconv.Itoa(i), tg.srv.URL))
	}
	waitFor(t, 10*time.Second, "tasks given up", func() bool {
		return gone(c, q+"/tasks/fails-0") && gone(c, q+"/tasks/fails-1") && gone(c, q+"/tasks/fails-2")
	})
	byTask := map[string][]arrival{}
	for _, a := range tg.all() {
		id := a.hdr.Get("X-Cloudtasks-Taskname")
		byTask[id] = append(byTask[id], a)
	}
	want := []time.Duration{100, 200, 400, 600, 800, 900}
	// Scheduling noise only ever delays an attempt, so every interval must be >= the backoff,
	// and the smallest of the 3 tasks' intervals must be close to it: within 100 ms plus any
	// stall of the whole process observed during that interval (the machine is shared).
	const early, late = 2 * time.Millisecond, 100 * time.Millisecond
	for id, as := range byTask {
		if len(as) != 7 {
			t.Fatalf("task %s: %d attempts, want max_attempts=7", id, len(as))
		}
		for i, a := range as {
			h := a.hdr
			prev, reason := "500", "INTERNAL"
			if i == 0 {
				prev, reason = "", ""
			}
			if h.Get("X-Cloudtasks-Taskretrycount") != strconv.Itoa(i) || h.Get("X-Cloudtasks-Taskexecutioncount") != "0" ||
				h.Get("X-Cloudtasks-Taskpreviousresponse") != prev || h.Get("X-Cloudtasks-Taskretryreason") != reason {
				t.Errorf("task %s attempt %d headers: %v", id, i, h)
			}
		}
	}
	for i, w := range want {
		w *= time.Millisecond
		best, stall := time.Hour, time.Duration(0)
		for id, as := range byTask {
			got := as[i+1].at.Sub(as[i].at)
			if got < w-early {
				t.Errorf("task %s retry %d after %v, before the %v backoff", id, i+1, got, w)
			}
			if got < best {
				best, stall = got, stalls.worst(as[i].at, as[i+1].at)
			}
		}
		if best > w+late+stall {
			t.Errorf("retry %d: fastest of %d tasks after %v, want %v (+%v, +%v process stall)", i+1, tasks, best, w, late, stall)
		}
		t.Logf("retry %d: configured %v, measured %v (fastest of %d tasks)", i+1, w, best.Round(time.Millisecond), tasks)
	}
}

func TestRetryLimits(t *testing.T) {
	t.Parallel()
	_, c := startEmu(t, emu.Options{})
	failFirst := func(k int) *target {
		return newTarget(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < k {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
	}
	t.Run("unlimited attempts", func(t *testing.T) {
		tg := failFirst(12)
		q := createQueue(t, c, "unlimited", nil, fastRetry(-1, 5*time.Millisecond))
		tk := createTask(t, c, q, httpTask(q, "", tg.srv.URL))
		waitFor(t, 10*time.Second, "success", func() bool { return gone(c, tk.GetName()) })
		if tg.count() != 13 {
			t.Errorf("%d attempts, want 13 (12 failures then success)", tg.count())
		}
	})
	t.Run("single attempt", func(t *testing.T) {
		tg := failFirst(100)
		q := createQueue(t, c, "once", nil, fastRetry(1, 5*time.Millisecond))
		tk := createTask(t, c, q, httpTask(q, "", tg.srv.URL))
		waitFor(t, 5*time.Second, "given up", func() bool { return gone(c, tk.GetName()) })
		if tg.count() != 1 {
			t.Errorf("%d attempts, want 1", tg.count())
		}
	})
	t.Run("task retry_config overrides queue", func(t *testing.T) {
		tg := failFirst(100)
		q := createQueue(t, c, "override", nil, fastRetry(50, 5*time.Millisecond))
		tk := httpTask(q, "", tg.srv.URL)
		tk.RetryConfig = &cloudtaskspb.RetryConfig{MaxAttempts: 3}
		got := createTask(t, c, q, tk)
		waitFor(t, 5*time.Second, "given up", func() bool { return gone(c, got.GetName()) })
		if tg.count() != 3 {
			t.Errorf("%d attempts, want the task's max_attempts=3", tg.count())
		}
	})
	t.Run("both attempts and duration must be reached", func(t *testing.T) {
		tg := failFirst(100)
		const limit = 250 * time.Millisecond
		rc := fastRetry(2, 50*time.Millisecond)
		rc.MaxRetryDuration = dur(limit)
		q := createQueue(t, c, "duration", nil, rc)
		tk := createTask(t, c, q, httpTask(q, "", tg.srv.URL))
		waitFor(t, 5*time.Second, "given up", func() bool { return gone(c, tk.GetName()) })
		as := tg.all()
		last, prev := as[len(as)-1].at.Sub(as[0].at), as[len(as)-2].at.Sub(as[0].at)
		if len(as) < 3 || last < limit-20*time.Millisecond || prev > limit+20*time.Millisecond {
			t.Errorf("%d attempts, last at %v, previous at %v; want retries past max_attempts=2 until %v", len(as), last, prev, limit)
		}
	})
}
