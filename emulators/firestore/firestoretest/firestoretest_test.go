package firestoretest_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

func TestClientsAreIsolated(t *testing.T) {
	ctx := context.Background()
	a, projA := firestoretest.ClientProject(t)
	b, projB := firestoretest.ClientProject(t)
	if projA == projB {
		t.Fatalf("two clients share project %q", projA)
	}
	if _, err := a.Doc("companies/0101234567").Set(ctx, map[string]any{"name": "A"}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if _, err := b.Doc("companies/0101234567").Get(ctx); status.Code(err) != codes.NotFound {
		t.Fatalf("other project sees the document: %v", err)
	}
	snap, err := a.Doc("companies/0101234567").Get(ctx)
	if err != nil || snap.Data()["name"] != "A" {
		t.Fatalf("Get = %v, %v", snap.Data(), err)
	}
}

func TestParallelClientsShareOneEmulator(t *testing.T) {
	host := firestoretest.Host(t)
	for i := range 3 {
		t.Run(string(rune('a'+i)), func(t *testing.T) {
			t.Parallel()
			if got := firestoretest.Host(t); got != host {
				t.Errorf("Host = %q, want the shared %q", got, host)
			}
			c := firestoretest.Client(t)
			if _, _, err := c.Collection("x").Add(context.Background(), map[string]any{"i": i}); err != nil {
				t.Errorf("Add: %v", err)
			}
		})
	}
}

// childEnv names the file a child test binary writes its emulator host to.
const childEnv = "FIRESTORETEST_CHILD_HOSTFILE"

// TestHelperChild is not a test on its own: the tests below re-run this binary with childEnv
// set so it starts the emulator and then fails or crashes.
func TestHelperChild(t *testing.T) {
	file := os.Getenv(childEnv)
	if file == "" {
		return
	}
	if err := os.WriteFile(file, []byte(firestoretest.Host(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("FIRESTORETEST_CHILD_CRASH") != "" {
		os.Exit(3) // bypasses Main: only the parent-death signal stops the JVM
	}
	t.Fatal("deliberate failure: Main must still stop the emulator")
}

func TestNoJVMOutlivesFailingBinary(t *testing.T) {
	host := runChild(t, false)
	if !portFree(host) {
		t.Fatalf("emulator port %s still held after the failing test binary exited", host)
	}
}

func TestNoJVMOutlivesCrashedBinary(t *testing.T) {
	host := runChild(t, true)
	// The kernel delivers the parent-death SIGKILL asynchronously: poll with a deadline.
	deadline := time.Now().Add(10 * time.Second)
	for !portFree(host) {
		if time.Now().After(deadline) {
			t.Fatalf("emulator port %s still held 10s after the test binary crashed", host)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runChild(t *testing.T, crash bool) string {
	t.Helper()
	hostFile := filepath.Join(t.TempDir(), "host")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+hostFile)
	if crash {
		cmd.Env = append(cmd.Env, "FIRESTORETEST_CHILD_CRASH=1")
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child should fail, got %v; output:\n%s", err, out)
	}
	host, err := os.ReadFile(hostFile)
	if err != nil || !strings.Contains(string(host), ":") {
		t.Fatalf("child wrote no host (%v); output:\n%s", err, out)
	}
	return string(host)
}

func portFree(host string) bool {
	l, err := net.Listen("tcp", host)
	if err != nil {
		return false
	}
	l.Close()
	return true
}
