package cloudtasks

import (
	"math"
	"time"
)

// bucket is the token bucket that enforces max_dispatches_per_second with max_burst_size:
// one token per dispatch, refilled continuously at rate, holding at most burst tokens.
type bucket struct {
	tokens float64
	rate   float64
	burst  float64
	last   time.Time
}

func newBucket(rate float64, burst int32, now time.Time) bucket {
	return bucket{tokens: float64(burst), rate: rate, burst: float64(burst), last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+b.rate*now.Sub(b.last).Seconds())
		b.last = now
	}
}

// take removes one token if available.
func (b *bucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// wait is how long until the next token is available.
func (b *bucket) wait() time.Duration {
	need := 1 - b.tokens
	if need <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(need / b.rate * float64(time.Second)))
}

// reconfigure applies a new rate from now on: tokens earned so far at the old rate are kept
// (up to the new burst), later ones accrue at the new rate.
func (b *bucket) reconfigure(rate float64, burst int32, now time.Time) {
	b.refill(now)
	b.rate, b.burst = rate, float64(burst)
	b.tokens = math.Min(b.tokens, b.burst)
}
