package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func status(state hoadon.ImportState, phase string, total int, c map[hoadon.InvoiceStatus]int) client.Status {
	pending := c[hoadon.StatusDiscovered] + c[hoadon.StatusDownloading]
	return client.Status{TaskID: "imp-1", Status: state, Phase: phase, Total: total, Pending: pending, Counts: c}
}

// Ensure the rate follows the last span only, and is 0 without movement.
func TestRateWindow(t *testing.T) {
	r := rateWindow{span: 10 * time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if r.add(t0, 0); r.perSecond() != 0 {
		t.Errorf("one sample: rate %v, want 0", r.perSecond())
	}
	for i := 1; i <= 20; i++ { // 1/s for 20 s
		r.add(t0.Add(time.Duration(i)*time.Second), i)
	}
	if got := r.perSecond(); got != 1 {
		t.Errorf("steady 1/s: rate %v", got)
	}
	for i := 21; i <= 40; i++ { // then 5/s
		r.add(t0.Add(time.Duration(i)*time.Second), 20+5*(i-20))
	}
	if got := r.perSecond(); got != 5 {
		t.Errorf("after 20 s at 5/s: rate %v, want 5 (the old pace forgotten)", got)
	}
	if n := len(r.samples); n > 12 {
		t.Errorf("window keeps %d samples, want about span/interval", n)
	}
}

// Ensure the progress line shows the bar, the counts, the rate and an ETA
// from the pending invoices.
func TestProgressLine(t *testing.T) {
	st := status(hoadon.ImportRunning, "download", 40, map[hoadon.InvoiceStatus]int{
		hoadon.StatusStored: 8, hoadon.StatusUnavailable: 1, hoadon.StatusFailed: 1, hoadon.StatusDiscovered: 30})
	got := progressLine(st, 2)
	want := "[#####---------------]  25%  discovered 40  stored 8  unavailable 1  failed 1  pending 30  2.0/s  ETA 15s  (download)"
	if got != want {
		t.Errorf("progressLine =\n%q, want\n%q", got, want)
	}
	over := status(hoadon.ImportRunning, "download", 2, map[hoadon.InvoiceStatus]int{hoadon.StatusStored: 3})
	if got := progressLine(over, 0); !strings.HasPrefix(got, "[####################] 100%") {
		t.Errorf("more done than discovered: %q; want a full bar, not a panic", got)
	}
	st.Phase = "discovery"
	if got := progressLine(st, 0); !strings.Contains(got, "-/s  ETA -  (discovery)") {
		t.Errorf("without a rate: %q", got)
	}
}

// Ensure a terminal gets one line redrawn with \r, a pipe one line per
// change, and --json one status per change.
func TestWatcherModes(t *testing.T) {
	t0 := time.Now()
	seq := []client.Status{
		status(hoadon.ImportRunning, "download", 4, map[hoadon.InvoiceStatus]int{hoadon.StatusDiscovered: 4}),
		status(hoadon.ImportRunning, "download", 4, map[hoadon.InvoiceStatus]int{hoadon.StatusDiscovered: 4}),
		status(hoadon.ImportRunning, "download", 4, map[hoadon.InvoiceStatus]int{hoadon.StatusDiscovered: 2, hoadon.StatusStored: 2}),
		status(hoadon.ImportCompleted, "done", 4, map[hoadon.InvoiceStatus]int{hoadon.StatusStored: 4}),
	}
	run := func(w *watcher) string {
		var b bytes.Buffer
		w.out, w.rate = &b, rateWindow{span: 10 * time.Second}
		for i, st := range seq {
			if err := w.show(st, t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		w.endLine()
		return b.String()
	}
	tty := run(&watcher{tty: true})
	if strings.Count(tty, "\r") != 4 || strings.Count(tty, "\n") != 1 || !strings.HasSuffix(tty, "(done)\x1b[K\n") {
		t.Errorf("terminal output %q: want 4 redraws of one line and one newline at the end", tty)
	}
	pipe := run(&watcher{})
	if lines := strings.Split(strings.TrimSuffix(pipe, "\n"), "\n"); len(lines) != 3 || strings.Contains(pipe, "\r") {
		t.Errorf("pipe output %q: want 3 lines (the repeated status skipped)", pipe)
	}
	js := run(&watcher{json: true})
	lines := strings.Split(strings.TrimSuffix(js, "\n"), "\n")
	var last client.Status
	if len(lines) != 3 || json.Unmarshal([]byte(lines[2]), &last) != nil || last.Status != hoadon.ImportCompleted {
		t.Errorf("--json output %q: want 3 status objects ending completed", js)
	}
}

// Ensure the final line keeps its documented shape.
func TestFinalLine(t *testing.T) {
	st := status(hoadon.ImportFailed, "done", 9, map[hoadon.InvoiceStatus]int{
		hoadon.StatusStored: 5, hoadon.StatusUnavailable: 1, hoadon.StatusFailed: 2, hoadon.StatusSkipped: 1})
	if got, want := finalLine(st), "import imp-1 failed: 5 stored, 1 unavailable, 2 failed, 1 skipped"; got != want {
		t.Errorf("finalLine = %q, want %q", got, want)
	}
}
