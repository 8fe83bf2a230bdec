package gdt

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// stats counts responses per endpoint and status without a global lock.
type stats struct {
	m sync.Map // "endpoint status" → *atomic.Int64
}

func (st *stats) add(endpoint string, status int) {
	k := endpoint + " " + strconv.Itoa(status)
	v, ok := st.m.Load(k)
	if !ok {
		v, _ = st.m.LoadOrStore(k, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

// Stats is a snapshot of request counts: endpoint → status → count.
// Endpoints are named by path without the /api prefix, e.g. "/captcha",
// "/security-taxpayer/authenticate", "/query/invoices/sold"; dropped
// connections count under status 0.
type Stats map[string]map[int]int64

// Count returns the number of responses for an endpoint with a status.
func (s Stats) Count(endpoint string, status int) int64 { return s[endpoint][status] }

// Total returns every response of an endpoint, whatever the status.
func (s Stats) Total(endpoint string) int64 {
	var n int64
	for _, c := range s[endpoint] {
		n += c
	}
	return n
}

// String lists the counts in a stable order, for test failure messages.
func (s Stats) String() string {
	var lines []string
	for ep, m := range s {
		for st, n := range m {
			lines = append(lines, ep+" "+strconv.Itoa(st)+": "+strconv.FormatInt(n, 10))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Stats returns the request counts so far.
func (s *Simulator) Stats() Stats {
	out := Stats{}
	s.stats.m.Range(func(k, v any) bool {
		ep, st, _ := strings.Cut(k.(string), " ")
		code, _ := strconv.Atoi(st)
		if out[ep] == nil {
			out[ep] = map[int]int64{}
		}
		out[ep][code] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// ResetStats zeroes the request counts, e.g. between phases of a test.
func (s *Simulator) ResetStats() {
	s.stats.m.Range(func(k, _ any) bool {
		s.stats.m.Delete(k)
		return true
	})
}
