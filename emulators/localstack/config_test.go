package localstack_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/emulators/localstack"
)

func TestConfigErrors(t *testing.T) {
	dir := workflowsDir(t)
	opts := gdt.DefaultOptions()
	tests := []struct {
		name string
		cfg  localstack.Config
		want string
	}{
		{"missing workflows dir", localstack.Config{WorkflowsDir: filepath.Join(dir, "nope")}, "workflows directory"},
		{"bad bucket", localstack.Config{WorkflowsDir: dir, Bucket: "Bad_Bucket"}, "bucket name"},
		{"relative GDT URL", localstack.Config{WorkflowsDir: dir, GDTURL: "portal/api"}, "GDT URL"},
		{"GDT URL and simulator", localstack.Config{WorkflowsDir: dir, GDTURL: "https://x/api", GDT: &opts}, "exclusive"},
		{"project with slash", localstack.Config{WorkflowsDir: dir, Project: "a/b"}, "project"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := localstack.Start(context.Background(), tc.cfg)
			if err == nil {
				_ = st.Close()
				t.Fatal("Start accepted the config")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start: %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// waitPortFree polls until addr can be bound again. Some emulators' Close returns before a
// Serve goroutine that had not started yet gives its listener back, so release is checked
// with a deadline rather than at the instant Close returns.
func waitPortFree(t *testing.T, name, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			l.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: %s still held 5s after Close: %v", name, addr, err)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestFailedStartReleasesEverything(t *testing.T) {
	// Everything in process starts on the given ports; then the Firestore jar is missing, so
	// Start must fail with the launcher's error and stop what it had started.
	cfg := localstack.Config{
		WorkflowsDir: workflowsDir(t), FirestoreJar: filepath.Join(t.TempDir(), "missing.jar"),
		GCSAddr: freeAddr(t), TasksAddr: freeAddr(t), WorkflowsAddr: freeAddr(t),
		OIDCAddr: freeAddr(t), GeminiAddr: freeAddr(t),
	}
	opts := gdt.DefaultOptions()
	opts.Addr = freeAddr(t)
	cfg.GDT = &opts
	st, err := localstack.Start(context.Background(), cfg)
	if err == nil {
		_ = st.Close()
		t.Fatal("Start succeeded without the Firestore jar")
	}
	if !errors.Is(err, fsemu.ErrJarNotFound) {
		t.Fatalf("Start: %v, want ErrJarNotFound", err)
	}
	addrs := map[string]string{"gcs": cfg.GCSAddr, "cloudtasks": cfg.TasksAddr, "workflows": cfg.WorkflowsAddr,
		"oidc": cfg.OIDCAddr, "gemini": cfg.GeminiAddr, "gdt": opts.Addr}
	for name, addr := range addrs {
		waitPortFree(t, name, addr)
	}
}

func TestExternalPortalGivenAddrsAndEnvFile(t *testing.T) {
	fsAddr, gcsAddr := freeAddr(t), freeAddr(t)
	st, err := localstack.Start(context.Background(), localstack.Config{
		WorkflowsDir: workflowsDir(t), GDTURL: "https://hoadondientu.gdt.gov.vn:30000",
		FirestoreAddr: fsAddr, GCSAddr: gcsAddr, Project: "p-demo", Bucket: "b-demo",
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if st.GDT() != nil {
		t.Error("simulator started although an external portal URL was given")
	}
	env := st.Env()
	want := map[string]string{
		localstack.EnvGDTBaseURL: "https://hoadondientu.gdt.gov.vn:30000", localstack.EnvFirestoreHost: fsAddr,
		localstack.EnvStorageHost: gcsAddr, localstack.EnvProject: "p-demo", localstack.EnvBucket: "b-demo",
		localstack.EnvLocation: localstack.DefaultLocation,
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}

	path := filepath.Join(t.TempDir(), "local.env")
	if err := st.WriteEnvFile(path); err != nil {
		t.Fatalf("WriteEnvFile: %v", err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if !sort.StringsAreSorted(lines) || len(lines) != len(env) {
		t.Fatalf("env file not %d sorted lines:\n%s", len(env), raw)
	}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, "=")
		if !ok || env[k] != v {
			t.Errorf("env file line %q does not match Env()", l)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
