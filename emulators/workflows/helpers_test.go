package workflows_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	executions "cloud.google.com/go/workflows/executions/apiv1"
	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hoadon/hoadon/emulators/workflows"
	"io"
	"log/slog"
)

const (
	project  = "p1"
	location = "l1"
)

// sleepRecorder replaces real sleeps: it records each requested duration and returns at once,
// except for durations of an hour or more, which block until the execution is cancelled.
type sleepRecorder struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	s.mu.Unlock()
	if d >= time.Hour {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (s *sleepRecorder) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

type emu struct {
	srv    *workflows.Server
	client *executions.Client
	dir    string
	sleeps *sleepRecorder
}

func startEmu(t *testing.T, env map[string]string) *emu {
	t.Helper()
	e := &emu{dir: t.TempDir(), sleeps: &sleepRecorder{}}
	srv, err := workflows.Start(workflows.Options{
		Dir: e.dir, Project: project, Location: location, Env: env, Sleep: e.sleeps.sleep,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	e.srv, e.client = srv, newClient(t, srv.Addr())
	return e
}

// newClient is the official executions client pointed at the emulator.
func newClient(t *testing.T, addr string) *executions.Client {
	t.Helper()
	c, err := executions.NewClient(context.Background(), option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (e *emu) write(t *testing.T, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name+".yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func parent(name string) string {
	return "projects/" + project + "/locations/" + location + "/workflows/" + name
}

// start creates an execution with arg (any JSON-marshalable value, or nil for none).
func (e *emu) start(t *testing.T, name string, arg any) (*executionspb.Execution, error) {
	t.Helper()
	s := ""
	if arg != nil {
		b, err := json.Marshal(arg)
		if err != nil {
			t.Fatal(err)
		}
		s = string(b)
	}
	return e.client.CreateExecution(context.Background(), &executionspb.CreateExecutionRequest{
		Parent: parent(name), Execution: &executionspb.Execution{Argument: s},
	})
}

// wait polls until the execution leaves ACTIVE (deadline 10 s).
func (e *emu) wait(t *testing.T, name string) *executionspb.Execution {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ex, err := e.client.GetExecution(context.Background(), &executionspb.GetExecutionRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if ex.State != executionspb.Execution_ACTIVE {
			return ex
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still ACTIVE at deadline (current steps %v)", name, ex.GetStatus().GetCurrentSteps())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// run writes src as workflow name, executes it with arg and waits for the end.
func (e *emu) run(t *testing.T, name, src string, arg any) *executionspb.Execution {
	t.Helper()
	e.write(t, name, src)
	ex, err := e.start(t, name, arg)
	if err != nil {
		t.Fatalf("CreateExecution: %v", err)
	}
	return e.wait(t, ex.Name)
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}

// errorTags returns the tags of a failed execution's error payload.
func errorTags(t *testing.T, ex *executionspb.Execution) []string {
	t.Helper()
	if ex.State != executionspb.Execution_FAILED {
		t.Fatalf("state = %s, want FAILED (result %s)", ex.State, ex.Result)
	}
	m, _ := decode(t, ex.GetError().GetPayload()).(map[string]any)
	var tags []string
	for _, x := range m["tags"].([]any) {
		tags = append(tags, x.(string))
	}
	return tags
}
