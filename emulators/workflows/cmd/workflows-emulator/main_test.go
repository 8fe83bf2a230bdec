package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	executions "cloud.google.com/go/workflows/executions/apiv1"
	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hoadon/hoadon/emulators/workflows"
)

// TestStandalone starts the command on a free port and runs a workflow through the official
// client, reading a user environment variable given by flag.
func TestStandalone(t *testing.T) {
	dir := t.TempDir()
	src := "main:\n  steps:\n    - r: {return: '${sys.get_env(\"GREETING\") + \" \" + sys.get_env(\"GOOGLE_CLOUD_PROJECT_ID\")}'}\n"
	if err := os.WriteFile(filepath.Join(dir, "hello.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	stop := make(chan os.Signal, 1)
	ready := make(chan *workflows.Server, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"--addr", "127.0.0.1:0", "--dir", dir, "--project", "px", "--location", "lx", "--env", "GREETING=xin chao"},
			stop, func(s *workflows.Server) { ready <- s })
	}()
	var srv *workflows.Server
	select {
	case srv = <-ready:
	case err := <-done:
		t.Fatalf("run ended: %v", err)
	}
	ctx := context.Background()
	c, err := executions.NewClient(ctx, option.WithEndpoint(srv.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ex, err := c.CreateExecution(ctx, &executionspb.CreateExecutionRequest{Parent: "projects/px/locations/lx/workflows/hello"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ex.State == executionspb.Execution_ACTIVE && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
		if ex, err = c.GetExecution(ctx, &executionspb.GetExecutionRequest{Name: ex.Name}); err != nil {
			t.Fatal(err)
		}
	}
	if ex.Result != `"xin chao px"` {
		t.Errorf("state %s result %s", ex.State, ex.Result)
	}
	stop <- os.Interrupt
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := run([]string{"--dir", dir, "--env", "GOOGLE_X=1"}, stop, nil); err == nil {
		t.Error("a user env var named GOOGLE_* was accepted")
	}
}
