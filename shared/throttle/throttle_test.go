package throttle_test

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"cloud.google.com/go/firestore"

	tasksemu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

const company = "0100109106"

type fixture struct {
	ctl   *throttle.Controller
	q     *queue.Queues
	name  string
	clock *throttle.ManualClock
	fs    *firestore.Client
}

func newFixture(t *testing.T) *fixture {
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
	tc := throttle.DefaultConfig()
	tc.BreakerThreshold, tc.RaiseEvery = 3, 4
	cfg := queue.DefaultConfig()
	cfg.Project, cfg.Location, cfg.InitialRate = "p", "l", tc.InitialRate
	q := queue.New(c, cfg)
	name, err := q.EnsureCompanyQueue(context.Background(), company)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{q: q, name: name, clock: throttle.NewManualClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))}
	f.fs = firestoretest.Client(t)
	f.ctl = throttle.New(q, store.New(f.fs), tc)
	f.ctl.SetClock(f.clock)
	return f
}

func (f *fixture) rate(t *testing.T) (cloudtaskspb.Queue_State, float64) {
	t.Helper()
	st, r, err := f.q.State(context.Background(), f.name)
	if err != nil {
		t.Fatal(err)
	}
	return st, r
}

func TestHalvesOncePerBurstAndRecovers(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	for i := 0; i < 3; i++ { // a burst of 429s from concurrent downloads
		if err := f.ctl.Throttled(ctx, company, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, r := f.rate(t); r != 2 {
		t.Fatalf("after one burst: rate %v, want 2 (4 halved once)", r)
	}
	f.clock.Advance(3 * time.Second)
	f.ctl.Throttled(ctx, company, 0)
	if _, r := f.rate(t); r != 1 {
		t.Fatalf("after a second burst: rate %v, want 1", r)
	}
	for i := 0; i < 8; i++ { // two runs of RaiseEvery successes
		if err := f.ctl.Succeeded(ctx, company); err != nil {
			t.Fatal(err)
		}
	}
	if _, r := f.rate(t); r != 2 {
		t.Errorf("after 8 successes: rate %v, want 2 (1 + 2 × 0.5)", r)
	}
}

func TestBreakerPausesThenHeals(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	f.ctl.Failed(ctx, company)
	f.ctl.Failed(ctx, company)
	f.ctl.Succeeded(ctx, company) // a success resets the count
	f.ctl.Failed(ctx, company)
	f.ctl.Failed(ctx, company)
	if st, _ := f.rate(t); st != cloudtaskspb.Queue_RUNNING {
		t.Fatalf("paused after 2 consecutive failures: %v", st)
	}
	f.ctl.Failed(ctx, company)
	if st, _ := f.rate(t); st != cloudtaskspb.Queue_PAUSED {
		t.Fatalf("not paused after 3 consecutive failures: %v", st)
	}
	if resumed, err := f.ctl.Heal(ctx, company); err != nil || resumed {
		t.Fatalf("healed during the cool-down: %v %v", resumed, err)
	}
	f.clock.Advance(3 * time.Minute)
	if resumed, err := f.ctl.Heal(ctx, company); err != nil || !resumed {
		t.Fatalf("not healed after the cool-down: %v %v", resumed, err)
	}
	if st, _ := f.rate(t); st != cloudtaskspb.Queue_RUNNING {
		t.Errorf("state after heal: %v", st)
	}
}

// Ensure a long Retry-After pauses the company queue until it has passed
// (an hour asked, the ten-minute cap kept) and a short one does not.
func TestLongRetryAfterPausesUntilItPasses(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	if err := f.ctl.Throttled(ctx, company, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.rate(t); st != cloudtaskspb.Queue_RUNNING {
		t.Fatalf("paused for a 30 s Retry-After: %v", st)
	}
	if err := f.ctl.Throttled(ctx, company, time.Hour); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.rate(t); st != cloudtaskspb.Queue_PAUSED {
		t.Fatalf("not paused for an hour's Retry-After: %v", st)
	}
	f.clock.Advance(hoadon.MaxRetryAfter - time.Second)
	if resumed, err := f.ctl.Heal(ctx, company); err != nil || resumed {
		t.Fatalf("resumed before the Retry-After passed: %v %v", resumed, err)
	}
	f.clock.Advance(time.Second)
	if resumed, err := f.ctl.Heal(ctx, company); err != nil || !resumed {
		t.Fatalf("not resumed after the capped ten minutes: %v %v", resumed, err)
	}
}
