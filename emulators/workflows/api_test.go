package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestArgumentLimit(t *testing.T) {
	e := startEmu(t, nil)
	e.write(t, "echo", "main:\n  params: [a]\n  steps:\n    - r: {return: '${len(a.s)}'}\n")
	_, err := e.start(t, "echo", map[string]any{"s": strings.Repeat("x", 33*1024)})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "32 KB") {
		t.Fatalf("33 KB argument: %v, want InvalidArgument", err)
	}
	ex, err := e.start(t, "echo", map[string]any{"s": strings.Repeat("x", 30*1024)})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.wait(t, ex.Name); got.Result != "30720" {
		t.Fatalf("30 KB argument: state %s result %s", got.State, got.Result)
	}
	if _, err := e.client.CreateExecution(context.Background(), &executionspb.CreateExecutionRequest{
		Parent: parent("echo"), Execution: &executionspb.Execution{Argument: "{not json"}}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad JSON argument: %v", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	e := startEmu(t, nil)
	ex := e.run(t, "grow", `
main:
  steps:
    - init: {assign: [{s: "0123456789abcdef"}, {n: 0}]}
    - double: {assign: [{s: '${s + s}'}, {n: '${n + 1}'}]}
    - again:
        switch:
          - condition: ${n < 30}
            next: double
    - ret: {return: '${len(s)}'}
`, nil)
	tags := errorTags(t, ex)
	if len(tags) != 1 || tags[0] != "ResourceLimitError" || !strings.Contains(ex.GetError().GetPayload(), "Memory usage limit exceeded") {
		t.Fatalf("error %s, want ResourceLimitError: Memory usage limit exceeded", ex.GetError().GetPayload())
	}
	if !strings.Contains(ex.GetError().GetContext(), `in step "double", routine "main"`) {
		t.Errorf("context %q does not name the step", ex.GetError().GetContext())
	}
	// Memory is released when a scope ends: a loop building 100 KB per iteration stays below.
	ex = e.run(t, "loops", `
main:
  steps:
    - loop:
        for:
          value: i
          range: [1, 20]
          steps:
            - big: {assign: [{blob: "x"}]}
            - grow:
                for:
                  value: j
                  range: [1, 16]
                  steps:
                    - d: {assign: [{blob: '${blob + blob}'}]}
    - ret: {return: "ok"}
`, nil)
	if ex.State != executionspb.Execution_SUCCEEDED {
		t.Fatalf("state %s: %s", ex.State, ex.GetError().GetPayload())
	}
}

func TestCancel(t *testing.T) {
	e := startEmu(t, nil)
	b := newBackend(t)
	e.write(t, "sleepy", `
main:
  params: [a]
  steps:
    - before: {assign: [{x: 1}]}
    - nap: {call: sys.sleep, args: {seconds: 86400}}
    - after: {call: http.get, args: {url: '${a.url}'}}
`)
	ex, err := e.start(t, "sleepy", map[string]any{"url": b.URL + "/flaky?id=after"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		got, err := e.client.GetExecution(context.Background(), &executionspb.GetExecutionRequest{Name: ex.Name})
		steps := got.GetStatus().GetCurrentSteps()
		return err == nil && len(steps) == 1 && steps[0].Step == "nap" && steps[0].Routine == "main"
	})
	cancelled, err := e.client.CancelExecution(context.Background(), &executionspb.CancelExecutionRequest{Name: ex.Name})
	if err != nil || cancelled.State != executionspb.Execution_CANCELLED {
		t.Fatalf("cancel: %v %v", cancelled.GetState(), err)
	}
	if got := e.wait(t, ex.Name); got.State != executionspb.Execution_CANCELLED || got.EndTime == nil {
		t.Fatalf("after cancel: %s", got.State)
	}
	if _, err := e.client.CancelExecution(context.Background(), &executionspb.CancelExecutionRequest{Name: ex.Name}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("second cancel: %v", err)
	}
	if err := e.srv.Close(); err != nil { // waits for the execution goroutine to end
		t.Fatal(err)
	}
	if n := b.count("after"); n != 0 {
		t.Errorf("the step after the cancelled sleep ran %d times", n)
	}
}

func TestListReloadAndErrors(t *testing.T) {
	e := startEmu(t, nil)
	e.write(t, "flip", "main:\n  params: [a]\n  steps:\n    - r:\n        switch:\n          - condition: ${a.fail}\n            raise: \"no\"\n    - ok: {return: 1}\n")
	var names []string
	for _, fail := range []bool{false, true, false} {
		ex, err := e.start(t, "flip", map[string]any{"fail": fail})
		if err != nil {
			t.Fatal(err)
		}
		e.wait(t, ex.Name)
		names = append(names, ex.Name)
	}
	ctx := context.Background()
	list := func(filter string, size int32) []string {
		it := e.client.ListExecutions(ctx, &executionspb.ListExecutionsRequest{Parent: parent("flip"), Filter: filter, PageSize: size})
		var out []string
		for {
			x, err := it.Next()
			if err == iterator.Done {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, x.Name)
		}
	}
	if got := list("", 2); len(got) != 3 || got[0] != names[2] || got[2] != names[0] {
		t.Errorf("list newest first across pages: %v", got)
	}
	if got := list(`state = "FAILED"`, 0); len(got) != 1 || got[0] != names[1] {
		t.Errorf("FAILED filter: %v", got)
	}
	if got := list("state=SUCCEEDED", 0); len(got) != 2 {
		t.Errorf("SUCCEEDED filter: %v", got)
	}
	// Editing the YAML takes effect on the next execution, without a restart.
	e.write(t, "flip", "main:\n  steps:\n    - r: {return: 2}\n")
	if ex := e.run(t, "flip", "main:\n  steps:\n    - r: {return: 2}\n", nil); ex.Result != "2" {
		t.Errorf("after edit: %s", ex.Result)
	}
	e.write(t, "broken", "main:\n  steps:\n    - r: {retrun: 2}\n")
	_, err := e.start(t, "broken", nil)
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "broken.yaml:3") {
		t.Errorf("broken workflow: %v", err)
	}
	if _, err := e.start(t, "missing", nil); status.Code(err) != codes.NotFound {
		t.Errorf("missing workflow: %v", err)
	}
	_, err = e.client.CreateExecution(ctx, &executionspb.CreateExecutionRequest{Parent: "projects/other/locations/" + location + "/workflows/flip"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("other project: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before deadline")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
