package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"cloud.google.com/go/storage"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"google.golang.org/api/option"
)

// Options configures Start.
type Options struct {
	// Addr is host:port to listen on; empty means 127.0.0.1 on a free port.
	Addr string
	// Buckets are created empty at start, so the code under test finds them as it would in a
	// provisioned project.
	Buckets []string
	// Dir, when set, keeps buckets and objects as files there, so they survive a restart.
	// Empty keeps them as files in a fresh directory of its own (on tmpfs, /dev/shm, where the
	// machine has it), removed by Close.
	Dir string
	// Memory keeps objects in fake-gcs-server's in-memory backend instead of files. That
	// backend finds an object by scanning a slice of the bucket's objects, so every write
	// costs O(objects in the bucket) (docs/benchmarks.md, "The GCS stand-in"); the file
	// backend's write is O(1). Kept for that comparison.
	Memory bool
}

// Server is a running fake GCS. Close it when done.
type Server struct {
	fake *fakestorage.Server
	lis  net.Listener
	http *http.Server
	url  string

	served chan struct{} // closed when the Serve goroutine has returned
	dir    string        // where the objects are files; "" for the memory backend
	tmpDir string        // removed by Close: the directory Start made for the objects

	closeOnce sync.Once
	closeErr  error
}

// Start listens on opts.Addr, creates opts.Buckets and serves until Close.
func Start(opts Options) (*Server, error) {
	for _, b := range opts.Buckets {
		if err := ValidateBucketName(b); err != nil {
			return nil, fmt.Errorf("gcs.Start: %w", err)
		}
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("gcs.Start: listen %s: %w", addr, err)
	}
	url := "http://" + lis.Addr().String()
	root, tmpDir, err := storageRoot(opts)
	if err != nil {
		lis.Close()
		return nil, fmt.Errorf("gcs.Start: %w", err)
	}
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		NoListener:  true, // we serve its handler on our own listener, so Addr is honoured exactly
		Scheme:      "http",
		ExternalURL: url, // Location of resumable uploads must point back here
		// Path-style XML reads (GET /bucket/object, what the storage client's readers send)
		// are routed only for requests addressed to the public host.
		PublicHost:  lis.Addr().String(),
		Writer:      io.Discard,
		StorageRoot: root,
	})
	if err != nil {
		lis.Close()
		removeTmp(tmpDir)
		return nil, fmt.Errorf("gcs.Start: %w", err)
	}
	s := &Server{fake: fake, lis: lis, url: url, served: make(chan struct{}), dir: root, tmpDir: tmpDir,
		http: &http.Server{Handler: fake.HTTPHandler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(lis)
	}()
	for _, b := range opts.Buckets {
		fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: b})
	}
	return s, nil
}

// storageRoot is the directory fake-gcs-server keeps objects in ("" for its memory backend)
// and, when Start made it, the directory Close removes.
func storageRoot(opts Options) (root, tmp string, err error) {
	switch {
	case opts.Memory:
		return "", "", nil
	case opts.Dir != "":
		return opts.Dir, "", nil
	}
	tmp, err = os.MkdirTemp(tmpfs(), "fake-gcs-")
	if err != nil {
		return "", "", fmt.Errorf("object directory: %w", err)
	}
	return tmp, tmp, nil
}

// tmpfs returns /dev/shm when it is a writable directory (memory-backed on Linux, so a write
// is not a disk write), else the default temporary directory.
func tmpfs() string {
	const shm = "/dev/shm"
	if st, err := os.Stat(shm); err == nil && st.IsDir() {
		if f, err := os.CreateTemp(shm, ".probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return shm
		}
	}
	return os.TempDir()
}

func removeTmp(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	return nil
}

// URL returns the server's base URL (http://host:port).
func (s *Server) URL() string { return s.url }

// Dir returns the directory holding the objects ("" with Options.Memory).
func (s *Server) Dir() string { return s.dir }

// Host returns host:port, the value for STORAGE_EMULATOR_HOST.
func (s *Server) Host() string { return s.lis.Addr().String() }

// Client returns an official storage client talking to this server without credentials.
// The caller closes it.
func (s *Server) Client(ctx context.Context) (*storage.Client, error) {
	return NewClient(ctx, s.Host())
}

// CreateBucket creates an empty bucket (a no-op if it exists), for tests that need one more
// bucket than Options.Buckets named.
func (s *Server) CreateBucket(name string) error {
	if err := ValidateBucketName(name); err != nil {
		return fmt.Errorf("gcs.CreateBucket: %w", err)
	}
	s.fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: name})
	return nil
}

// Close stops the listener and every open connection; the port is free when it returns.
// Close is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		err := s.http.Close()
		// http.Server.Close only closes listeners Serve has registered; right after Start the
		// Serve goroutine may not have run yet, so close ours too and wait for Serve to end.
		if lerr := s.lis.Close(); err == nil && !errors.Is(lerr, net.ErrClosed) {
			err = lerr
		}
		<-s.served
		s.fake.Stop()
		if rerr := removeTmp(s.tmpDir); err == nil {
			err = rerr
		}
		if err != nil {
			s.closeErr = fmt.Errorf("gcs.Close: %w", err)
		}
	})
	return s.closeErr
}

// NewClient returns an official storage client for the fake GCS at host (host:port), without
// reading or changing STORAGE_EMULATOR_HOST.
func NewClient(ctx context.Context, host string) (*storage.Client, error) {
	if host == "" {
		return nil, errors.New("gcs.NewClient: empty host")
	}
	c, err := storage.NewClient(ctx,
		option.WithEndpoint("http://"+host+"/storage/v1/"),
		option.WithoutAuthentication())
	if err != nil {
		return nil, fmt.Errorf("gcs.NewClient %s: %w", host, err)
	}
	return c, nil
}
