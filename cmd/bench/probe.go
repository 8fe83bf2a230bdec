package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"
)

// samples collects latencies from one probe.
type samples struct {
	mu     sync.Mutex
	d      []time.Duration
	errors int
}

func (s *samples) add(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors++
		return
	}
	s.d = append(s.d, d)
}

// latency summarises samples in milliseconds.
type latency struct {
	N      int     `json:"n"`
	Errors int     `json:"errors"`
	P50    float64 `json:"p50_ms"`
	P99    float64 `json:"p99_ms"`
	Max    float64 `json:"max_ms"`
}

func (s *samples) summary() latency {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := slices.Clone(s.d)
	slices.Sort(d)
	l := latency{N: len(d), Errors: s.errors}
	if len(d) > 0 {
		l.P50, l.P99, l.Max = ms(quantile(d, 0.50)), ms(quantile(d, 0.99)), ms(d[len(d)-1])
	}
	return l
}

// quantile is the nearest-rank quantile of sorted d.
func quantile(d []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(d)))) - 1
	return d[max(0, min(i, len(d)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// tracker follows every import of a scenario through the status probe.
type tracker struct {
	mu    sync.Mutex
	ids   []string
	last  []importStatus
	final int
	done  chan struct{}
}

func newTracker(ids []string) *tracker {
	return &tracker{ids: ids, last: make([]importStatus, len(ids)), done: make(chan struct{})}
}

func (t *tracker) record(i int, st importStatus) {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.last[i].final()
	t.last[i] = st
	if st.final() && !was {
		t.final++
		if t.final == len(t.ids) {
			close(t.done)
		}
	}
}

// stored sums the invoices stored so far, as last seen.
func (t *tracker) stored() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, st := range t.last {
		n += st.Counts["stored"]
	}
	return n
}

// next returns the index of the next import to probe: round robin over the
// ones not yet final.
func (t *tracker) next(after int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := 1; k <= len(t.ids); k++ {
		if i := (after + k) % len(t.ids); !t.last[i].final() {
			return i
		}
	}
	return (after + 1) % len(t.ids)
}

// statusProbe issues GET status every interval, round robin over the running
// imports, until ctx ends; it is also how completion is noticed.
func statusProbe(ctx context.Context, api *apiClient, t *tracker, every time.Duration, out *samples) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	i := -1
	for {
		i = t.next(i)
		st, took, err := api.status(ctx, t.ids[i])
		if ctx.Err() != nil {
			return
		}
		out.add(took, err)
		if err == nil {
			t.record(i, st)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// farFromDone returns an import that is running and has stored less than
// 80 % of expected, so a start probe cannot race its completion (a start
// after completion would begin a new import); ok is false when none is.
func (t *tracker) farFromDone(after, expected int) (int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := 1; k <= len(t.ids); k++ {
		i := (after + k) % len(t.ids)
		if st := t.last[i]; st.Status == "running" && st.Counts["stored"] < expected*8/10 {
			return i, true
		}
	}
	return 0, false
}

// startProbe re-posts the start of a running import every interval: the API
// must find it and return it (200), the idempotent path a retrying client
// takes. A 202 (a new import) counts as an error.
func startProbe(ctx context.Context, api *apiClient, t *tracker, bodies []map[string]any, expected int, every time.Duration, out *samples) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	i := -1
	for {
		if j, ok := t.farFromDone(i, expected); ok {
			i = j
			_, code, took, err := api.start(ctx, bodies[i])
			if ctx.Err() != nil {
				return
			}
			if err == nil && code != http.StatusOK {
				err = fmt.Errorf("start probe: HTTP %d, want 200 (the running import)", code)
			}
			out.add(took, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// firstStored polls one import quickly until it has stored an invoice and
// returns how long after since that took.
func firstStored(ctx context.Context, api *apiClient, id string, since time.Time) time.Duration {
	for {
		st, _, err := api.status(ctx, id)
		if err == nil && (st.Counts["stored"] > 0 || st.final()) {
			return time.Since(since)
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(25 * time.Millisecond):
		}
	}
}
