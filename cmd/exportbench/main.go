// Command exportbench measures the bảng kê export at scale: for each size it
// runs itself as a child process that writes the workbook (or the bundle) of
// N invoices × L lines, and reports wall time, peak RSS (the child's
// ru_maxrss) and output size. Peak RSS that stays flat from 10,000 to
// 100,000 invoices shows the export streams (docs/benchmarks.md).
//
//	go run ./cmd/exportbench -sizes 10000,100000 -lines 5
//
// The invoices come from a synthetic Source that renders each invoice's
// parsed JSON on demand, so the export does the same per-invoice work as
// against the bucket (read, decode, write rows) and the figures measure the
// exporter, not an emulator.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Result is one measured export.
type Result struct {
	Invoices   int     `json:"invoices"`
	Lines      int     `json:"lines_per_invoice"`
	Format     string  `json:"format"`
	Seconds    float64 `json:"wall_seconds"`
	CPUSeconds float64 `json:"cpu_seconds"` // user + system of the child
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	OutputMiB  float64 `json:"output_mib"`
	PerSecond  float64 `json:"invoices_per_second"`
}

func main() {
	child := flag.Bool("child", false, "write one export (internal)")
	n := flag.Int("invoices", 10000, "invoices of the child export")
	sizes := flag.String("sizes", "10000,100000", "invoice counts to measure, comma-separated")
	lines := flag.Int("lines", 5, "lines per invoice")
	format := flag.String("format", "xlsx", "xlsx or zip")
	out := flag.String("out", "", "directory for the exports (default a temporary one, removed)")
	jsonOut := flag.String("json", "", "also write the results as JSON to this file")
	cpuProfile := flag.String("cpuprofile", "", "child: write a CPU profile here")
	flag.Parse()
	if *child && *cpuProfile != "" {
		stop, err := startProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "exportbench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if *child {
		if err := runChild(*n, *lines, *format, *out); err != nil {
			fmt.Fprintln(os.Stderr, "exportbench:", err)
			os.Exit(1) //nolint
		}
		return
	}
	if err := runParent(*sizes, *lines, *format, *out, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "exportbench:", err)
		os.Exit(1)
	}
}

func runParent(sizes string, lines int, format, out, jsonOut string) error {
	dir := out
	if dir == "" {
		d, err := os.MkdirTemp("", "exportbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var results []Result
	fmt.Printf("%10s %6s %6s %8s %8s %12s %11s %8s\n", "invoices", "lines", "format", "wall s", "CPU s", "peak RSS MiB", "output MiB", "inv/s")
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("size %q: want a positive integer", s)
		}
		r, err := measure(self, n, lines, format, dir)
		if err != nil {
			return err
		}
		results = append(results, r)
		fmt.Printf("%10d %6d %6s %8.1f %8.1f %12.1f %11.1f %8.0f\n", r.Invoices, r.Lines, r.Format, r.Seconds, r.CPUSeconds, r.PeakRSSMiB, r.OutputMiB, r.PerSecond)
	}
	if jsonOut == "" {
		return nil
	}
	b, _ := json.MarshalIndent(results, "", "  ")
	return os.WriteFile(jsonOut, append(b, '\n'), 0o644)
}

// measure runs one child and reads its rusage.
func measure(self string, n, lines int, format, dir string) (Result, error) {
	cmd := exec.Command(self, "-child", "-invoices", strconv.Itoa(n), "-lines", strconv.Itoa(lines), "-format", format, "-out", dir)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("export of %d invoices: %w", n, err)
	}
	wall := time.Since(start).Seconds()
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss, cpu float64
	if ru != nil {
		rss = float64(ru.Maxrss) / 1024 // KiB on Linux
		cpu = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)).Seconds()
	}
	fi, err := os.Stat(filepath.Join(dir, outName(n, format)))
	if err != nil {
		return Result{}, err
	}
	return Result{Invoices: n, Lines: lines, Format: format, Seconds: wall, CPUSeconds: cpu, PeakRSSMiB: rss,
		OutputMiB: float64(fi.Size()) / (1 << 20), PerSecond: float64(n) / wall}, nil
}

func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func outName(n int, format string) string { return fmt.Sprintf("export-%d.%s", n, format) }

func runChild(n, lines int, format, dir string) error {
	from, _ := hoadon.ParseDate("2026-01-01")
	to, _ := hoadon.ParseDate("2026-12-31")
	sel := export.Selection{Company: company, Direction: hoadon.Purchase, From: from, To: to}
	f, err := os.Create(filepath.Join(dir, outName(n, format)))
	if err != nil {
		return err
	}
	defer f.Close()
	src := &synthetic{n: n, lines: lines}
	opt := export.Options{TmpDir: dir}
	write := export.WriteWorkbook
	if format == "zip" {
		write = export.WriteBundle
	} else if format != "xlsx" {
		return fmt.Errorf("format %q: want xlsx or zip", format)
	}
	st, err := write(context.Background(), f, src, sel, opt)
	if err != nil {
		return err
	}
	if st.Invoices != n || st.Lines != n*lines {
		return fmt.Errorf("wrote %d invoices and %d lines, want %d and %d", st.Invoices, st.Lines, n, n*lines)
	}
	return f.Close()
}
