package gcstest_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"cloud.google.com/go/storage"

	"github.com/hoadon/hoadon/emulators/gcs/gcstest"
)

func TestClientsArePrivate(t *testing.T) {
	ctx := context.Background()
	a := gcstest.Client(t, "invoices")
	b := gcstest.Client(t, "invoices")
	w := a.Bucket("invoices").Object("k").NewWriter(ctx)
	if _, err := io.WriteString(w, "v"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("write: %v", err)
	}
	if _, err := a.Bucket("invoices").Object("k").Attrs(ctx); err != nil {
		t.Fatalf("Attrs on the writer's server: %v", err)
	}
	if _, err := b.Bucket("invoices").Object("k").Attrs(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
		t.Fatalf("other test's server sees the object: %v", err)
	}
}

func TestServerHasBuckets(t *testing.T) {
	s := gcstest.Server(t, "one-bucket", "two-bucket")
	c, err := s.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, b := range []string{"one-bucket", "two-bucket"} {
		if _, err := c.Bucket(b).Attrs(context.Background()); err != nil {
			t.Errorf("bucket %s: %v", b, err)
		}
	}
}
