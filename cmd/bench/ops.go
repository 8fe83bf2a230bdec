package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
)

// readOps reads the server's billable-operation counts (GET /debug/ops, shared/opcount).
func readOps(ctx context.Context, api *apiClient) (map[string]int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.base+"/debug/ops", nil)
	if err != nil {
		return nil, err
	}
	resp, err := api.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ops: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ops: GET /debug/ops: %s", resp.Status)
	}
	var m map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("ops: %w", err)
	}
	return m, nil
}

var reExecFinished = regexp.MustCompile(`msg="execution finished".* steps=(\d+) http_calls=(\d+)`)

// workflowSteps sums the steps and HTTP calls of every execution the Workflows emulator
// logged as finished.
func workflowSteps(logPath string) (steps, httpCalls int64, err error) {
	f, err := os.Open(logPath)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := reExecFinished.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		s, _ := strconv.ParseInt(m[1], 10, 64)
		h, _ := strconv.ParseInt(m[2], 10, 64)
		steps, httpCalls = steps+s, httpCalls+h
	}
	return steps, httpCalls, sc.Err()
}

// opsPer1000 turns the counts of a scenario into operations per 1,000 stored invoices, with
// the Workflows steps (internal ones: all but the HTTP calls, which are external unless they
// reach a Google API; docs/cost.md) and the server's Cloud Run vCPU- and GiB-seconds (CPU it
// used; its peak RSS over the wall time, an upper bound of the memory it held).
func opsPer1000(before, after map[string]int64, steps, httpCalls int64, server procResult, wall float64, stored int) map[string]float64 {
	out := map[string]float64{}
	if stored == 0 {
		return out
	}
	k := 1000 / float64(stored)
	for name, v := range after {
		out[name] = round(float64(v-before[name])*k, 2)
	}
	out["workflows_steps"] = round(float64(steps)*k, 2)
	out["workflows_http_steps"] = round(float64(httpCalls)*k, 2)
	out["run_vcpu_seconds"] = round(server.CPUSeconds*k, 3)
	out["run_gib_seconds"] = round(server.PeakRSSMiB/1024*wall*k, 3)
	return out
}
