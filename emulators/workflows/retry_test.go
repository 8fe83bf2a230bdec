package workflows_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/emulators/workflows"
)

func secs(fs ...float64) []time.Duration {
	var out []time.Duration
	for _, f := range fs {
		out = append(out, time.Duration(f*float64(time.Second)))
	}
	return out
}

const retryWorkflow = `
main:
  params: [a]
  steps:
    - call_it:
        try:
          call: http.request
          args: {method: '${a.method}', url: '${a.url}'}
          result: r
        retry: RETRY
    - ret: {return: '${r.body}'}
`

func TestRetry(t *testing.T) {
	e := startEmu(t, nil)
	b := newBackend(t)
	closed := closedURL(t)
	custom := `
          predicate: ${http.default_retry_predicate}
          max_retries: 3
          backoff: {initial_delay: 2, max_delay: 5, multiplier: 3}`
	cases := []struct {
		name, policy, method, url string
		wantCalls                 int
		wantTag                   string // empty: SUCCEEDED
		wantSleeps                []time.Duration
	}{
		{"default retries 503", "${http.default_retry}", "GET", "/flaky?id=a&fail=2&code=503", 3, "", secs(1, 1.25)},
		{"default retries 429", "${http.default_retry}", "GET", "/flaky?id=b&fail=1&code=429", 2, "", secs(1)},
		{"default retries 504", "${http.default_retry}", "GET", "/flaky?id=c&fail=1&code=504", 2, "", secs(1)},
		{"default does not retry 500", "${http.default_retry}", "GET", "/flaky?id=d&fail=1&code=500", 1, "HttpError", nil},
		{"non-idempotent does not retry 502", "${http.default_retry_non_idempotent}", "POST", "/flaky?id=e&fail=1&code=502", 1, "HttpError", nil},
		{"non-idempotent does not retry 500", "${http.default_retry_non_idempotent}", "POST", "/flaky?id=f&fail=1&code=500", 1, "HttpError", nil},
		{"non-idempotent retries 429", "${http.default_retry_non_idempotent}", "POST", "/flaky?id=g&fail=1&code=429", 2, "", secs(1)},
		{"custom backoff exhausted", custom, "GET", "/flaky?id=h&fail=10&code=502", 4, "HttpError", secs(2, 5, 5)},
		{"default retries connection failures five times", "${http.default_retry}", "GET", "closed", 0, "ConnectionFailedError",
			secs(1, 1.25, 1.5625, 1.953125, 2.44140625)},
		{"non-idempotent retries connection failed", "${http.default_retry_non_idempotent}", "POST", "closed", 0, "ConnectionFailedError",
			secs(1, 1.25, 1.5625, 1.953125, 2.44140625)},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := b.URL + tc.url
			if tc.url == "closed" {
				url = closed
			}
			src := strings.Replace(retryWorkflow, "RETRY", tc.policy, 1)
			e.sleeps.take()
			ex := e.run(t, "retry"+string(rune('a'+i)), src, map[string]any{"method": tc.method, "url": url})
			if tc.wantTag == "" && ex.State != executionspb.Execution_SUCCEEDED {
				t.Fatalf("state %s: %s", ex.State, ex.GetError().GetPayload())
			}
			if tc.wantTag != "" {
				if tags := errorTags(t, ex); len(tags) != 1 || tags[0] != tc.wantTag {
					t.Fatalf("tags %v, want %s", tags, tc.wantTag)
				}
			}
			if tc.url != "closed" {
				id := strings.SplitN(strings.SplitN(tc.url, "id=", 2)[1], "&", 2)[0]
				if got := b.count(id); got != tc.wantCalls {
					t.Errorf("calls = %d, want %d", got, tc.wantCalls)
				}
			}
			if diff := cmp.Diff(tc.wantSleeps, e.sleeps.take()); diff != "" {
				t.Errorf("backoff sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryCustomPredicateAndExcept(t *testing.T) {
	e := startEmu(t, nil)
	b := newBackend(t)
	ex := e.run(t, "custom_predicate", `
main:
  params: [a]
  steps:
    - first:
        try:
          call: http.get
          args: {url: '${a.base + "/flaky?id=teapot&fail=2&code=418"}'}
          result: r
        retry:
          predicate: ${only_teapots}
          max_retries: 4
          backoff: {initial_delay: 0.5, max_delay: 10, multiplier: 2}
    - second:
        try:
          call: http.get
          args: {url: '${a.base + "/status/503"}'}
        retry:
          predicate: ${only_teapots}
          max_retries: 4
          backoff: {initial_delay: 1, max_delay: 10, multiplier: 2}
        except:
          as: e
          steps:
            - ret: {return: {first: '${r.body}', second: '${e.code}'}}
only_teapots:
  params: [e]
  steps:
    - check:
        switch:
          - condition: '${"HttpError" in e.tags and e.code == 418}'
            return: true
    - no: {return: false}
`, map[string]any{"base": b.URL})
	if ex.State != executionspb.Execution_SUCCEEDED {
		t.Fatalf("state %s: %s", ex.State, ex.GetError().GetPayload())
	}
	if diff := cmp.Diff(decode(t, `{"first": "ok after 3", "second": 503}`), decode(t, ex.Result)); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(secs(0.5, 1), e.sleeps.take()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

// TestTimeScale checks that a scaled clock shortens sys.sleep while sys.now still advances by
// the documented number of seconds.
func TestTimeScale(t *testing.T) {
	dir := t.TempDir()
	srv, err := workflows.Start(workflows.Options{Dir: dir, Project: project, Location: location, TimeScale: 0.001,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e := &emu{srv: srv, dir: dir}
	e.client = newClient(t, srv.Addr())
	began := time.Now()
	ex := e.run(t, "scaled", `
main:
  steps:
    - t0: {assign: [{t0: '${sys.now()}'}]}
    - nap: {call: sys.sleep, args: {seconds: 30}}
    - ret: {return: '${sys.now() - t0}'}
`, nil)
	if ex.State != executionspb.Execution_SUCCEEDED {
		t.Fatalf("state %s: %s", ex.State, ex.GetError().GetPayload())
	}
	elapsed := decode(t, ex.Result).(float64)
	if elapsed < 30 || elapsed > 60 {
		t.Errorf("workflow saw %.2f s pass, want about 30", elapsed)
	}
	if real := time.Since(began); real > 5*time.Second {
		t.Errorf("30 scaled seconds took %v of real time", real)
	}

	// Retry backoffs go through the same clock: two 503s under ${http.default_retry} wait
	// 1 s + 1.25 s of workflow time, i.e. at least 2.25 ms of real time at scale 0.001.
	b := newBackend(t)
	began = time.Now()
	ex = e.run(t, "scaled_retry", strings.Replace(retryWorkflow, "RETRY", "${http.default_retry}", 1),
		map[string]any{"method": "GET", "url": b.URL + "/flaky?id=s&fail=2&code=503"})
	if ex.State != executionspb.Execution_SUCCEEDED || b.count("s") != 3 {
		t.Fatalf("state %s after %d calls", ex.State, b.count("s"))
	}
	if real := time.Since(began); real < 2250*time.Microsecond {
		t.Errorf("two backoffs (2.25 s scaled by 0.001) took only %v", real)
	}
}
