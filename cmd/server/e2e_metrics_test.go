package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/metrics"
)

// scraped is one GET /metrics answer: metric family → its series.
type scraped map[string]*dto.MetricFamily

// scrape reads the server's GET /metrics.
func scrape(t *testing.T) scraped {
	t.Helper()
	s, err := getMetrics()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// getMetrics reads GET /metrics, checking it is Prometheus text.
func getMetrics() (scraped, error) {
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		return nil, fmt.Errorf("GET /metrics = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET /metrics is not Prometheus text: %w", err)
	}
	return fams, nil
}

// value sums the series of a family whose labels include every name=value pair given.
func (s scraped) value(family string, labels ...string) float64 {
	f := s[family]
	if f == nil {
		return 0
	}
	sum := 0.0
	for _, m := range f.GetMetric() {
		if hasLabels(m, labels) {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// The Prometheus names of the instruments.
const (
	promImports    = "hoadon_imports_total"
	promInvoices   = "hoadon_invoices_total"
	promPortal     = "hoadon_portal_responses_total"
	promLogins     = "hoadon_portal_logins_total"
	promBacklog    = "hoadon_queue_backlog"
	promDeliveries = "hoadon_event_deliveries_total"
)

// TestMetrics: GET /metrics of the server reflects what happened: an import refused for its
// password and one that stores invoices, meeting a 429 episode on the portal, with the
// webhook subscriber down for a while. Counters are compared with what the import status,
// the simulator and the subscriber's gate counted.
func TestMetrics(t *testing.T) {
	sim := h.Stack.GDT()
	c := sim.Companies()[6] // no session of it exists: the wrong password reaches the portal
	before, simBefore := scrape(t), sim.Stats()

	// Refused password, with the subscriber down: its events' deliveries fail.
	rejected := h.SubscriberRejected()
	h.SetSubscriberDown(true)
	t.Cleanup(func() { h.SetSubscriberDown(false) })
	bad := start(t, c.MST, "not-the-password")
	if st := waitFor(t, bad, time.Minute, final); st["status"] != "failed" {
		t.Fatalf("wrong password: import %v, want failed", st["status"])
	}
	deadline := time.Now().Add(time.Minute)
	for h.SubscriberRejected() == rejected && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	h.SetSubscriberDown(false)

	id := start(t, c.MST, c.Password)
	backlog := watchBacklog(t, c.MST)
	waitFor(t, id, time.Minute, func(st map[string]any) bool { return count(st, "stored") > 0 || final(st) })
	rateLimitOnce(t, sim)
	st := waitFor(t, id, 4*time.Minute, final)
	maxBacklog := backlog()
	if st["status"] != "completed" || count(st, "stored") == 0 {
		t.Fatalf("import %v with counts %v, want completed with invoices stored", st["status"], st["counts"])
	}

	after := settled(t, sim)
	delta := func(family string, labels ...string) int {
		return int(after.value(family, labels...) - before.value(family, labels...))
	}
	for state, want := range map[string]int{"started": 2, "failed": 1, "completed": 1, "cancelled": 0} {
		if got := delta(promImports, "state", state); got != want {
			t.Errorf("imports %s: +%d, want +%d", state, got, want)
		}
	}
	for _, outcome := range []string{"stored", "unavailable", "failed"} {
		if got, want := delta(promInvoices, "outcome", outcome), count(st, outcome); got != want {
			t.Errorf("invoices %s: +%d, the import counted %d", outcome, got, want)
		}
	}
	if got := delta(promLogins, "company", c.MST, "result", "invalid_credentials"); got != 1 {
		t.Errorf("logins of %s refused: +%d, want +1", c.MST, got)
	}
	auths := sim.Stats().Total(authPath) - simBefore.Total(authPath)
	if got := delta(promLogins, "company", c.MST); int64(got) != auths {
		t.Errorf("logins of %s: +%d, the portal answered %d authentications", c.MST, got, auths)
	}
	if got, want := delta(promPortal, "class", "429"), classCount(sim.Stats(), "429")-classCount(simBefore, "429"); got == 0 || int64(got) != want {
		t.Errorf("portal answers 429: +%d, the simulator sent %d (want equal and > 0)", got, want)
	}
	if got := delta(promDeliveries, "result", "failed"); got == 0 {
		t.Error("no failed event delivery counted while the subscriber was down")
	}
	if maxBacklog == 0 || after.value(promBacklog, "company", c.MST) != 0 {
		t.Errorf("backlog of %s: highest %v during the import, %v after; want > 0, then 0", c.MST, maxBacklog, after.value(promBacklog, "company", c.MST))
	}
	t.Logf("import: %v; portal answers by class: %v; deliveries +%d delivered +%d failed; backlog peaked at %v",
		st["counts"], classDeltas(after, before), delta(promDeliveries, "result", "delivered"), delta(promDeliveries, "result", "failed"), maxBacklog)
}

// rateLimitOnce makes the portal start a 429 episode at the next data request, and
// restores its faults once it has answered one.
func rateLimitOnce(t *testing.T, sim *gdtsim.Server) {
	t.Helper()
	faults := sim.Faults()
	defer sim.SetFaults(faults)
	always := faults
	always.RateLimitShare = 1
	n := classCount(sim.Stats(), "429")
	sim.SetFaults(always)
	deadline := time.Now().Add(time.Minute)
	for classCount(sim.Stats(), "429") == n {
		if time.Now().After(deadline) {
			t.Fatal("the portal answered no 429 within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled scrapes until the counters agree with what the simulator answered and the
// subscriber's gate saw: every answer and every delivery attempt counted once, whichever
// test caused it (the deliveries of earlier events may still be retried).
func settled(t *testing.T, sim *gdtsim.Server) scraped {
	t.Helper()
	var s scraped
	var diff string
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		s, diff = scrape(t), ""
		stats := sim.Stats()
		for _, class := range classes {
			if got, want := int64(s.value(promPortal, "class", class)), classCount(stats, class); got != want {
				diff += fmt.Sprintf("portal %s: counted %d, simulator %d; ", class, got, want)
			}
		}
		if got, want := int64(s.value(promDeliveries, "result", "delivered")), h.SubscriberAccepted(); got != want {
			diff += fmt.Sprintf("deliveries: counted %d delivered, subscriber accepted %d; ", got, want)
		}
		if got, want := int64(s.value(promDeliveries, "result", "failed")), h.SubscriberRejected(); got != want {
			diff += fmt.Sprintf("deliveries: counted %d failed, subscriber refused %d; ", got, want)
		}
		if diff == "" {
			return s
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET /metrics does not agree with what happened: %s", diff)
	return nil
}

// classCount sums the simulator's answers of one class (status 0: dropped connections).
func classCount(s gdtsim.Stats, class string) int64 {
	var n int64
	for _, byStatus := range s {
		for status, c := range byStatus {
			if metrics.StatusClass(status) == class {
				n += c
			}
		}
	}
	return n
}

var classes = []string{"2xx", "3xx", "401", "403", "429", "4xx", "5xx", "unreachable"}

func classDeltas(after, before scraped) map[string]int {
	out := map[string]int{}
	for _, class := range classes {
		if d := int(after.value(promPortal, "class", class) - before.value(promPortal, "class", class)); d != 0 {
			out[class] = d
		}
	}
	return out
}

// watchBacklog scrapes a company's backlog gauge every 100 ms until the returned function is
// called (or the test ends), which stops it and returns the highest value seen.
func watchBacklog(t *testing.T, mst string) func() float64 {
	highest := 0.0
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if s, err := getMetrics(); err == nil {
				highest = max(highest, s.value(promBacklog, "company", mst))
			}
		}
	}()
	var once sync.Once
	finish := func() float64 {
		once.Do(func() { close(stop); <-done })
		return highest
	}
	t.Cleanup(func() { finish() })
	return finish
}
