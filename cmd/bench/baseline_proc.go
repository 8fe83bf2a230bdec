package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

var reBaseline = regexp.MustCompile(`(?m)^(\{"stored".*\})$`)

// runBaselineProc runs 'bench baseline' as a child against the scenario's
// simulator and a fresh fake GCS of its own (so its writes cost what the
// imports' writes cost on an empty bucket, not more), and reads its CPU and peak RSS from the kernel's
// accounting of the reaped child (getrusage of children, via wait4).
func runBaselineProc(ctx context.Context, o options, sc scenario, st *stack, dir string) (*baselineFigures, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	gcs, gcsHost, err := st.startGCS(ctx, dir, "gcs-baseline", baselineBucket)
	if err != nil {
		return nil, err
	}
	gcsBefore, err := treeUsage(gcs.pid())
	if err != nil {
		return nil, err
	}
	simBefore, err := treeUsage(st.sim.pid())
	if err != nil {
		return nil, err
	}
	args := []string{"baseline", "-gdt", st.simURL, "-bucket", baselineBucket, "-c", strconv.Itoa(sc.Concurrency),
		"-from", o.from, "-to", o.to}
	if o.pprof {
		args = append(args, "-cpuprofile", filepath.Join(dir, "baseline.cpu.pprof"))
	}
	p, err := st.start(dir, "baseline", self, args, []string{"STORAGE_EMULATOR_HOST=" + gcsHost})
	if err != nil {
		return nil, err
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		_ = p.stop(5 * time.Second)
		return nil, ctx.Err()
	}
	gcsAfter, err := treeUsage(gcs.pid())
	if err != nil {
		return nil, err
	}
	simAfter, err := treeUsage(st.sim.pid())
	if err != nil {
		return nil, err
	}
	log, _ := os.ReadFile(p.logPath)
	if p.waitErr != nil {
		return nil, fmt.Errorf("%v; see %s:\n%s", p.waitErr, p.logPath, tail(log, 800))
	}
	m := reBaseline.FindSubmatch(log)
	if m == nil {
		return nil, fmt.Errorf("no result line in %s", p.logPath)
	}
	var res baselineResult
	if err := json.Unmarshal(m[1], &res); err != nil {
		return nil, fmt.Errorf("result line: %w", err)
	}
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return nil, fmt.Errorf("no rusage for the baseline process")
	}
	cpu := tv(ru.Utime) + tv(ru.Stime)
	n := int(res.Stored)
	b := &baselineFigures{Stored: res.Stored, Failed: res.Failed, WallSeconds: round(res.WallSeconds, 2),
		FirstStored: round(res.FirstStored, 2), CPUSeconds: round(cpu, 2), CPUPer1000: per1000(cpu, n),
		GCSCPUPer1000: per1000(gcsAfter.CPU-gcsBefore.CPU, n), SimCPUPer1000: per1000(simAfter.CPU-simBefore.CPU, n),
		PeakRSSMiB: mib(ru.Maxrss << 10)}
	if res.WallSeconds > 0 {
		b.PerSecond = round(float64(res.Stored)/res.WallSeconds, 1)
		b.Ratio = round(b.PerSecond/sc.bound(), 3)
	}
	if int(res.Stored) != sc.Companies*sc.perFlow()*4 {
		return b, fmt.Errorf("stored %d of %d invoices", res.Stored, sc.Companies*sc.perFlow()*4)
	}
	return b, nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
