package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times; it is 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// usage is what the kernel accounts for a process tree.
type usage struct {
	CPU     float64 // user+system seconds, including reaped children
	PeakRSS int64   // sum of VmHWM over the tree, bytes
}

// treeUsage reads /proc for pid and every descendant (the Firestore
// launcher's JVM is a child of the command bench started).
func treeUsage(pid int) (usage, error) {
	pids := descendants(pid)
	var u usage
	for i, p := range pids {
		cpu, err := statCPU(p)
		if err != nil {
			if i == 0 {
				return u, err
			}
			continue // a child that just exited
		}
		u.CPU += cpu
		u.PeakRSS += vmHWM(p)
	}
	return u, nil
}

// descendants returns pid followed by every process below it.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, err := parentOf(p); err == nil {
			children[pp] = append(children[pp], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// statFields returns the fields of /proc/PID/stat after the command name
// (which may contain spaces and parentheses), so index 0 is field 3 (state).
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, fmt.Errorf("procstat: %w", err)
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("procstat: /proc/%d/stat: no command field", pid)
	}
	return strings.Fields(string(b[i+1:])), nil
}

func parentOf(pid int) (int, error) {
	f, err := statFields(pid)
	if err != nil || len(f) < 2 {
		return 0, fmt.Errorf("procstat: ppid of %d: %v", pid, err)
	}
	return strconv.Atoi(f[1])
}

// statCPU is utime+stime+cutime+cstime (fields 14–17) in seconds.
func statCPU(pid int) (float64, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	if len(f) < 15 {
		return 0, fmt.Errorf("procstat: /proc/%d/stat: %d fields", pid, len(f))
	}
	var ticks int64
	for _, s := range f[11:15] { // fields 14..17, counted from field 3
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("procstat: /proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return float64(ticks) / clockTicks, nil
}

// vmHWM is the peak resident set size in bytes (0 when unknown).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
