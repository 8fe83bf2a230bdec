package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFunctionTargetHandler: FUNCTION_TARGET picks one function, served on
// every path; an unknown name is refused with the list of names.
func TestFunctionTargetHandler(t *testing.T) {
	if _, err := handler("nosuch"); err == nil || !strings.Contains(err.Error(), "download") {
		t.Fatalf("handler(nosuch) = %v; want an error listing the functions", err)
	}
	if _, err := handler(""); err != nil {
		t.Fatal(err)
	}
}

// TestFunctionTargetDrainsOnShutdown: with FUNCTION_TARGET set, a request in
// flight when SIGTERM arrives (the context ends) still gets its answer, and
// serve returns only after it.
func TestFunctionTargetDrainsOnShutdown(t *testing.T) {
	fn, err := handler("api")
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	ctx, sigterm := context.WithCancel(context.Background())
	defer sigterm()
	served := make(chan error, 1)
	go func() { served <- serve(ctx, lis, fn) }()

	// The function is served on every path, as on Cloud Run.
	resp, err := http.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /health through FUNCTION_TARGET=api: %d", resp.StatusCode)
	}

	// A start request whose body is still arriving when the signal comes.
	body, w := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/tasks/start", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", h.Env["HOADON_API_KEY"])
	answer := make(chan *http.Response, 1)
	// A connection of its own: the health check's idle keep-alive connection
	// could be closed by the shutdown before the server reads this request.
	// Expect: 100-continue makes the client send the body only once the
	// handler reads it, so the first write below returns while the request
	// is being handled (not still in the listener's backlog or unread).
	req.Header.Set("Expect", "100-continue")
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, ExpectContinueTimeout: time.Minute}}
	go func() {
		resp, err := fresh.Do(req)
		if err != nil {
			t.Errorf("request in flight was cut: %v", err)
		}
		answer <- resp
	}()
	if _, err := io.WriteString(w, `{"task_type": "gdt_invoice_import", `); err != nil {
		t.Fatal(err)
	}
	sigterm()
	waitRefused(t, addr) // shutdown has begun: the listener is closed
	select {
	case err := <-served:
		t.Fatalf("serve returned %v with a request in flight", err)
	default:
	}
	io.WriteString(w, `"task_params": {"company_id": "not-a-tax-code"}}`)
	w.Close()
	resp = <-answer
	if resp == nil {
		return
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("in-flight request answered %d %s; want the 400 of its own bad tax code", resp.StatusCode, raw)
	}
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// waitRefused polls until addr refuses connections.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections after shutdown began", addr)
}
