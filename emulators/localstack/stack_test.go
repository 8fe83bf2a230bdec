package localstack_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	executions "cloud.google.com/go/workflows/executions/apiv1"
	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"github.com/google/uuid"
	"google.golang.org/api/option"
	"google.golang.org/genai"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/emulators/gcs"
	"github.com/hoadon/hoadon/emulators/localstack"
)

// workflowsDir holds one trivial workflow, so the Workflows emulator has something to run.
func workflowsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	yaml := "main:\n  params: [args]\n  steps:\n    - done:\n        return: ${args.x}\n"
	if err := os.WriteFile(filepath.Join(dir, "hello.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStackEndpointsAnswerAndPortsFreed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	st, err := localstack.Start(ctx, localstack.Config{WorkflowsDir: workflowsDir(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	t.Logf("stack up in %s", time.Since(t0))
	env := st.Env()
	for _, k := range []string{localstack.EnvFirestoreHost, localstack.EnvStorageHost, localstack.EnvGDTBaseURL,
		localstack.EnvTasksEndpoint, localstack.EnvWorkflowsEndpoint, localstack.EnvOIDCIssuer,
		localstack.EnvGeminiURL, localstack.EnvProject, localstack.EnvLocation, localstack.EnvBucket} {
		if env[k] == "" {
			t.Errorf("Env()[%s] is empty", k)
		}
	}
	if len(env) != 10 {
		t.Errorf("Env() has %d variables, want 10: %v", len(env), env)
	}

	t.Run("firestore", func(t *testing.T) { checkFirestore(t, env) })
	t.Run("gcs", func(t *testing.T) { checkGCS(t, env) })
	t.Run("cloudtasks", func(t *testing.T) { checkTasks(t, env) })
	t.Run("workflows", func(t *testing.T) { checkWorkflows(t, env) })
	t.Run("oidc", func(t *testing.T) { checkOIDC(t, env) })
	t.Run("gdt and gemini", func(t *testing.T) { checkCaptcha(t, env) })

	t0 = time.Now()
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Logf("stack down in %s", time.Since(t0))
	for k, v := range env {
		if host := hostOf(v); host != "" {
			waitPortFree(t, k, host)
		}
	}
}

// hostOf returns the host:port in an env value (a bare host:port or a URL), or "".
func hostOf(v string) string {
	if u, err := url.Parse(v); err == nil && u.Host != "" {
		return u.Host
	}
	if _, _, err := net.SplitHostPort(v); err == nil {
		return v
	}
	return ""
}

func checkFirestore(t *testing.T, env map[string]string) {
	ctx := context.Background()
	c, err := fsemu.NewClient(ctx, env[localstack.EnvFirestoreHost], env[localstack.EnvProject])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Doc("probe/1").Set(ctx, map[string]any{"ok": true}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	snap, err := c.Doc("probe/1").Get(ctx)
	if err != nil || snap.Data()["ok"] != true {
		t.Fatalf("Get = %v, %v", snap.Data(), err)
	}
}

func checkGCS(t *testing.T, env map[string]string) {
	ctx := context.Background()
	c, err := gcs.NewClient(ctx, env[localstack.EnvStorageHost])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := c.Bucket(env[localstack.EnvBucket]).Object("probe.txt").NewWriter(ctx)
	if _, err := io.WriteString(w, "ok"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("write to the stack's bucket: %v", err)
	}
}

func grpcOpts(endpoint string) []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(endpoint), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
}

func checkTasks(t *testing.T, env map[string]string) {
	ctx := context.Background()
	c, err := cloudtasks.NewClient(ctx, grpcOpts(env[localstack.EnvTasksEndpoint])...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parent := "projects/" + env[localstack.EnvProject] + "/locations/" + env[localstack.EnvLocation]
	q, err := c.CreateQueue(ctx, &cloudtaskspb.CreateQueueRequest{Parent: parent,
		Queue: &cloudtaskspb.Queue{Name: parent + "/queues/probe"}})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	if q.GetName() != parent+"/queues/probe" {
		t.Errorf("queue name %q", q.GetName())
	}
}

func checkWorkflows(t *testing.T, env map[string]string) {
	ctx := context.Background()
	c, err := executions.NewClient(ctx, grpcOpts(env[localstack.EnvWorkflowsEndpoint])...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parent := "projects/" + env[localstack.EnvProject] + "/locations/" + env[localstack.EnvLocation] + "/workflows/hello"
	ex, err := c.CreateExecution(ctx, &executionspb.CreateExecutionRequest{Parent: parent,
		Execution: &executionspb.Execution{Argument: `{"x":"hi"}`}})
	if err != nil {
		t.Fatalf("CreateExecution: %v", err)
	}
	it := c.ListExecutions(ctx, &executionspb.ListExecutionsRequest{Parent: parent})
	got, err := it.Next()
	if err != nil || got.GetName() != ex.GetName() {
		t.Fatalf("ListExecutions first = %v, %v; want %s", got.GetName(), err, ex.GetName())
	}
}

func checkOIDC(t *testing.T, env map[string]string) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, env[localstack.EnvOIDCIssuer]+"/.well-known/openid-configuration", nil, &doc)
	if doc.Issuer != env[localstack.EnvOIDCIssuer] || doc.JWKSURI == "" {
		t.Fatalf("discovery document %+v does not name issuer %s", doc, env[localstack.EnvOIDCIssuer])
	}
}

// checkCaptcha fetches a captcha from the portal simulator and has the fake Gemini read it,
// through the official genai client.
func checkCaptcha(t *testing.T, env map[string]string) {
	var captcha struct{ Key, Content string }
	h := http.Header{"request-id": []string{uuid.NewString()}}
	getJSON(t, env[localstack.EnvGDTBaseURL]+"/captcha", h, &captcha)
	if captcha.Key == "" || !strings.Contains(captcha.Content, "<svg") {
		t.Fatalf("captcha = %+v", captcha)
	}
	ctx := context.Background()
	c, err := genai.NewClient(ctx, &genai.ClientConfig{
		Backend: genai.BackendVertexAI, Project: env[localstack.EnvProject], Location: env[localstack.EnvLocation],
		HTTPClient: http.DefaultClient, HTTPOptions: genai.HTTPOptions{BaseURL: env[localstack.EnvGeminiURL] + "/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Models.GenerateContent(ctx, "gemini-2.5-flash",
		genai.Text("Read the characters of this captcha:\n"+captcha.Content), nil)
	if err != nil {
		t.Fatalf("GenerateContent: %v", err)
	}
	if got := strings.TrimSpace(resp.Text()); len(got) != 6 {
		t.Fatalf("gemini answered %q, want 6 characters", got)
	}
}

func getJSON(t *testing.T, u string, h http.Header, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", u, err, body)
	}
}
