package gcs_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/emulators/gcs"
)

func start(t *testing.T, opts gcs.Options) *gcs.Server {
	t.Helper()
	s, err := gcs.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func client(t *testing.T, s *gcs.Server) *storage.Client {
	t.Helper()
	c, err := s.Client(context.Background())
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func write(ctx context.Context, obj *storage.ObjectHandle, data string) error {
	w := obj.If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
	w.ContentType = "application/xml"
	if _, err := io.WriteString(w, data); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

func TestWriteIfAbsentReadList(t *testing.T) {
	ctx := context.Background()
	s := start(t, gcs.Options{Buckets: []string{"hoadon-test"}})
	b := client(t, s).Bucket("hoadon-test")

	names := []string{"runs/2026/01/a.xml", "runs/2026/02/b.xml", "runs/2025/12/c.xml", "other/d.xml"}
	for _, n := range names {
		if err := write(ctx, b.Object(n), "<HDon>"+n+"</HDon>"); err != nil {
			t.Fatalf("write %s: %v", n, err)
		}
	}
	err := write(ctx, b.Object(names[0]), "overwrite")
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Code != http.StatusPreconditionFailed {
		t.Fatalf("second write-if-absent: %v, want HTTP 412", err)
	}

	r, err := b.Object(names[0]).NewReader(ctx)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(got) != "<HDon>"+names[0]+"</HDon>" {
		t.Fatalf("read back %q, %v: the failed write must not have replaced it", got, err)
	}
	if r.Attrs.ContentType != "application/xml" {
		t.Errorf("content type %q", r.Attrs.ContentType)
	}
	if _, err := b.Object("runs/missing.xml").NewReader(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
		t.Errorf("missing object: %v, want ErrObjectNotExist", err)
	}

	listed := list(t, b, &storage.Query{Prefix: "runs/2026/"})
	if want := "runs/2026/01/a.xml,runs/2026/02/b.xml"; strings.Join(listed, ",") != want {
		t.Errorf("list runs/2026/ = %v, want %s", listed, want)
	}
	listed = list(t, b, &storage.Query{Prefix: "runs/", Delimiter: "/"})
	if want := "runs/2025/,runs/2026/"; strings.Join(listed, ",") != want {
		t.Errorf("list runs/ with delimiter = %v, want %s", listed, want)
	}
}

func list(t *testing.T, b *storage.BucketHandle, q *storage.Query) []string {
	t.Helper()
	var out []string
	it := b.Objects(context.Background(), q)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out
		}
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		out = append(out, a.Name+a.Prefix)
	}
}

func TestEmulatorHostVariable(t *testing.T) {
	// What another process sees: only STORAGE_EMULATOR_HOST, plain storage.NewClient.
	ctx := context.Background()
	s := start(t, gcs.Options{Buckets: []string{"bucket-1"}})
	t.Setenv("STORAGE_EMULATOR_HOST", s.Host())
	c, err := storage.NewClient(ctx)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer c.Close()
	if err := write(ctx, c.Bucket("bucket-1").Object("x"), "1"); err != nil {
		t.Fatalf("write via STORAGE_EMULATOR_HOST: %v", err)
	}
	if _, err := c.Bucket("bucket-1").Object("x").Attrs(ctx); err != nil {
		t.Fatalf("Attrs: %v", err)
	}
	r, err := c.Bucket("bucket-1").Object("x").NewReader(ctx)
	if err != nil {
		t.Fatalf("NewReader via STORAGE_EMULATOR_HOST: %v", err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(got) != "1" {
		t.Fatalf("read back %q, %v", got, err)
	}
	if !strings.HasPrefix(s.URL(), "http://"+s.Host()) {
		t.Errorf("URL %q does not match Host %q", s.URL(), s.Host())
	}
}

func TestGivenAddrAndClose(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s, err := gcs.Start(gcs.Options{Addr: addr})
	if err != nil {
		t.Fatalf("Start on %s: %v", addr, err)
	}
	if s.Host() != addr {
		t.Fatalf("Host = %s, want %s", s.Host(), addr)
	}
	if err := s.CreateBucket("late-bucket"); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	c := client(t, s)
	if _, err := c.Bucket("late-bucket").Attrs(context.Background()); err != nil {
		t.Fatalf("bucket created after start not visible: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port still held after Close: %v", err)
	}
	l.Close()
	if _, err := gcs.Start(gcs.Options{Addr: "127.0.0.1:notaport"}); err == nil {
		t.Error("Start accepted a bad address")
	}
}

func TestBucketNames(t *testing.T) {
	good := []string{"abc", "hoadon-invoices", "a_b.c-d", "1bucket"}
	bad := []string{"", "ab", "Upper", "-start", "end-", "sp ace", strings.Repeat("a", 64), "a/b"}
	for _, n := range good {
		if err := gcs.ValidateBucketName(n); err != nil {
			t.Errorf("ValidateBucketName(%q): %v", n, err)
		}
	}
	for _, n := range bad {
		if err := gcs.ValidateBucketName(n); err == nil {
			t.Errorf("ValidateBucketName(%q) accepted it", n)
		}
	}
	if _, err := gcs.Start(gcs.Options{Buckets: []string{"Bad"}}); err == nil {
		t.Error("Start accepted a bad bucket name")
	}
}

func TestCloseRightAfterStartFreesPort(t *testing.T) {
	// http.Server.Close alone leaves the listener open when Serve has not started yet.
	for range 50 {
		s, err := gcs.Start(gcs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		l, err := net.Listen("tcp", s.Host())
		if err != nil {
			t.Fatalf("port still held right after Close: %v", err)
		}
		l.Close()
	}
}

// The default backend keeps objects as files in a directory of the server's own, removed by
// Close; Options.Memory keeps the in-memory backend with the same write-if-absent behaviour.
func TestBackends(t *testing.T) {
	ctx := context.Background()
	for _, memory := range []bool{false, true} {
		s, err := gcs.Start(gcs.Options{Buckets: []string{"hoadon-test"}, Memory: memory})
		if err != nil {
			t.Fatal(err)
		}
		b := client(t, s).Bucket("hoadon-test")
		if err := write(ctx, b.Object("a/b.xml"), "<HDon/>"); err != nil {
			t.Fatalf("memory=%v: write: %v", memory, err)
		}
		err = write(ctx, b.Object("a/b.xml"), "again")
		var gerr *googleapi.Error
		if !errors.As(err, &gerr) || gerr.Code != http.StatusPreconditionFailed {
			t.Errorf("memory=%v: second write-if-absent: %v, want 412", memory, err)
		}
		dir := s.Dir()
		if memory != (dir == "") {
			t.Errorf("memory=%v: Dir() = %q", memory, dir)
		}
		if !memory {
			if _, err := os.Stat(filepath.Join(dir, "hoadon-test", "a", "b.xml")); err != nil {
				t.Errorf("object is not a file: %v", err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if dir != "" {
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("Close left %s: %v", dir, err)
			}
		}
	}
}
