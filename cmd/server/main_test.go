package main

import (
	"net/http"
	"testing"
	"time"
)

// TestServerTimeouts: every phase of a connection is bounded, and the write
// timeout leaves room for the workflow's longest call (discover, 1800 s).
func TestServerTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 || d > time.Hour {
			t.Errorf("%s = %s, want a bound under an hour", name, d)
		}
	}
	if srv.WriteTimeout <= 1800*time.Second {
		t.Errorf("WriteTimeout %s would cut off discover's 1800 s call", srv.WriteTimeout)
	}
}
