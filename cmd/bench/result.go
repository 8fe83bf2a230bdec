package main

// procResult is one process's cost in a scenario.
type procResult struct {
	Name       string  `json:"name"`
	CPUSeconds float64 `json:"cpu_seconds"`
	CPUPer1000 float64 `json:"cpu_seconds_per_1000_stored"`
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

// baselineFigures are the plain loop's results in the same scenario.
type baselineFigures struct {
	Stored      int64   `json:"stored"`
	Failed      int64   `json:"failed"`
	WallSeconds float64 `json:"wall_seconds"`
	PerSecond   float64 `json:"stored_per_second"`
	Ratio       float64 `json:"ratio_to_bound"`
	FirstStored float64 `json:"first_stored_seconds"`
	// CPU of the baseline process itself, and of fake GCS and the portal
	// simulator while it ran.
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUPer1000    float64 `json:"cpu_seconds_per_1000_stored"`
	GCSCPUPer1000 float64 `json:"gcs_cpu_seconds_per_1000_stored"`
	SimCPUPer1000 float64 `json:"sim_cpu_seconds_per_1000_stored"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
}

// result is one scenario's figures.
type result struct {
	Scenario    scenario       `json:"scenario"`
	LatencyMS   float64        `json:"export_latency_ms"`
	Bound       float64        `json:"bound_per_second"`
	Expected    int            `json:"expected_invoices"`
	Stored      int            `json:"stored"`
	States      map[string]int `json:"import_states"`
	WallSeconds float64        `json:"wall_seconds"`
	PerSecond   float64        `json:"stored_per_second"`
	Ratio       float64        `json:"ratio_to_bound"`
	FirstStored float64        `json:"first_stored_seconds"`
	Status      latency        `json:"status_latency"`
	Start       latency        `json:"start_latency"`
	Processes   []procResult   `json:"processes"`
	// OursPer1000 is the CPU of everything the pipeline needs (server,
	// Firestore, Tasks, Workflows, GCS; not the portal) per 1,000 stored.
	OursPer1000 float64 `json:"ours_cpu_seconds_per_1000_stored"`
	// Ops are the billable operations per 1,000 stored invoices (shared/opcount's kinds,
	// Workflows steps, Cloud Run vCPU- and GiB-seconds; docs/cost.md prices them).
	Ops      map[string]float64 `json:"ops_per_1000_stored,omitempty"`
	Baseline *baselineFigures   `json:"baseline,omitempty"`
	// Overhead is OursPer1000 over the baseline's own plus GCS CPU per
	// 1,000; OverheadServer compares the server process alone with the
	// baseline process alone.
	Overhead       float64 `json:"overhead"`
	OverheadServer float64 `json:"overhead_server"`
	// Partial is set when -timeout ended the wait: the hoadon figures
	// cover the time waited (Note says how much was stored), the baseline
	// is complete.
	Partial bool   `json:"partial,omitempty"`
	Note    string `json:"note,omitempty"`
	Error   string `json:"error,omitempty"`
}

// report is the JSON file.
type report struct {
	Machine   machine  `json:"machine"`
	StartedAt string   `json:"started_at"`
	Options   any      `json:"options"`
	Results   []result `json:"results"`
}
