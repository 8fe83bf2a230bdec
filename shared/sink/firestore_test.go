package sink_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/sink"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Ensure a nonce is new once, a replay until it expires, and new again
// after; the document id is the hash of the key, never the key.
func TestFirestoreReplay(t *testing.T) {
	ctx := context.Background()
	fs := firestoretest.Client(t)
	clk := &clock{now: at}
	r := sink.NewFirestoreReplay(fs, "", clk.Now)
	until := at.Add(7 * time.Minute)

	steps := []struct {
		key     string
		advance time.Duration
		want    bool
	}{
		{"k1 nonce-a", 0, false},
		{"k1 nonce-a", 0, true},
		{"k1 nonce-b", 0, false},
		{"k2 nonce-a", 0, false},
		{"k1 nonce-a", 7 * time.Minute, true}, // expiry is inclusive
		{"k1 nonce-a", time.Second, false},    // expired: accepted and recorded again
		{"k1 nonce-a", 0, true},
	}
	for i, s := range steps {
		clk.Add(s.advance)
		if s.advance > 0 && !s.want {
			until = clk.Now().Add(7 * time.Minute)
		}
		got, err := r.Seen(ctx, s.key, until)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got != s.want {
			t.Fatalf("step %d: Seen(%q) = %v, want %v", i, s.key, got, s.want)
		}
	}
	sum := sha256.Sum256([]byte("k1 nonce-a"))
	snap, err := fs.Collection(sink.ColReplay).Doc(hex.EncodeToString(sum[:])).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := snap.DataAt("expires_at")
	if e, ok := exp.(time.Time); err != nil || !ok || !e.Equal(until) {
		t.Fatalf("expires_at = %v (%v), want %v", exp, err, until)
	}
}

// Ensure racing checks of one nonce let exactly one through.
func TestFirestoreReplayConcurrent(t *testing.T) {
	fs := firestoretest.Client(t)
	r := sink.NewFirestoreReplay(fs, "", nil)
	var fresh, errs atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			seen, err := r.Seen(context.Background(), "k nonce", time.Now().Add(time.Minute))
			switch {
			case err != nil:
				errs.Add(1)
				t.Error(err)
			case !seen:
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	if fresh.Load() != 1 || errs.Load() != 0 {
		t.Fatalf("%d checks passed (%d errors), want exactly 1", fresh.Load(), errs.Load())
	}
}

// Ensure the deduper satisfies events.Deduper and that Once commits the
// marker and the effect together, exactly once under concurrency, and
// neither when the effect fails.
func TestFirestoreDeduper(t *testing.T) {
	ctx := context.Background()
	fs := firestoretest.Client(t)
	d := sink.NewFirestoreDeduper(fs, "dedupe", nil)

	if seen, err := d.Seen(ctx, "e1"); err != nil || seen {
		t.Fatalf("first Seen = %v, %v; want false", seen, err)
	}
	if seen, err := d.Seen(ctx, "e1"); err != nil || !seen {
		t.Fatalf("second Seen = %v, %v; want true", seen, err)
	}
	if _, err := d.Seen(ctx, "a/b"); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Fatalf("Seen(a/b) error %v, want invalid", err)
	}

	counter := fs.Collection("effects").Doc("n")
	effect := func(_ context.Context, tx *firestore.Transaction) error {
		return tx.Set(counter, map[string]any{"n": firestore.Increment(1)}, firestore.MergeAll)
	}
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			dup, err := d.Once(ctx, "e2", map[string]any{"note": "x"}, effect)
			if err != nil {
				t.Error(err)
			} else if !dup {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	snap, err := counter.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := snap.DataAt("n"); n != int64(1) || fresh.Load() != 1 {
		t.Fatalf("effect applied %v times, %d callers saw a new id; want 1 and 1", n, fresh.Load())
	}

	boom := errors.New("boom")
	_, err = d.Once(ctx, "e3", nil, func(context.Context, *firestore.Transaction) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Once with failing effect: %v, want boom", err)
	}
	if seen, err := d.Seen(ctx, "e3"); err != nil || seen {
		t.Fatalf("marker written although the effect failed (Seen = %v, %v)", seen, err)
	}
}

// Ensure Received orders by received time (not id) and filters by import,
// Count agrees, and a bare Seen marker is not reported as a record.
func TestStoreQueries(t *testing.T) {
	ctx := context.Background()
	fs := firestoretest.Client(t)
	clk := &clock{now: at}
	st := sink.NewStore(fs, clk.Now)
	for _, r := range []sink.Received{
		{ID: "c", Type: "t", ImportID: "imp-1"},
		{ID: "a", Type: "t", ImportID: "imp-1"},
		{ID: "b", Type: "t", ImportID: "imp-2"},
		{ID: "d", Type: "t", ImportID: "imp-1"},
	} {
		clk.Add(time.Second)
		if dup, err := st.Record(ctx, r); err != nil || dup {
			t.Fatalf("Record %s = %v, %v", r.ID, dup, err)
		}
	}
	if _, err := st.Deduper().Seen(ctx, "bare"); err != nil {
		t.Fatal(err)
	}
	if dup, err := st.Record(ctx, sink.Received{ID: "a", Type: "t", ImportID: "imp-1"}); err != nil || !dup {
		t.Fatalf("second Record of a = %v, %v; want duplicate", dup, err)
	}

	got, err := st.Received(ctx, "imp-1")
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(got); ids != "c,a,d" {
		t.Errorf("Received(imp-1) = %s, want c,a,d", ids)
	}
	all, err := st.Received(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(all); ids != "c,a,b,d" {
		t.Errorf("Received() = %s, want c,a,b,d", ids)
	}
	for imp, want := range map[string]int64{"imp-1": 3, "imp-2": 1, "": 4, "imp-3": 0} {
		if n := count(t, st, imp); n != want {
			t.Errorf("Count(%q) = %d, want %d", imp, n, want)
		}
	}
	if _, err := st.Record(ctx, sink.Received{ID: "x"}); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("Record without type: %v, want invalid", err)
	}
}

func idsOf(rs []sink.Received) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ","
		}
		s += r.ID
	}
	return s
}
