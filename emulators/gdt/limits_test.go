package gdt_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestConcurrencyLimitAnswers429WithRetryAfter(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) {
		o.Limits.MaxConcurrent = 1
		o.Limits.ConcurrencyRetryAfter = 3 * time.Second
		o.ExportLatency = gdtsim.Latency{Min: time.Minute, Max: time.Minute}
	})
	tok := login(t, srv, 0)
	mst := srv.Companies()[0].MST
	rows, _ := walk(t, srv, tok, "sco-query", "sold", searchFor(march, marchEnd, ""), 5)
	slow := srv.URL() + "/sco-query/invoices/export-xml?" + keyQuery(rows[0])
	// The walk's last request may still hold its slot for a moment.
	waitFor(t, "earlier requests to finish", func() bool { return srv.InFlight(mst) == 0 })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, slow, nil)
		req.Header.Set("request-id", requestID())
		req.Header.Set("Authorization", "Bearer "+tok)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the slow export to be in flight", func() bool { return srv.InFlight(mst) == 1 })

	r := get(t, listURL(srv, "query", "sold", searchFor(march, marchEnd, ""), 5, "", false), tok)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3" {
		t.Fatalf("second concurrent request: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// Another account is not affected.
	if r := get(t, listURL(srv, "query", "sold", searchFor(march, marchEnd, ""), 5, "", false), login(t, srv, 1)); r.status != http.StatusOK {
		t.Fatalf("other account: %d", r.status)
	}
	cancel()
	<-done
	waitFor(t, "the slot to free", func() bool { return srv.InFlight(mst) == 0 })
	// A strictly sequential client is never refused at MaxConcurrent 1.
	for i := 0; i < 30; i++ {
		if r := get(t, listURL(srv, "query", "sold", searchFor(march, marchEnd, ""), 5, "", false), tok); r.status != http.StatusOK {
			t.Fatalf("sequential request %d after release: %d", i, r.status)
		}
	}
}

func TestRateLimitAndInjectedFaults(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.Limits.RatePerSecond = 0.01; o.Limits.Burst = 2 })
	tok := login(t, srv, 0)
	u := listURL(srv, "query", "sold", searchFor(march, marchEnd, ""), 5, "", false)
	for i := 0; i < 2; i++ {
		if r := get(t, u, tok); r.status != http.StatusOK {
			t.Fatalf("request %d within burst: %d", i, r.status)
		}
	}
	r := get(t, u, tok)
	secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || secs < 50 {
		t.Fatalf("over rate: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}

	f := gdtsim.Options{}.Faults
	f.RateLimitShare, f.RateLimitFor = 1, time.Minute
	other := login(t, srv, 1)
	srv.SetFaults(f)
	if r := get(t, u, other); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "60" {
		t.Fatalf("429 episode: %d %q", r.status, r.header.Get("Retry-After"))
	}
	srv.SetFaults(gdtsim.FaultOptions{})
	if r := get(t, u, other); r.status != http.StatusTooManyRequests {
		t.Fatalf("episode should outlast the fault switch: %d", r.status)
	}

	srv.SetDown(true)
	if r := get(t, srv.URL()+"/captcha", ""); r.status != http.StatusServiceUnavailable {
		t.Fatalf("down: %d", r.status)
	}
	srv.SetDown(false)
	if r := get(t, srv.URL()+"/captcha", ""); r.status != http.StatusOK {
		t.Fatalf("up again: %d", r.status)
	}
}

func TestServerErrorsCorruptZipsAndDrops(t *testing.T) {
	srv := start(t, nil)
	tok := login(t, srv, 0)
	rows, _ := walk(t, srv, tok, "sco-query", "sold", searchFor(march, marchEnd, ""), 5)
	exp := srv.URL() + "/sco-query/invoices/export-xml?" + keyQuery(rows[0])

	srv.SetFaults(gdtsim.FaultOptions{ServerErrorShare: 1})
	if r := get(t, exp, tok); r.status < 502 || r.status > 504 {
		t.Fatalf("injected 5xx: %d", r.status)
	}
	srv.SetFaults(gdtsim.FaultOptions{CorruptZipShare: 1})
	r := get(t, exp, tok)
	if _, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body))); r.status != 200 || err == nil {
		t.Fatalf("corrupt zip: %d, zip error %v", r.status, err)
	}
	srv.SetFaults(gdtsim.FaultOptions{CorruptXMLShare: 1})
	r = get(t, exp, tok)
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if r.status != 200 || err != nil {
		t.Fatalf("corrupt xml: %d, zip error %v (want a valid ZIP)", r.status, err)
	}
	if x := zipEntry(t, zr, "invoice.xml"); xml.Unmarshal(x, new(struct{})) == nil {
		t.Fatalf("corrupt xml: invoice.xml still well-formed: %q", x)
	}
	if c := srv.Corrupted(); len(c) != 2 || c[0].SHDon != c[1].SHDon || !c[1].HasXML {
		t.Fatalf("Corrupted() = %+v, want the one invoice twice", c)
	}
	srv.SetFaults(gdtsim.FaultOptions{DropShare: 1})
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/captcha", nil)
	req.Header.Set("request-id", requestID())
	// A fresh connection: Go retries idempotent requests on reused ones.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := fresh.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("dropped connection answered %d", res.StatusCode)
	}
	srv.SetFaults(gdtsim.FaultOptions{})
	if n := srv.Stats().Count("/captcha", 0); n != 1 {
		t.Errorf("dropped requests counted %d, want 1", n)
	}
}

func TestCursorLossAndTotalJitter(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) {
		o.InvoicesPerMonth = 40
		o.Faults = gdtsim.FaultOptions{CursorSkipShare: 1, TotalJitter: 3}
	})
	tok := login(t, srv, 0)
	rows, _ := walk(t, srv, tok, "query", "sold", searchFor(march, marchEnd, ""), 5)
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.key()] {
			t.Fatalf("%s listed twice", r.key())
		}
		seen[r.key()] = true
	}
	if len(rows) >= 40 || len(rows) < 30 {
		t.Fatalf("walk with a lossy cursor returned %d of 40 rows", len(rows))
	}
	totals := map[int]bool{}
	for i := 0; i < 20; i++ {
		var p page
		get(t, listURL(srv, "query", "sold", searchFor(march, marchEnd, ""), 5, "", false), tok).json(t, &p)
		if p.Total < 37 || p.Total > 43 {
			t.Fatalf("total %d outside 40±3", p.Total)
		}
		totals[p.Total] = true
	}
	if len(totals) < 2 {
		t.Errorf("total never varied: %v", totals)
	}
}

func zipEntry(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
