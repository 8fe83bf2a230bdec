package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is a log the ticker and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestSchedTick(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/schedtick" || string(body) != "{}" {
			t.Errorf("got %s %s %q, want POST /schedtick {}", r.Method, r.URL.Path, body)
		}
		if got, want := r.Header.Get("Authorization"), "Bearer token-for-http://"+r.Host+"/schedtick"; got != want {
			t.Errorf("Authorization %q, want %q", got, want)
		}
		switch calls.Add(1) {
		case 1:
			http.Error(w, `{"error":{"code":"transient"}}`, http.StatusServiceUnavailable)
		case 2:
			w.Write([]byte(`{"started":[{"schedule_id":"a"}]}`))
		default:
			w.Write([]byte(`{"started":[]}`))
		}
	}))
	t.Cleanup(srv.Close)
	var log syncBuffer
	token := func(aud string) (string, error) { return "token-for-" + aud, nil }
	tick := newSchedTick(srv.URL+"/", 10*time.Millisecond, token, &log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); tick.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	n := calls.Load()
	if n < 4 {
		t.Fatalf("%d ticks within 10s", n)
	}
	out := log.String()
	if !strings.Contains(out, "503") || !strings.Contains(out, "started 1 scheduled import") {
		t.Fatalf("log:\n%s", out)
	}
	if strings.Count(out, "\n") != 2 { // ticks that started nothing are quiet
		t.Fatalf("log has extra lines:\n%s", out)
	}
	if calls.Load() != n {
		t.Fatal("ticks after the context ended")
	}
}

func TestSchedTickOff(t *testing.T) {
	if newSchedTick("", time.Minute, nil, io.Discard) != nil || newSchedTick("http://x", 0, nil, io.Discard) != nil {
		t.Fatal("ticker on without a functions URL or with period 0")
	}
	o, err := parseFlags([]string{"--functions-url", "http://127.0.0.1:1"}, io.Discard)
	if err != nil || o.schedtickEvery != time.Minute || o.functionsURL != "http://127.0.0.1:1" {
		t.Fatalf("defaults: %v %q %v", o.schedtickEvery, o.functionsURL, err)
	}
	if o, err := parseFlags([]string{"--schedtick-every", "0"}, io.Discard); err != nil || o.schedtickEvery != 0 {
		t.Fatalf("--schedtick-every 0: %v %v", o.schedtickEvery, err)
	}
	if _, err := parseFlags([]string{"--schedtick-every", "-1s"}, io.Discard); err == nil {
		t.Fatal("negative period accepted")
	}
}
