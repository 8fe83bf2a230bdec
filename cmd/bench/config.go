package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// scenario is one measured configuration: companies × invoices each, with
// the portal answering every export after exactly Latency and allowing
// Concurrency requests in flight per account, the company queues matching it.
type scenario struct {
	Name        string        `json:"name"`
	Companies   int           `json:"companies"`
	Invoices    int           `json:"invoices_per_company"`
	Concurrency int           `json:"concurrency"`
	Latency     time.Duration `json:"export_latency_ns"`
}

// bound is Little's law: at most Concurrency requests in flight per
// account, each taking Latency, gives companies × C / L invoices a second.
func (s scenario) bound() float64 {
	return float64(s.Companies*s.Concurrency) / s.Latency.Seconds()
}

// known are the named scenarios; L is chosen per scenario so that the
// portal, not this 2-core machine, is the bottleneck and a run takes
// minutes (docs/benchmarks.md explains the choice).
var known = map[string]scenario{
	"one":    {Name: "one", Companies: 1, Invoices: 1000, Concurrency: 4, Latency: 200 * time.Millisecond},
	"twenty": {Name: "twenty", Companies: 20, Invoices: 500, Concurrency: 4, Latency: 2 * time.Second},
	"smoke":  {Name: "smoke", Companies: 2, Invoices: 40, Concurrency: 4, Latency: 50 * time.Millisecond},
	"large":  {Name: "large", Companies: 100, Invoices: 1000, Concurrency: 4, Latency: 8 * time.Second},
}

// headline is the scenario whose figures make the final ratio/overhead line.
const headline = "twenty"

// options are the command's flags.
type options struct {
	scenarios   []scenario
	out         string // directory of logs and binaries
	jsonPath    string
	timeScale   float64
	pollMax     int
	skipBuild   bool
	pprof       bool
	noBaseline  bool
	from, to    string
	probeStatus time.Duration // interval between status probes
	probeStart  time.Duration // interval between start probes
	timeout     time.Duration // per scenario
	headroom    int           // portal slots per account beyond C
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.String("scenarios", "one,twenty", "comma-separated scenarios: one, twenty, large (smoke: a 2 × 40 check of the harness)")
	lat := fs.Duration("latency", 0, "export latency L for every scenario (0: each scenario's own)")
	conc := fs.Int("concurrency", 0, "per-account limit and queue concurrency C (0: each scenario's own, 4)")
	fs.StringVar(&o.out, "out", "out/bench", "directory for process logs, binaries and profiles")
	fs.StringVar(&o.jsonPath, "json", "out/bench.json", "where to write the results as JSON")
	fs.Float64Var(&o.timeScale, "time-scale", 0.25, "workflow sleep multiplier (polling; downloads keep real time)")
	fs.IntVar(&o.pollMax, "poll-max", 8, "longest workflow poll interval in (unscaled) seconds")
	fs.BoolVar(&o.skipBuild, "skip-build", false, "use the binaries already in -out/bin")
	fs.BoolVar(&o.pprof, "pprof", false, "run the server as 'bench serve' and write its CPU profile to -out/<scenario>/server.cpu.pprof")
	fs.BoolVar(&o.noBaseline, "no-baseline", false, "skip the plain-loop baseline")
	fs.StringVar(&o.from, "from", "2026-09-01", "first day of the imported month")
	fs.StringVar(&o.to, "to", "2026-09-30", "last day of the imported month")
	fs.DurationVar(&o.probeStatus, "probe-status", 200*time.Millisecond, "interval between status probes")
	fs.DurationVar(&o.probeStart, "probe-start", time.Second, "interval between start probes")
	fs.IntVar(&o.headroom, "headroom", 0, "allow C + this many requests in flight per account at the portal (0: exactly C)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "stop waiting for a scenario's imports after this long (figures over the time waited, flagged partial; the baseline still runs)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, n := range strings.Split(*names, ",") {
		s, ok := known[strings.TrimSpace(n)]
		if !ok {
			return o, fmt.Errorf("unknown scenario %q (want one, twenty, large or smoke)", n)
		}
		if *lat > 0 {
			s.Latency = *lat
		}
		if *conc > 0 {
			s.Concurrency = *conc
		}
		o.scenarios = append(o.scenarios, s)
	}
	switch {
	case *lat < 0 || *conc < 0 || *conc > 100 || o.headroom < 0:
		return o, fmt.Errorf("-latency and -headroom must be ≥ 0 and -concurrency 0..100")
	case o.timeScale <= 0 || o.timeScale > 1:
		return o, fmt.Errorf("-time-scale must be in (0, 1]")
	case o.pollMax < 1:
		return o, fmt.Errorf("-poll-max must be ≥ 1")
	case o.probeStatus <= 0 || o.probeStart <= 0:
		return o, fmt.Errorf("probe intervals must be > 0")
	}
	o.out = filepath.Clean(o.out)
	return o, nil
}

// perFlow is the simulator's invoices per company, month and flow: the
// import covers one month of all four flows.
func (s scenario) perFlow() int { return (s.Invoices + 3) / 4 }
