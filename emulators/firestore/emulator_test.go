package firestore

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// testWriter forwards emulator output to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestEmulatorLifecycle(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	e, err := Start(ctx, Options{Stdout: testWriter{t}})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("emulator ready in %s", time.Since(t0))
	t.Cleanup(func() { _ = e.Close() })
	host := e.Host()

	c := mustClient(t, host, "demo-lifecycle")
	other := mustClient(t, host, "demo-other")
	doc := c.Doc("imports/i1")
	if _, err := doc.Set(ctx, map[string]any{"state": "running", "n": 3}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if _, err := other.Doc("imports/i1").Set(ctx, map[string]any{"state": "kept"}); err != nil {
		t.Fatalf("Set other: %v", err)
	}
	snap, err := doc.Get(ctx)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got := snap.Data()["state"]; got != "running" {
		t.Fatalf("state = %v, want running", got)
	}
	if _, err := doc.Create(ctx, map[string]any{}); status.Code(err) != codes.AlreadyExists {
		t.Fatalf("Create on existing doc: %v, want AlreadyExists", err)
	}

	if err := e.Reset(ctx, "demo-lifecycle"); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if _, err := doc.Get(ctx); status.Code(err) != codes.NotFound {
		t.Fatalf("Get after Reset: %v, want NotFound", err)
	}
	if _, err := other.Doc("imports/i1").Get(ctx); err != nil {
		t.Fatalf("Reset touched another project: %v", err)
	}
	if err := e.Reset(ctx, "a/b"); err == nil {
		t.Fatal("Reset accepted a project id with a slash")
	}

	pid := e.cmd.Process.Pid
	t0 = time.Now()
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Logf("emulator stopped in %s", time.Since(t0))
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	assertPortFree(t, host)
	assertGroupGone(t, pid)
}

func mustClient(t *testing.T, host, project string) *gfs.Client {
	t.Helper()
	c, err := NewClient(context.Background(), host, project)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func assertPortFree(t *testing.T, host string) {
	t.Helper()
	l, err := net.Listen("tcp", host)
	if err != nil {
		t.Fatalf("port still held after Close: %v", err)
	}
	l.Close()
}

// assertGroupGone polls until no process of the group is left. Killed non-leader members are
// reaped by init asynchronously, so they may linger as zombies for a moment.
func assertGroupGone(t *testing.T, pgid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := syscall.Kill(-pgid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still alive after Close (kill -0: %v)", pgid, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartMissingPrerequisites(t *testing.T) {
	ctx := context.Background()
	bogus := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"bogus jar", Options{Jar: bogus}, ErrJarNotFound},
		{"jar is a directory", Options{Jar: t.TempDir()}, ErrJarNotFound},
		{"bogus java", Options{Java: bogus}, ErrJavaNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Start(ctx, tc.opts)
			if !errors.Is(err, tc.want) {
				if e != nil {
					_ = e.Close()
				}
				t.Fatalf("Start: %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), bogus) && tc.name != "jar is a directory" {
				t.Errorf("error %q does not name the path", err)
			}
		})
	}
}

func TestStartEnvOverrides(t *testing.T) {
	bogus := filepath.Join(t.TempDir(), "missing.jar")
	t.Setenv(EnvJar, bogus)
	_, err := Start(context.Background(), Options{})
	if !errors.Is(err, ErrJarNotFound) || !strings.Contains(err.Error(), bogus) {
		t.Fatalf("Start with %s=%s: %v", EnvJar, bogus, err)
	}
	t.Setenv(EnvJar, "")
	t.Setenv(EnvJava, bogus)
	if _, err := Start(context.Background(), Options{}); !errors.Is(err, ErrJavaNotFound) {
		t.Fatalf("Start with %s=%s: %v, want ErrJavaNotFound", EnvJava, bogus, err)
	}
}

func TestStartBadAddr(t *testing.T) {
	for _, addr := range []string{"nocolon", "127.0.0.1:http", "127.0.0.1:70000"} {
		if _, err := Start(context.Background(), Options{Addr: addr}); err == nil ||
			!strings.Contains(err.Error(), "bad") {
			t.Errorf("Start(Addr %q): %v, want a bad address error", addr, err)
		}
	}
}

// fakeJava writes a shell script that stands in for java, to drive the failure paths without
// a JVM.
func fakeJava(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "java")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func fakeJar(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "emu.jar")
	if err := os.WriteFile(p, []byte("not a jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStartTimeoutKillsGroup(t *testing.T) {
	// The stand-in ignores SIGTERM and leaves a child in its group: the launcher must give up
	// after StartTimeout, escalate to SIGKILL and reap the whole group.
	old := stopGrace
	stopGrace = 200 * time.Millisecond
	t.Cleanup(func() { stopGrace = old })
	pidFile := filepath.Join(t.TempDir(), "pid")
	java := fakeJava(t, "trap '' TERM\necho $$ > "+pidFile+"\nsleep 300 &\necho starting\nwait")
	start := time.Now()
	_, err := Start(context.Background(), Options{Java: java, Jar: fakeJar(t), StartTimeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "not ready") || !strings.Contains(err.Error(), "starting") {
		t.Fatalf("Start: %v, want a not-ready error quoting the output", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Start took %s to give up", d)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	assertGroupGone(t, pid)
}

func TestStartEarlyExit(t *testing.T) {
	java := fakeJava(t, "echo 'Error: Unable to access jarfile' >&2\nexit 1")
	_, err := Start(context.Background(), Options{Java: java, Jar: fakeJar(t)})
	if err == nil || !strings.Contains(err.Error(), "exited before ready") ||
		!strings.Contains(err.Error(), "Unable to access jarfile") {
		t.Fatalf("Start: %v, want an early-exit error quoting stderr", err)
	}
}

func TestStartRetriesTakenPort(t *testing.T) {
	// A stand-in that fails like a JVM whose port was taken the first time, then starts.
	marker := filepath.Join(t.TempDir(), "tried")
	java := fakeJava(t, "if [ ! -e "+marker+" ]; then touch "+marker+
		"; echo 'java.net.BindException: Address already in use'; exit 1; fi\necho '"+readyLine+"'\nexec sleep 300")
	e, err := Start(context.Background(), Options{Java: java, Jar: fakeJar(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// A fixed port is the caller's choice: no retry.
	_ = os.Remove(marker)
	if _, err := Start(context.Background(), Options{Java: java, Jar: fakeJar(t), Addr: "127.0.0.1:1"}); !errors.Is(err, errPortTaken) {
		t.Fatalf("Start on a fixed port: %v, want errPortTaken", err)
	}
}

func TestStartContextCancelled(t *testing.T) {
	java := fakeJava(t, "exec sleep 300")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Start(ctx, Options{Java: java, Jar: fakeJar(t)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Start with cancelled ctx: %v, want context.Canceled", err)
	}
}
