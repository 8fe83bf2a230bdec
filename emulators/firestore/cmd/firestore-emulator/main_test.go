package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--quiet"}, pw, io.Discard) }()

	lines := make(chan string, 1)
	go func() {
		buf := make([]byte, 200)
		n, _ := pr.Read(buf)
		lines <- string(buf[:n])
	}()
	var host string
	select {
	case l := <-lines:
		var ok bool
		if host, ok = strings.CutPrefix(strings.TrimSpace(l), "FIRESTORE_EMULATOR_HOST="); !ok {
			t.Fatalf("printed %q", l)
		}
	case err := <-done:
		t.Fatalf("run returned before printing: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("no FIRESTORE_EMULATOR_HOST line within 2 minutes")
	}
	if c, err := net.Dial("tcp", host); err != nil {
		t.Fatalf("emulator not listening on %s: %v", host, err)
	} else {
		c.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	l, err := net.Listen("tcp", host)
	if err != nil {
		t.Fatalf("port still held after run returned: %v", err)
	}
	l.Close()
}

func TestRunErrors(t *testing.T) {
	bogus := filepath.Join(t.TempDir(), "missing.jar")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--jar", bogus}, "jar not found"},
		{[]string{"--java", bogus}, "java not found"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
}
