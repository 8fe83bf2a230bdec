package workflows

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// MaxArgumentSize is the documented limit on an execution argument (a JSON string).
const MaxArgumentSize = 32 * 1024

// execRecord is the stored state of one execution; pb is guarded by mu.
type execRecord struct {
	mu     sync.Mutex
	pb     *executionspb.Execution
	ex     *execution
	cancel context.CancelFunc
}

func (rec *execRecord) snapshot(view executionspb.ExecutionView) *executionspb.Execution {
	rec.mu.Lock()
	out := proto.Clone(rec.pb).(*executionspb.Execution)
	rec.mu.Unlock()
	if out.State == executionspb.Execution_ACTIVE {
		if cur := rec.ex.current.Load(); cur != nil {
			out.Status = &executionspb.Execution_Status{CurrentSteps: []*executionspb.Execution_Status_Step{{Routine: cur[0], Step: cur[1]}}}
		}
	}
	if view == executionspb.ExecutionView_BASIC {
		basic := &executionspb.Execution{Name: out.Name, StartTime: out.StartTime, EndTime: out.EndTime,
			State: out.State, WorkflowRevisionId: out.WorkflowRevisionId}
		return basic
	}
	return out
}

// executionsService implements executionspb.ExecutionsServer over a Server.
type executionsService struct {
	executionspb.UnimplementedExecutionsServer
	s *Server
}

var parentRe = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/workflows/([^/]+)$`)

// workflowFile resolves a workflow resource name to its YAML file.
func (s *Server) workflowFile(parent string) (string, string, error) {
	m := parentRe.FindStringSubmatch(parent)
	if m == nil {
		return "", "", status.Errorf(codes.InvalidArgument, "invalid workflow name %q (want projects/P/locations/L/workflows/W)", parent)
	}
	if m[1] != s.opts.Project || m[2] != s.opts.Location {
		return "", "", status.Errorf(codes.NotFound, "workflow %s not found (the emulator serves projects/%s/locations/%s)", parent, s.opts.Project, s.opts.Location)
	}
	for _, ext := range []string{".yaml", ".yml"} {
		p := filepath.Join(s.opts.Dir, m[3]+ext)
		if _, err := os.Stat(p); err == nil {
			return p, m[3], nil
		}
	}
	return "", "", status.Errorf(codes.NotFound, "workflow %s not found: no %s.yaml in %s", parent, m[3], s.opts.Dir)
}

func (svc *executionsService) CreateExecution(_ context.Context, req *executionspb.CreateExecutionRequest) (*executionspb.Execution, error) {
	s := svc.s
	path, id, err := s.workflowFile(req.GetParent())
	if err != nil {
		return nil, err
	}
	wf, err := LoadFile(path)
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "workflow %s cannot be deployed: %v", id, err)
	}
	argStr := req.GetExecution().GetArgument()
	if len(argStr) > MaxArgumentSize {
		return nil, status.Errorf(codes.InvalidArgument, "argument is %d bytes; the limit is %d (32 KB)", len(argStr), MaxArgumentSize)
	}
	var arg any
	if argStr != "" {
		if arg, err = fromJSON([]byte(argStr)); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "argument is not valid JSON: %v", err)
		}
	}
	rec := s.newRecord(req.GetParent(), id, wf, req.GetExecution(), argStr)
	s.wg.Add(1)
	go s.runExecution(rec, arg, argStr != "")
	return rec.snapshot(executionspb.ExecutionView_FULL), nil
}

func (s *Server) newRecord(parent, workflowID string, wf *Workflow, in *executionspb.Execution, argStr string) *execRecord {
	execID := uuid.NewString()
	ctx, cancel := context.WithCancel(s.closeCtx)
	rec := &execRecord{cancel: cancel}
	rec.ex = &execution{eng: s.eng, id: execID, workflowID: workflowID, wf: wf, ctx: ctx}
	rec.pb = &executionspb.Execution{
		Name:               parent + "/executions/" + execID,
		StartTime:          timestamppb.Now(),
		State:              executionspb.Execution_ACTIVE,
		Argument:           argStr,
		WorkflowRevisionId: wf.Revision,
		CallLogLevel:       in.GetCallLogLevel(),
		Labels:             in.GetLabels(),
	}
	s.mu.Lock()
	s.execs[rec.pb.Name] = rec
	s.order = append(s.order, rec.pb.Name)
	s.mu.Unlock()
	return rec
}

func (s *Server) runExecution(rec *execRecord, arg any, hasArg bool) {
	defer s.wg.Done()
	res, err := rec.ex.run(arg, hasArg)
	var out []byte
	if err == nil {
		if out, err = toJSON(res, ""); err != nil {
			err = newErr(tagType, "result is not JSON serializable: %v", err)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	defer rec.cancel()
	if rec.pb.State != executionspb.Execution_ACTIVE {
		return // cancelled meanwhile
	}
	finish(rec.pb, time.Now())
	switch rs, isRaised := asRaised(err); {
	case err == nil:
		rec.pb.State, rec.pb.Result = executionspb.Execution_SUCCEEDED, string(out)
	case isRaised:
		payload, _ := toJSON(rs.Value, "")
		rec.pb.State = executionspb.Execution_FAILED
		rec.pb.Error = &executionspb.Execution_Error{Payload: string(payload), Context: errorContext(rs)}
	case errors.Is(err, errCancelled):
		rec.pb.State = executionspb.Execution_CANCELLED
	default:
		rec.pb.State = executionspb.Execution_FAILED
		rec.pb.Error = &executionspb.Execution_Error{Payload: strconv.Quote(err.Error()), Context: err.Error()}
	}
	s.eng.logger.Info("execution finished", "name", rec.pb.Name, "state", rec.pb.State.String(),
		"steps", rec.ex.steps.Load(), "http_calls", rec.ex.httpCalls.Load())
}

func finish(pb *executionspb.Execution, end time.Time) {
	pb.EndTime = timestamppb.New(end)
	pb.Duration = durationpb.New(end.Sub(pb.StartTime.AsTime()))
}

func (s *Server) record(name string) (*execRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.execs[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "execution %s not found", name)
	}
	return rec, nil
}

func (svc *executionsService) GetExecution(_ context.Context, req *executionspb.GetExecutionRequest) (*executionspb.Execution, error) {
	rec, err := svc.s.record(req.GetName())
	if err != nil {
		return nil, err
	}
	view := req.GetView()
	if view == executionspb.ExecutionView_EXECUTION_VIEW_UNSPECIFIED {
		view = executionspb.ExecutionView_FULL
	}
	return rec.snapshot(view), nil
}

func (svc *executionsService) CancelExecution(_ context.Context, req *executionspb.CancelExecutionRequest) (*executionspb.Execution, error) {
	rec, err := svc.s.record(req.GetName())
	if err != nil {
		return nil, err
	}
	rec.mu.Lock()
	if rec.pb.State != executionspb.Execution_ACTIVE {
		st := rec.pb.State
		rec.mu.Unlock()
		return nil, status.Errorf(codes.FailedPrecondition, "execution %s is %s, not ACTIVE", req.GetName(), st)
	}
	rec.pb.State = executionspb.Execution_CANCELLED
	rec.pb.Error = &executionspb.Execution_Error{Payload: `"Execution cancelled"`, Context: "cancelled by CancelExecution"}
	finish(rec.pb, time.Now())
	rec.mu.Unlock()
	rec.cancel()
	return rec.snapshot(executionspb.ExecutionView_FULL), nil
}

func (svc *executionsService) ListExecutions(_ context.Context, req *executionspb.ListExecutionsRequest) (*executionspb.ListExecutionsResponse, error) {
	s := svc.s
	if _, _, err := s.workflowFile(req.GetParent()); err != nil && status.Code(err) == codes.InvalidArgument {
		return nil, err
	}
	want, err := parseStateFilter(req.GetFilter())
	if err != nil {
		return nil, err
	}
	if req.GetOrderBy() != "" {
		return nil, status.Errorf(codes.InvalidArgument, "order_by is not supported by the emulator (executions are listed newest first)")
	}
	view := req.GetView()
	if view == executionspb.ExecutionView_EXECUTION_VIEW_UNSPECIFIED {
		view = executionspb.ExecutionView_BASIC
	}
	var all []*executionspb.Execution
	s.mu.Lock()
	for i := len(s.order) - 1; i >= 0; i-- {
		name := s.order[i]
		if !strings.HasPrefix(name, req.GetParent()+"/executions/") {
			continue
		}
		e := s.execs[name].snapshot(view)
		if want == executionspb.Execution_STATE_UNSPECIFIED || e.State == want {
			all = append(all, e)
		}
	}
	s.mu.Unlock()
	return page(all, req.GetPageSize(), req.GetPageToken())
}

func page(all []*executionspb.Execution, size int32, token string) (*executionspb.ListExecutionsResponse, error) {
	if size <= 0 {
		size = 100
	}
	size = min(size, 1000)
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(all) {
			return nil, status.Errorf(codes.InvalidArgument, "invalid page token %q", token)
		}
		start = n
	}
	end := min(start+int(size), len(all))
	resp := &executionspb.ListExecutionsResponse{Executions: all[start:end]}
	if end < len(all) {
		resp.NextPageToken = strconv.Itoa(end)
	}
	return resp, nil
}

var stateFilterRe = regexp.MustCompile(`^\s*state\s*=\s*"?([A-Z_]+)"?\s*$`)

// parseStateFilter supports the filter `state = "SUCCEEDED"` (quotes optional).
func parseStateFilter(f string) (executionspb.Execution_State, error) {
	if strings.TrimSpace(f) == "" {
		return executionspb.Execution_STATE_UNSPECIFIED, nil
	}
	m := stateFilterRe.FindStringSubmatch(f)
	if m == nil {
		return 0, status.Errorf(codes.InvalidArgument, "filter %q is not supported by the emulator (only state = \"STATE\")", f)
	}
	st, ok := executionspb.Execution_State_value[m[1]]
	if !ok {
		return 0, status.Errorf(codes.InvalidArgument, "unknown state %q in filter", m[1])
	}
	return executionspb.Execution_State(st), nil
}
