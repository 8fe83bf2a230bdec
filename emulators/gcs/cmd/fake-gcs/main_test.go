package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/emulators/gcs"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--bucket", "bucket-a"}, pw, io.Discard) }()

	line := make([]byte, 100)
	n, err := pr.Read(line)
	if err != nil {
		t.Fatal(err)
	}
	host, ok := strings.CutPrefix(strings.TrimSpace(string(line[:n])), "STORAGE_EMULATOR_HOST=")
	if !ok {
		t.Fatalf("printed %q", line[:n])
	}
	c, err := gcs.NewClient(ctx, host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Bucket("bucket-a").Attrs(ctx); err != nil {
		t.Fatalf("bucket from --bucket: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	l, err := net.Listen("tcp", host)
	if err != nil {
		t.Fatalf("port still held: %v", err)
	}
	l.Close()
}

func TestRunBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--bucket", "UPPER"}, {"--addr", "nope"}, {"extra"}, {"--dir", "x", "--memory"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
