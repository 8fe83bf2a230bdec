package gdt

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// admit applies the account's limits to one data request: an injected 429
// episode, the token bucket, then the concurrency cap. On success the
// caller must call release when the response is done.
func (s *Simulator) admit(acc *account) (release func(), retry time.Duration, ok bool) {
	now := time.Now()
	f := s.faults()
	lim := s.opts.Limits
	acc.mu.Lock()
	defer acc.mu.Unlock()
	if now.Before(acc.blocked) {
		return nil, acc.blocked.Sub(now), false
	}
	if f.RateLimitShare > 0 && rand.Float64() < f.RateLimitShare {
		acc.blocked = now.Add(f.RateLimitFor)
		return nil, max(f.RateLimitFor, time.Second), false
	}
	if lim.RatePerSecond > 0 {
		burst := float64(lim.Burst)
		if burst < 1 {
			burst = math.Max(1, math.Ceil(lim.RatePerSecond))
		}
		if acc.refilled.IsZero() {
			acc.tokens = burst
		} else {
			acc.tokens = math.Min(burst, acc.tokens+now.Sub(acc.refilled).Seconds()*lim.RatePerSecond)
		}
		acc.refilled = now
		if acc.tokens < 1 {
			return nil, time.Duration((1 - acc.tokens) / lim.RatePerSecond * float64(time.Second)), false
		}
		acc.tokens--
	}
	if lim.MaxConcurrent > 0 && acc.inflight >= lim.MaxConcurrent {
		return nil, lim.ConcurrencyRetryAfter, false
	}
	acc.inflight++
	return func() {
		acc.mu.Lock()
		acc.inflight--
		acc.mu.Unlock()
	}, 0, true
}

// tooMany answers 429 with Retry-After in whole seconds (at least 1).
func (s *Simulator) tooMany(w http.ResponseWriter, r *http.Request, path string, retry time.Duration) {
	secs := int(math.Ceil(retry.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	s.springFail(w, r, http.StatusTooManyRequests, path, "Too Many Requests")
}

// InFlight reports how many data requests of an account are being served,
// so tests can wait for a request to be in progress without sleeping.
func (s *Simulator) InFlight(mst string) int {
	acc := s.accounts[mst]
	if acc == nil {
		return 0
	}
	acc.mu.Lock()
	defer acc.mu.Unlock()
	return acc.inflight
}

// sleep waits d or until the request is cancelled.
func sleep(r *http.Request, l Latency) {
	d := l.Min
	if l.Max > l.Min {
		d += time.Duration(rand.Int64N(int64(l.Max - l.Min + 1)))
	}
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
