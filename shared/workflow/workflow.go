// Package workflow starts and cancels import executions on Cloud Workflows
// (or the local emulator) through the official executions client. The
// execution argument carries the import id only: credentials and invoice
// lists never enter workflow history.
package workflow

import (
	"context"
	"encoding/json"
	"fmt"

	executions "cloud.google.com/go/workflows/executions/apiv1"
	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
)

// Runner starts executions of one workflow.
type Runner struct {
	c        *executions.Client
	workflow string // projects/P/locations/L/workflows/W
}

// New returns a Runner for workflow id in project and location.
func New(c *executions.Client, project, location, id string) *Runner {
	return &Runner{c: c, workflow: fmt.Sprintf("projects/%s/locations/%s/workflows/%s", project, location, id)}
}

// Args is the execution argument.
type Args struct {
	ImportID string `json:"import_id"`
}

// Start creates an execution for an import and returns its name.
func (r *Runner) Start(ctx context.Context, importID string) (string, error) {
	arg, err := json.Marshal(Args{ImportID: importID})
	if err != nil {
		return "", fmt.Errorf("workflow.Start: %w", err)
	}
	ex, err := r.c.CreateExecution(ctx, &executionspb.CreateExecutionRequest{
		Parent:    r.workflow,
		Execution: &executionspb.Execution{Argument: string(arg)},
	})
	if err != nil {
		return "", gcp.Classify("workflow.start", err)
	}
	return ex.GetName(), nil
}

// Cancel stops an execution; one that already ended is not an error.
func (r *Runner) Cancel(ctx context.Context, execution string) error {
	_, err := r.c.CancelExecution(ctx, &executionspb.CancelExecutionRequest{Name: execution})
	if status.Code(err) == codes.FailedPrecondition || status.Code(err) == codes.NotFound {
		return nil
	}
	return gcp.Classify("workflow.cancel", err)
}

// State reports an execution's state and, when it failed, its error payload.
func (r *Runner) State(ctx context.Context, execution string) (string, string, error) {
	ex, err := r.c.GetExecution(ctx, &executionspb.GetExecutionRequest{Name: execution})
	if err != nil {
		return "", "", gcp.Classify("workflow.get", err)
	}
	return ex.GetState().String(), ex.GetError().GetPayload(), nil
}
