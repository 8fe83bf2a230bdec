// Package firestoretest gives tests an official Firestore emulator with almost no set-up: one
// JVM per test binary, started on first use, stopped when the binary's tests are done, and a
// fresh project per client so tests never see each other's documents.
//
// Use it from TestMain so the JVM is stopped even when tests fail:
//
//	func TestMain(m *testing.M) { firestoretest.Main(m) }
//
//	func TestX(t *testing.T) {
//		c := firestoretest.Client(t) // *firestore.Client on a new project, closed at cleanup
//		...
//	}
//
// Without Main the JVM is still killed when the test binary exits (Linux parent-death
// signal), but only Main stops it cleanly.
package firestoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	gfs "cloud.google.com/go/firestore"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
)

var (
	mu       sync.Mutex
	emulator *fsemu.Emulator
	startErr error
	started  bool
	projects atomic.Int64
	runID    = newRunID()
)

// Main runs the tests of m, then stops the emulator (if any test started it) and exits with
// the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "firestoretest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Host returns host:port of the shared emulator, starting it on first use; the value for
// FIRESTORE_EMULATOR_HOST. A missing Java or jar fails the test with the launcher's message.
func Host(t testing.TB) string {
	t.Helper()
	e, err := shared()
	if err != nil {
		t.Fatalf("firestoretest: %v", err)
	}
	return e.Host()
}

// Client returns an official Firestore client on a fresh, unique project of the shared
// emulator, closed when the test ends.
func Client(t testing.TB) *gfs.Client {
	t.Helper()
	c, _ := ClientProject(t)
	return c
}

// ClientProject is Client for tests that also need the project id, for example to build the
// code under test with its own client or to point FIRESTORE_EMULATOR_HOST-based code at the
// same data.
func ClientProject(t testing.TB) (*gfs.Client, string) {
	t.Helper()
	host := Host(t)
	project := NewProjectID()
	c, err := fsemu.NewClient(context.Background(), host, project)
	if err != nil {
		t.Fatalf("firestoretest: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, project
}

// NewProjectID returns a project id no other call in any test binary returns (a random run id
// plus a counter), valid as a Google Cloud project id.
func NewProjectID() string {
	return fmt.Sprintf("demo-%s-%d", runID, projects.Add(1))
}

// shared starts the emulator once; a failed start is remembered so every test reports it
// instead of each paying for a new attempt.
func shared() (*fsemu.Emulator, error) {
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		emulator, startErr = fsemu.Start(context.Background(), fsemu.Options{})
	}
	if startErr == nil && emulator == nil {
		return nil, fmt.Errorf("emulator already stopped by Main")
	}
	return emulator, startErr
}

func stop() error {
	mu.Lock()
	defer mu.Unlock()
	if emulator == nil {
		return nil
	}
	err := emulator.Close()
	emulator = nil
	return err
}

func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
