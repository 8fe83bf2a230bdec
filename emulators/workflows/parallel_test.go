package workflows_test

import (
	"strings"
	"testing"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"github.com/google/go-cmp/cmp"
)

func TestParallel(t *testing.T) {
	e := startEmu(t, nil)
	b := newBackend(t)
	cases := []struct{ name, src, want string }{
		{"branches with shared variables", `
main:
  steps:
    - init: {assign: [{a: 0}, {b: 0}, {readonly: 5}]}
    - both:
        parallel:
          shared: [a, b]
          branches:
            - left:
                steps:
                  - l: {assign: [{a: '${readonly + 1}'}, {local_only: 1}, {later: 1}]}
            - right:
                steps:
                  - r: {assign: [{b: 2}]}
    - after: {assign: [{later: 2}]}
    - ret: {return: ['${a}', '${b}', '${later}']}`, `[6, 2, 2]`},
		{"parallel for accumulates into a shared map", `
main:
  steps:
    - init: {assign: [{results: {}}, {total: 0}]}
    - fan:
        parallel:
          shared: [results]
          for:
            value: n
            index: i
            in: [10, 20, 30]
            steps:
              - save: {assign: [{'results[string(i)]': '${n * 2}'}]}
    - ret: {return: '${results}'}`, `{"0": 20, "1": 40, "2": 60}`},
		{"unhandled branch error after all branches finish", `
main:
  steps:
    - init: {assign: [{done: false}]}
    - t:
        try:
          parallel:
            shared: [done]
            exception_policy: continueAll
            branches:
              - failing:
                  steps:
                    - boom: {raise: {code: 7, message: "branch failed"}}
              - working:
                  steps:
                    - nap: {call: sys.sleep, args: {seconds: 1}}
                    - mark: {assign: [{done: true}]}
        except:
          as: e
          steps:
            - ret: {return: {tags: '${e.tags}', done: '${done}', branches: '${len(e.branches)}', id: '${e.branches[0].id}'}}`,
			`{"tags": ["UnhandledBranchError"], "done": true, "branches": 1, "id": "failing"}`},
		{"continue in parallel for and range", `
main:
  steps:
    - init: {assign: [{seen: []}]}
    - fan:
        parallel:
          shared: [seen]
          concurrency_limit: 1
          for:
            value: n
            range: [1, 4]
            steps:
              - odd:
                  switch:
                    - condition: ${n % 2 == 1}
                      next: continue
              - keep: {assign: [{seen: '${list.concat(seen, n)}'}]}
    - ret: {return: '${seen}'}`, `[2, 4]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := e.run(t, "par", tc.src, nil)
			if ex.State != executionspb.Execution_SUCCEEDED {
				t.Fatalf("state %s: %s", ex.State, ex.GetError().GetPayload())
			}
			if diff := cmp.Diff(decode(t, tc.want), decode(t, ex.Result)); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("nesting through a subworkflow raises ParallelNestingError", func(t *testing.T) {
		ex := e.run(t, "nest", `
main:
  steps:
    - outer:
        parallel:
          branches:
            - a:
                steps:
                  - inner:
                      parallel:
                        branches:
                          - b:
                              steps:
                                - deeper: {call: third}
third:
  steps:
    - p:
        parallel:
          branches:
            - c: {steps: [{s: {assign: [{x: 1}]}}]}`, nil)
		tags := errorTags(t, ex)
		if len(tags) != 1 || tags[0] != "UnhandledBranchError" || !strings.Contains(ex.GetError().GetPayload(), "ParallelNestingError") {
			t.Errorf("error %s, want UnhandledBranchError wrapping ParallelNestingError", ex.GetError().GetPayload())
		}
	})

	t.Run("concurrency_limit bounds in-flight requests", func(t *testing.T) {
		for _, limit := range []int{1, 3} {
			b.peak.Store(0)
			ex := e.run(t, "limited", `
main:
  params: [a]
  steps:
    - init: {assign: [{n: 0}]}
    - fan:
        parallel:
          shared: [n]
          concurrency_limit: ${a.limit}
          for:
            value: i
            range: [1, 9]
            steps:
              - hit: {call: http.get, args: {url: '${a.url}'}}
              - count: {assign: [{n: '${n + 1}'}]}
    - ret: {return: '${n}'}`, map[string]any{"url": b.URL + "/inflight", "limit": limit})
			if ex.State != executionspb.Execution_SUCCEEDED || ex.Result != "9" {
				t.Fatalf("state %s result %s: %s", ex.State, ex.Result, ex.GetError().GetPayload())
			}
			if peak := int(b.peak.Load()); peak < 1 || peak > limit {
				t.Errorf("limit %d: peak in-flight requests = %d", limit, peak)
			}
		}
	})
}
