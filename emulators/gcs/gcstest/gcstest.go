// Package gcstest gives a test its own fake GCS (fake-gcs-server over loopback HTTP) and an
// official storage client for it, both stopped when the test ends. A fake starts in
// milliseconds, so each test gets a private one and no test sees another's objects.
package gcstest

import (
	"context"
	"testing"

	"cloud.google.com/go/storage"

	"github.com/hoadon/hoadon/emulators/gcs"
)

// Server starts a fake GCS with the given buckets, closed at the end of the test. Use it when
// the code under test needs the host (STORAGE_EMULATOR_HOST) rather than a client.
func Server(t testing.TB, buckets ...string) *gcs.Server {
	t.Helper()
	s, err := gcs.Start(gcs.Options{Buckets: buckets})
	if err != nil {
		t.Fatalf("gcstest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("gcstest: %v", err)
		}
	})
	return s
}

// Client starts a fake GCS holding an empty bucket and returns an official storage client for
// it; both are closed at the end of the test.
func Client(t testing.TB, bucket string) *storage.Client {
	t.Helper()
	s := Server(t, bucket)
	c, err := s.Client(context.Background())
	if err != nil {
		t.Fatalf("gcstest: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
