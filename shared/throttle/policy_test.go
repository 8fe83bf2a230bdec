package throttle_test

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
)

func limited(after time.Duration) error {
	return &hoadon.Error{Code: hoadon.CodeRateLimited, Message: "429", RetryAfter: after}
}

// Ensure the wait after a 429 is the portal's Retry-After when it exceeds
// the backoff, never more than ten minutes, and that a firewall block and
// the attempt limits follow the policy.
func TestNextHonoursRetryAfterWithinTheCap(t *testing.T) {
	cfg := throttle.DefaultConfig()
	for _, c := range []struct {
		name  string
		err   error
		tries throttle.Tries
		wait  time.Duration
		again bool
	}{
		{"short Retry-After: backoff", limited(0), throttle.Tries{}, time.Second, true},
		{"Retry-After above backoff", limited(45 * time.Second), throttle.Tries{}, 45 * time.Second, true},
		{"an hour asked, ten minutes waited", limited(time.Hour), throttle.Tries{}, hoadon.MaxRetryAfter, true},
		{"backoff grows", limited(0), throttle.Tries{Limited: 3}, 8 * time.Second, true},
		{"last throttled attempt", limited(0), throttle.Tries{Limited: cfg.RateLimitAttempts - 1}, cfg.MaxDelay, false},
		{"firewall block", hoadon.Errorf(hoadon.CodeBlocked, "blocked"), throttle.Tries{}, cfg.BlockedWait, true},
		{"wrong password: never", hoadon.Errorf(hoadon.CodeBadCredentials, "no"), throttle.Tries{}, 0, false},
	} {
		tries := c.tries
		wait, again := cfg.Next(c.err, &tries)
		if wait != c.wait || again != c.again {
			t.Errorf("%s: wait %v again %v, want %v %v", c.name, wait, again, c.wait, c.again)
		}
	}
	tries := throttle.Tries{}
	for range cfg.Attempts - 1 {
		wait, again := cfg.Next(hoadon.Errorf(hoadon.CodeTransient, "503"), &tries)
		if d := cfg.Backoff(tries.Failed); !again || wait < d/2 || wait > d {
			t.Fatalf("transient try %d: wait %v again %v, want within [%v, %v] and again", tries.Failed, wait, again, d/2, d)
		}
	}
	if _, again := cfg.Next(hoadon.Errorf(hoadon.CodeTransient, "503"), &tries); again {
		t.Errorf("transient failure retried past %d attempts", cfg.Attempts)
	}
}

// rateOf reads rates/{mst} as the pipeline stored it.
func rateOf(t *testing.T, st *store.Store, mst string) float64 {
	t.Helper()
	r, _, err := st.UpdateRate(context.Background(), mst, func(*store.RateState) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	return r.Rate
}

// Ensure a storm of 429s on discovery's list pages — the way discovery
// meets them, through Retry, before any download queue exists — lowers the
// company's stored rate and creates its queue at that rate, holds this
// process's other calls for the Retry-After, and that the pages which then
// succeed raise the rate again.
func TestStormDuringDiscoveryLowersAndRecovers(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	const fresh = "0312345678" // no queue yet: nothing was enqueued for it
	var tries throttle.Tries
	for range 6 { // six pages answered 429 with Retry-After 1 s, waited out in turn
		wait, again, err := f.ctl.Retry(ctx, fresh, limited(time.Second), &tries)
		if err != nil || !again {
			t.Fatalf("retry: %v again %v", err, again)
		}
		before := f.clock.Slept()
		if err := f.ctl.Wait(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if held := f.clock.Slept() - before; held != wait {
			t.Fatalf("held %v after a 429, want the planned %v", held, wait)
		}
	}
	// The 429s come at 0, 1, 3, 7, 15 and 31 s (after waits of 1, 2, 4, 8,
	// 16 s): the one at 1 s falls in the 2 s debounce of the first, so the
	// rate halves five times: 4 / 32.
	st := store.New(f.fs)
	low := rateOf(t, st, fresh)
	_, qrate := stateOf(t, f, fresh)
	if low != 0.125 || qrate != low {
		t.Fatalf("after the storm: stored rate %v, queue rate %v; want both 0.125", low, qrate)
	}
	for range 8 { // the pages that follow succeed: two raises of RaiseEvery (4)
		if err := f.ctl.Record(ctx, fresh, nil); err != nil {
			t.Fatal(err)
		}
	}
	if r := rateOf(t, st, fresh); r != low+1 {
		t.Errorf("after 8 successes: rate %v, want %v", r, low+1)
	}
	if _, qrate := stateOf(t, f, fresh); qrate != low+1 {
		t.Errorf("queue rate %v after recovery, want %v", qrate, low+1)
	}
}

func stateOf(t *testing.T, f *fixture, mst string) (cloudtaskspb.Queue_State, float64) {
	t.Helper()
	st, r, err := f.q.State(context.Background(), f.q.CompanyQueue(mst))
	if err != nil {
		t.Fatal(err)
	}
	return st, r
}

// Ensure a local run (hoadon pull) follows the same policy: starts are
// spaced at the account's rate, a 429 halves it and holds every start for
// the Retry-After (capped at ten minutes), and the breaker holds starts for
// the cool-down, then heals.
func TestLocalPacesHoldsAndBreaks(t *testing.T) {
	ctx := context.Background()
	clk := throttle.NewManualClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	cfg := throttle.DefaultConfig()
	cfg.BreakerThreshold = 3
	l := throttle.NewLocal(company, cfg, clk)
	start := func() time.Duration {
		t.Helper()
		before := clk.Slept()
		if err := l.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return clk.Slept() - before
	}
	start()
	if d := start(); d != 250*time.Millisecond {
		t.Fatalf("second start after %v, want 250ms (4/s)", d)
	}
	var tries throttle.Tries
	wait, _, err := l.Retry(ctx, limited(time.Hour), &tries)
	if err != nil || wait != hoadon.MaxRetryAfter {
		t.Fatalf("429 asking an hour: wait %v (%v), want %v", wait, err, hoadon.MaxRetryAfter)
	}
	if d := start(); d != hoadon.MaxRetryAfter {
		t.Fatalf("start after the 429 held %v, want %v", d, hoadon.MaxRetryAfter)
	}
	if cur, low := l.Rates(); cur != 2 || low != 2 {
		t.Fatalf("rates after a 429: %v (lowest %v), want 2", cur, low)
	}
	for range 3 {
		if err := l.Record(ctx, hoadon.Errorf(hoadon.CodeTransient, "503")); err != nil {
			t.Fatal(err)
		}
	}
	if d := start(); d != cfg.Cooldown {
		t.Fatalf("start after the breaker tripped held %v, want the cool-down %v", d, cfg.Cooldown)
	}
	if d := start(); d != 500*time.Millisecond {
		t.Errorf("start after healing held %v, want 500ms (2/s)", d)
	}
}
