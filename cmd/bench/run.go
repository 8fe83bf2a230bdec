package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// runBench builds the binaries, runs each scenario on a fresh stack and
// writes the table, the JSON file and the headline line.
func runBench(ctx context.Context, args []string) error {
	o, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(o.out) {
		o.out = filepath.Join(root, o.out)
	}
	bin := filepath.Join(o.out, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if !o.skipBuild {
		fmt.Fprintln(os.Stderr, "bench: building the server and the emulators")
		if err := build(ctx, root, bin); err != nil {
			return err
		}
	}
	rep := report{Machine: describeMachine(), StartedAt: time.Now().UTC().Format(time.RFC3339), Options: optionsJSON(o)}
	var firstErr error
	for _, sc := range o.scenarios {
		fmt.Fprintf(os.Stderr, "bench: scenario %s: %d companies × %d invoices, C=%d, L=%s (bound %.1f/s)\n",
			sc.Name, sc.Companies, sc.Invoices, sc.Concurrency, sc.Latency, sc.bound())
		r, err := runScenario(ctx, o, sc, root, bin)
		if err != nil {
			r.Error = err.Error()
			fmt.Fprintf(os.Stderr, "bench: scenario %s: %v\n", sc.Name, err)
			if firstErr == nil {
				firstErr = fmt.Errorf("scenario %s: %w", sc.Name, err)
			}
		}
		rep.Results = append(rep.Results, r)
		if ctx.Err() != nil {
			break
		}
	}
	printTable(os.Stdout, rep)
	if err := writeJSON(o.jsonPath, root, rep); err != nil && firstErr == nil {
		firstErr = err
	}
	printHeadline(os.Stdout, rep)
	return firstErr
}

// runScenario runs one scenario on its own stack; every process is stopped
// before it returns, whatever happened.
func runScenario(ctx context.Context, o options, sc scenario, root, bin string) (r result, err error) {
	r = result{Scenario: sc, LatencyMS: ms(sc.Latency), Bound: round(sc.bound(), 1), Expected: sc.Companies * sc.perFlow() * 4}
	dir := filepath.Join(o.out, sc.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r, err
	}
	st, err := startStack(ctx, o, sc, root, bin, dir)
	defer func() {
		if serr := st.stopAll(); serr != nil && err == nil {
			err = serr
		}
	}()
	if err != nil {
		return r, err
	}
	before, err := usages(st.services())
	if err != nil {
		return r, err
	}
	opsBefore, err := readOps(ctx, newAPIClient(st.url))
	if err != nil {
		return r, err
	}
	importErr := runImports(ctx, o, sc, st, &r)
	if importErr != nil && !errors.Is(importErr, errTimeout) {
		return r, importErr
	}
	after, err := usages(st.services())
	if err != nil {
		return r, err
	}
	ours := 0.0
	for i, p := range st.services() {
		cpu := after[i].CPU - before[i].CPU
		r.Processes = append(r.Processes, procResult{Name: p.name, CPUSeconds: round(cpu, 2),
			CPUPer1000: per1000(cpu, r.Stored), PeakRSSMiB: mib(after[i].PeakRSS)})
		if p != st.sim {
			ours += cpu
		}
	}
	r.OursPer1000 = per1000(ours, r.Stored)
	if err := countOps(ctx, st, opsBefore, &r); err != nil {
		return r, err
	}
	if importErr != nil { // timed out: figures over the time waited, flagged
		r.Partial, r.Note = true, importErr.Error()
	}
	if o.noBaseline {
		fillPeaks(&r, st)
		return r, nil
	}
	b, err := runBaselineProc(ctx, o, sc, st, dir)
	if err != nil {
		return r, fmt.Errorf("baseline: %w", err)
	}
	r.Baseline = b
	fillPeaks(&r, st)
	if base := b.CPUPer1000 + b.GCSCPUPer1000; base > 0 {
		r.Overhead = round(r.OursPer1000/base, 2)
	}
	if b.CPUPer1000 > 0 {
		r.OverheadServer = round(r.Processes[0].CPUPer1000/b.CPUPer1000, 2)
	}
	return r, nil
}

// countOps fills r.Ops from the server's counts since opsBefore and the Workflows emulator's
// log (executions finished so far).
func countOps(ctx context.Context, st *stack, opsBefore map[string]int64, r *result) error {
	opsAfter, err := readOps(ctx, newAPIClient(st.url))
	if err != nil {
		return err
	}
	steps, httpCalls, err := workflowSteps(st.workflows.logPath)
	if err != nil {
		return err
	}
	r.Ops = opsPer1000(opsBefore, opsAfter, steps, httpCalls, r.Processes[0], r.WallSeconds, r.Stored)
	return nil
}

// fillPeaks records each process's peak RSS at the end of the scenario
// (the simulator also served the baseline; the baseline has a GCS of its own).
func fillPeaks(r *result, st *stack) {
	for i, p := range st.services() {
		if u, err := treeUsage(p.pid()); err == nil && i < len(r.Processes) {
			r.Processes[i].PeakRSSMiB = mib(u.PeakRSS)
		}
	}
}

func usages(ps []*proc) ([]usage, error) {
	out := make([]usage, len(ps))
	for i, p := range ps {
		u, err := treeUsage(p.pid())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		out[i] = u
	}
	return out, nil
}

// errTimeout ends a scenario whose imports did not finish within -timeout.
var errTimeout = errors.New("imports not final")

// runImports starts one import per company, probes status and start while
// they run, and fills the throughput figures once all are final.
func runImports(ctx context.Context, o options, sc scenario, st *stack, r *result) error {
	companies, err := simCompanies(ctx, st.simURL[:len(st.simURL)-len("/api")]+"/_sim/companies")
	if err != nil {
		return err
	}
	api := newAPIClient(st.url)
	bodies := make([]map[string]any, len(companies))
	ids := make([]string, len(companies))
	t0 := time.Now()
	for i, c := range companies {
		bodies[i] = startBody(c, o.from, o.to)
		if ids[i], _, _, err = api.start(ctx, bodies[i]); err != nil {
			return fmt.Errorf("starting the import of %s: %w", c.MST, err)
		}
	}
	tr := newTracker(ids)
	var statusS, startS samples
	pctx, stopProbes := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var first time.Duration
	wg.Add(4)
	go func() { defer wg.Done(); progress(pctx, tr, r.Expected, t0) }()
	go func() { defer wg.Done(); statusProbe(pctx, api, tr, o.probeStatus, &statusS) }()
	go func() {
		defer wg.Done()
		startProbe(pctx, api, tr, bodies, sc.Invoices, o.probeStart, &startS)
	}()
	go func() { defer wg.Done(); first = firstStored(pctx, api, ids[0], t0) }()
	timedOut := false
	select {
	case <-tr.done:
	case <-ctx.Done():
	case <-time.After(o.timeout):
		timedOut = true
	}
	stopProbes()
	wg.Wait()
	if ctx.Err() != nil {
		return fmt.Errorf("imports not final: %w", ctx.Err())
	}
	r.States = map[string]int{}
	var end time.Time
	for _, s := range tr.last {
		r.States[s.Status]++
		r.Stored += s.Counts["stored"]
		if s.FinishedAt.After(end) {
			end = s.FinishedAt
		}
	}
	if timedOut { // figures so far: a rate over the time waited
		r.Stored, end = tr.stored(), time.Now()
		if err := cancelAll(ctx, api, ids); err != nil {
			return err
		}
	}
	r.WallSeconds = round(end.Sub(t0).Seconds(), 2)
	r.PerSecond = round(float64(r.Stored)/r.WallSeconds, 1)
	r.Ratio = round(r.PerSecond/sc.bound(), 3)
	r.FirstStored = round(first.Seconds(), 2)
	r.Status, r.Start = statusS.summary(), startS.summary()
	if timedOut {
		return fmt.Errorf("%w after %s: %d of %d invoices stored; the figures are partial", errTimeout, o.timeout, r.Stored, r.Expected)
	}
	if r.States["completed"] != len(ids) || r.Stored != r.Expected {
		return fmt.Errorf("imports ended %v with %d of %d invoices stored", r.States, r.Stored, r.Expected)
	}
	return nil
}

// cancelAll cancels every import still running and waits until none has a
// download in flight, so the baseline that follows has the portal's slots to
// itself (queued tasks of a cancelled import end without calling the portal).
func cancelAll(ctx context.Context, api *apiClient, ids []string) error {
	for _, id := range ids {
		if err := api.cancel(ctx, id); err != nil {
			return fmt.Errorf("cancelling the import %s after the timeout: %w", id, err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for _, id := range ids {
		for {
			st, _, err := api.status(ctx, id)
			if err == nil && st.final() && st.Counts["downloading"] == 0 {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("import %s still downloading a minute after its cancel (%v)", id, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// progress tells the operator (stderr) how far the imports are, every 15 s.
func progress(ctx context.Context, t *tracker, expected int, t0 time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(15 * time.Second):
		}
		n := t.stored()
		fmt.Fprintf(os.Stderr, "bench:   %4.0fs  %d/%d stored (%.1f/s)\n", time.Since(t0).Seconds(), n, expected,
			float64(n)/time.Since(t0).Seconds())
	}
}

func per1000(cpu float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return round(cpu*1000/float64(n), 3)
}

func mib(b int64) float64 { return round(float64(b)/(1<<20), 1) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// repoRoot finds the module root from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory: run bench from the repository")
		}
		dir = parent
	}
}
