package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"--seed", "7", "--sim-companies", "5", "--sim-latency-min", "10ms",
		"--wf-env", "FUNCTIONS_URL=http://127.0.0.1:8080", "--wf-env", "A=b=c", "--bucket", "bkt-x"}, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if o.cfg.GDT == nil || o.cfg.GDT.Seed != 7 || o.cfg.GDT.Companies != 5 {
		t.Fatalf("simulator options not applied: %+v", o.cfg.GDT)
	}
	if o.cfg.GDT.Latency.Max != 10*time.Millisecond {
		t.Errorf("latency max %s, want raised to the min", o.cfg.GDT.Latency.Max)
	}
	if o.cfg.WorkflowEnv["FUNCTIONS_URL"] != "http://127.0.0.1:8080" || o.cfg.WorkflowEnv["A"] != "b=c" {
		t.Errorf("workflow env %v", o.cfg.WorkflowEnv)
	}
	if o.cfg.Bucket != "bkt-x" || o.cfg.WorkflowsDir != "workflows-yaml" {
		t.Errorf("bucket %q, workflows dir %q", o.cfg.Bucket, o.cfg.WorkflowsDir)
	}

	o, err = parseFlags([]string{"--functions-url", "http://127.0.0.1:8080"}, io.Discard)
	if err != nil || o.cfg.WorkflowEnv["HOADON_FUNCTIONS_URL"] != "http://127.0.0.1:8080" {
		t.Fatalf("--functions-url: %v, %v", o.cfg.WorkflowEnv, err)
	}
	o, err = parseFlags([]string{"--gdt-url", "https://portal.example/api"}, io.Discard)
	if err != nil || o.cfg.GDT != nil || o.cfg.GDTURL != "https://portal.example/api" {
		t.Fatalf("external portal: %+v, %v", o.cfg, err)
	}
	for _, bad := range [][]string{
		{"--gdt-url", "https://x/api", "--seed", "3"},
		{"--gdt-url", "https://x/api", "--sim-rate", "2"},
		{"--wf-env", "NOVALUE"},
		{"extra-arg"},
		{"--no-such-flag"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted it", bad)
		}
	}
}

// helperEnv makes the test binary run main() instead of tests (see TestHelperMain).
const helperEnv = "LOCALSTACK_HELPER_ARGS"

// TestHelperMain is not a test on its own: TestSIGTERMStopsEverything re-runs this binary
// with helperEnv set so main() runs as a real process that can receive signals.
func TestHelperMain(t *testing.T) {
	args := os.Getenv(helperEnv)
	if args == "" {
		return
	}
	os.Args = append([]string{"localstack"}, strings.Split(args, "\x1f")...)
	main()
}

func TestSIGTERMStopsEverything(t *testing.T) {
	wfDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(wfDir, "w.yaml"), []byte("main:\n  steps:\n    - r:\n        return: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(t.TempDir(), "local.env")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join(
		[]string{"--workflows-dir", wfDir, "--env-file", envFile, "--quiet", "--functions-url", "http://127.0.0.1:18555"}, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	env := readEnv(t, stdout, cmd)
	go func() { _, _ = io.Copy(io.Discard, stdout); exited <- cmd.Wait() }()

	if raw, err := os.ReadFile(envFile); err != nil || strings.Count(string(raw), "\n") != len(env) {
		t.Fatalf("env file: %v\n%s", err, raw)
	}
	keyFile := checkServerEnv(t, env)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("localstack exited with %v after SIGTERM; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("localstack still running 30s after SIGTERM; stderr:\n%s", stderr.String())
	}
	for _, f := range []string{envFile, keyFile} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", f, err)
		}
	}
	for k, v := range env {
		if k == "PORT" || strings.HasPrefix(v, "http://127.0.0.1:18555") {
			continue // the server's, not the stack's
		}
		host := v
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			host = u.Host
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			continue // project, location, bucket
		}
		l, err := net.Listen("tcp", host)
		if err != nil {
			t.Errorf("%s: %s still held after localstack exited (orphan process?): %v", k, host, err)
			continue
		}
		l.Close()
	}
}

// checkServerEnv checks the settings --functions-url adds for cmd/server and returns the
// key file.
func checkServerEnv(t *testing.T, env map[string]string) string {
	t.Helper()
	want := map[string]string{"HOADON_FUNCTIONS_URL": "http://127.0.0.1:18555", "HOADON_API_URL": "http://127.0.0.1:18555",
		"PORT": "18555", "LOCAL_ONLY": "true", "HOADON_LOCAL": "true",
		"HOADON_TASKS_SERVICE_ACCOUNT": "tasks@local-project.iam.gserviceaccount.com",
		"HOADON_INTERNAL_PRINCIPALS":   "workflows@local-project.iam.gserviceaccount.com,tasks@local-project.iam.gserviceaccount.com"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	keyFile := env["HOADON_ENCRYPTION_KEY_FILE"]
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %q: %v, mode %v; want a 0600 file", keyFile, err, fi)
	}
	if key, _ := os.ReadFile(keyFile); len(key) != 64 || strings.Contains(strings.Join(mapValues(env), " "), string(key)) {
		t.Errorf("key file holds %d characters (want 64 hex) or its key is in the environment", len(key))
	}
	return keyFile
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// readEnv reads KEY=VALUE lines from the child's stdout until the last one
// (STORAGE_EMULATOR_HOST in sorted order) is there.
func readEnv(t *testing.T, stdout io.Reader, cmd *exec.Cmd) map[string]string {
	t.Helper()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
			if strings.HasPrefix(sc.Text(), "STORAGE_EMULATOR_HOST=") { // last in sorted order
				return
			}
		}
	}()
	env := map[string]string{}
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				if len(env) != 18 {
					_ = cmd.Process.Kill()
					t.Fatalf("localstack printed %d variables before closing stdout: %v", len(env), env)
				}
				return env
			}
			if k, v, ok := strings.Cut(l, "="); ok {
				env[k] = v
			}
		case <-deadline:
			_ = cmd.Process.Kill()
			t.Fatal("localstack printed no environment within 2 minutes")
		}
	}
}
