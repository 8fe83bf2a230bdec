package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where figures came from.
type machine struct {
	CPUs     int     `json:"nproc"`
	Model    string  `json:"cpu_model"`
	MemGiB   float64 `json:"mem_gib"`
	Load1    string  `json:"load_avg_1m_at_start"`
	GoVer    string  `json:"go"`
	Kernel   string  `json:"kernel"`
	Hostname string  `json:"-"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVer: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				m.MemGiB = round(kb/(1<<20), 1)
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.Load1 = strings.Fields(string(b))[0]
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
