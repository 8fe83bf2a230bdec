package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
)

// printTable writes one block per scenario: throughput against the bound,
// API latency under load, then CPU and memory per process.
func printTable(w io.Writer, rep report) {
	m := rep.Machine
	fmt.Fprintf(w, "machine: %d × %s, %.1f GiB, load %s at start, %s\n\n", m.CPUs, m.Model, m.MemGiB, m.Load1, m.GoVer)
	for _, r := range rep.Results {
		sc := r.Scenario
		fmt.Fprintf(w, "== %s: %d companies × %d invoices, C=%d, L=%s, bound %.1f/s\n",
			sc.Name, sc.Companies, sc.Invoices, sc.Concurrency, sc.Latency, r.Bound)
		if r.Partial {
			fmt.Fprintf(w, "   PARTIAL: %s\n", r.Note)
		}
		if r.Error != "" {
			fmt.Fprintf(w, "   ERROR: %s\n", firstLine(r.Error))
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\trun\tstored\twall s\tstored/s\tratio\tfirst stored s\tCPU s/1000\t")
		fmt.Fprintf(tw, "\thoadon\t%d\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f\t\n", r.Stored, r.WallSeconds, r.PerSecond, r.Ratio, r.FirstStored, r.OursPer1000)
		if b := r.Baseline; b != nil {
			fmt.Fprintf(tw, "\tbaseline\t%d\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f\t\n", b.Stored, b.WallSeconds, b.PerSecond, b.Ratio, b.FirstStored, b.CPUPer1000+b.GCSCPUPer1000)
		}
		tw.Flush()
		fmt.Fprintf(w, "   status p50 %.1f ms p99 %.1f ms (n=%d, errors %d); start p50 %.1f ms p99 %.1f ms (n=%d, errors %d)\n",
			r.Status.P50, r.Status.P99, r.Status.N, r.Status.Errors, r.Start.P50, r.Start.P99, r.Start.N, r.Start.Errors)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\tprocess\tCPU s\tCPU s/1000\tpeak RSS MiB\t")
		for _, p := range r.Processes {
			fmt.Fprintf(tw, "\t%s\t%.1f\t%.3f\t%.0f\t\n", p.Name, p.CPUSeconds, p.CPUPer1000, p.PeakRSSMiB)
		}
		if b := r.Baseline; b != nil {
			fmt.Fprintf(tw, "\tbaseline\t%.1f\t%.3f\t%.0f\t\n", b.CPUSeconds, b.CPUPer1000, b.PeakRSSMiB)
			fmt.Fprintf(tw, "\tgcs (baseline)\t\t%.3f\t\t\n", b.GCSCPUPer1000)
			fmt.Fprintf(tw, "\tgdtsim (baseline)\t\t%.3f\t\t\n", b.SimCPUPer1000)
		}
		tw.Flush()
		printOps(w, r.Ops)
		if r.Baseline != nil {
			fmt.Fprintf(w, "   overhead (all but the portal / baseline + gcs) %.2f; server alone / baseline alone %.2f\n", r.Overhead, r.OverheadServer)
		}
		fmt.Fprintln(w)
	}
}

// printOps writes the billable operations per 1,000 stored invoices, in a fixed order.
func printOps(w io.Writer, ops map[string]float64) {
	if len(ops) == 0 {
		return
	}
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprint(w, "   operations per 1,000 stored:")
	for _, k := range names {
		fmt.Fprintf(w, " %s=%g", k, ops[k])
	}
	fmt.Fprintln(w)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// printHeadline prints the 20-company scenario's ratio and overhead.
func printHeadline(w io.Writer, rep report) {
	for _, r := range rep.Results {
		if r.Scenario.Name == headline {
			fmt.Fprintf(w, "ratio=%.3f overhead=%.2f\n", r.Ratio, r.Overhead)
			return
		}
	}
}

func writeJSON(path, root string, rep report) error {
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// optionsJSON is the part of the options worth recording with the figures.
func optionsJSON(o options) map[string]any {
	return map[string]any{"time_scale": o.timeScale, "poll_max_seconds": o.pollMax, "from": o.from, "to": o.to,
		"probe_status_interval": o.probeStatus.String(), "probe_start_interval": o.probeStart.String(), "pprof": o.pprof, "portal_headroom": o.headroom}
}
