package cloudtasks

import (
	"testing"
	"time"
)

func TestBackoffFollowsDocumentedExample(t *testing.T) {
	// RetryConfig docs: min 10s, max 300s, 3 doublings → 10, 20, 40, 80, 160, 240, 300, 300 s.
	p := retryPolicy{minBackoff: 10 * time.Second, maxBackoff: 300 * time.Second, maxDoublings: 3}
	want := []time.Duration{10, 20, 40, 80, 160, 240, 300, 300}
	for i, w := range want {
		if got := p.backoff(int32(i + 1)); got != w*time.Second {
			t.Errorf("retry %d: %v, want %v", i+1, got, w*time.Second)
		}
	}
	// Defaults (0.1s, 3600s, 16 doublings) must not overflow for huge retry numbers.
	d := retryPolicy{minBackoff: 100 * time.Millisecond, maxBackoff: time.Hour, maxDoublings: 16}
	if got := d.backoff(1 << 30); got != time.Hour {
		t.Errorf("retry 2^30 with defaults: %v, want the 1h cap", got)
	}
	if got := (retryPolicy{minBackoff: time.Second, maxBackoff: 5 * time.Second}).backoff(3); got != 3*time.Second {
		t.Errorf("0 doublings retry 3: %v, want linear 3s", got)
	}
}

func TestExhaustedNeedsBothLimits(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name     string
		p        retryPolicy
		attempts int32
		elapsed  time.Duration
		want     bool
	}{
		{"attempts only, below", retryPolicy{maxAttempts: 3}, 2, time.Hour, false},
		{"attempts only, reached", retryPolicy{maxAttempts: 3}, 3, 0, true},
		{"both, attempts reached, duration not", retryPolicy{maxAttempts: 3, maxRetryDur: time.Minute}, 5, time.Second, false},
		{"both, duration reached, attempts not", retryPolicy{maxAttempts: 3, maxRetryDur: time.Minute}, 2, time.Hour, false},
		{"both reached", retryPolicy{maxAttempts: 3, maxRetryDur: time.Minute}, 3, time.Minute, true},
		{"unlimited attempts, duration reached", retryPolicy{maxAttempts: -1, maxRetryDur: time.Minute}, 1000, time.Minute, true},
		{"unlimited both", retryPolicy{maxAttempts: -1}, 1 << 20, 30 * 24 * time.Hour, false},
		{"unlimited both past retention", retryPolicy{maxAttempts: -1}, 5, 32 * 24 * time.Hour, true},
	} {
		if got := tc.p.exhausted(tc.attempts, t0, t0, t0.Add(tc.elapsed)); got != tc.want {
			t.Errorf("%s: exhausted = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBucketRefillAndReconfigure(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := newBucket(10, 2, t0)
	taken := 0
	for range 5 {
		if b.take(t0) {
			taken++
		}
	}
	if taken != 2 {
		t.Fatalf("full bucket of 2 allowed %d immediate dispatches, want 2", taken)
	}
	if w := b.wait(); w != 100*time.Millisecond {
		t.Errorf("wait = %v, want 100ms at 10/s", w)
	}
	if !b.take(t0.Add(100 * time.Millisecond)) {
		t.Error("token not refilled after 100ms")
	}
	b.reconfigure(100, 100, t0.Add(100*time.Millisecond))
	if w := b.wait(); w != 10*time.Millisecond {
		t.Errorf("after reconfigure wait = %v, want 10ms at 100/s", w)
	}
	if got := burstFor(500); got != 100 {
		t.Errorf("burstFor(500) = %d, want 100", got)
	}
	if got := burstFor(0.5); got != 1 {
		t.Errorf("burstFor(0.5) = %d, want 1", got)
	}
}
