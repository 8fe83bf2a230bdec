package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.scenarios) != 2 || o.scenarios[0].Name != "one" || o.scenarios[1].Name != headline {
		t.Fatalf("default scenarios %+v", o.scenarios)
	}
	o, err = parseFlags([]string{"-scenarios", "twenty,large", "-latency", "500ms", "-concurrency", "2", "-headroom", "1"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range o.scenarios {
		if s.Latency != 500*time.Millisecond || s.Concurrency != 2 {
			t.Errorf("override not applied: %+v", s)
		}
	}
	if got := o.scenarios[0].bound(); got != 80 { // 20 × 2 / 0.5 s
		t.Errorf("bound = %v, want 80", got)
	}
	for _, bad := range [][]string{{"-scenarios", "huge"}, {"-time-scale", "0"}, {"-concurrency", "101"},
		{"-headroom", "-1"}, {"extra"}, {"-poll-max", "0"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestScenarioSizes(t *testing.T) {
	for name, want := range map[string]int{"one": 1000, "twenty": 10000, "large": 100000} {
		s := known[name]
		if got := s.Companies * s.perFlow() * 4; got != want {
			t.Errorf("%s: %d invoices, want %d", name, got, want)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var s samples
	for i := 100; i >= 1; i-- {
		s.add(time.Duration(i)*time.Millisecond, nil)
	}
	s.add(0, io.EOF)
	l := s.summary()
	if l.N != 100 || l.Errors != 1 || l.P50 != 50 || l.P99 != 99 || l.Max != 100 {
		t.Errorf("summary %+v", l)
	}
	if (&samples{}).summary().P99 != 0 {
		t.Error("empty samples have a p99")
	}
}

func TestTreeUsageSeesChildren(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for len(descendants(cmd.Process.Pid)) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("descendants of sh = %v, want sh and two sleeps", descendants(cmd.Process.Pid))
		}
		time.Sleep(10 * time.Millisecond)
	}
	u, err := treeUsage(cmd.Process.Pid)
	if err != nil || u.PeakRSS <= 0 {
		t.Fatalf("treeUsage = %+v, %v", u, err)
	}
	// This process's own CPU grows with work.
	before, _ := treeUsage(os.Getpid())
	x := 0
	for t0 := time.Now(); time.Since(t0) < 60*time.Millisecond; x++ {
	}
	after, err := treeUsage(os.Getpid())
	if err != nil || after.CPU <= before.CPU || x == 0 {
		t.Errorf("CPU %v → %v (%v)", before.CPU, after.CPU, err)
	}
	if _, err := treeUsage(1 << 30); err == nil {
		t.Error("usage of a process that does not exist")
	}
}

func TestProcsAwaitAndStop(t *testing.T) {
	var ps procs
	t.Cleanup(func() { ps.stopAll() })
	dir := t.TempDir()
	p, err := ps.start(dir, "echo", "sh", []string{"-c", "echo 'listening on 127.0.0.1:9; ok'; exec sleep 30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.await(context.Background(), regexp.MustCompile(`listening on (\S+);`), 5*time.Second)
	if err != nil || got != "127.0.0.1:9" {
		t.Fatalf("await = %q, %v", got, err)
	}
	dead, err := ps.start(dir, "dead", "sh", []string{"-c", "echo boom; exit 3"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dead.await(context.Background(), regexp.MustCompile(`never`), 5*time.Second); err == nil ||
		!strings.Contains(err.Error(), "exited before it was ready") {
		t.Fatalf("await of an exited process = %v", err)
	}
	t0 := time.Now()
	if err := ps.stopAll(); err != nil {
		t.Fatal(err)
	}
	if !p.exited() || time.Since(t0) > 5*time.Second {
		t.Fatalf("stopAll left the process running (exited %v after %s)", p.exited(), time.Since(t0))
	}
}

func TestReport(t *testing.T) {
	rep := report{Machine: machine{CPUs: 2, Model: "cpu"}, Results: []result{
		{Scenario: known["one"], Error: "boom\nmore"},
		{Scenario: known["twenty"], Ratio: 0.95, Overhead: 1.5, Stored: 10000,
			Processes: []procResult{{Name: "server", CPUSeconds: 1}}, Baseline: &baselineFigures{Stored: 10000}},
	}}
	var b bytes.Buffer
	printTable(&b, rep)
	printHeadline(&b, rep)
	out := b.String()
	for _, want := range []string{"ERROR: boom\n", "== twenty: 20 companies × 500 invoices", "server", "baseline",
		"\nratio=0.950 overhead=1.50\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "ratio=0.950 overhead=1.50\n") {
		t.Error("the headline is not the last line")
	}
}
