package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/emulators/localstack"
)

// options are the command's settings: the stack's Config plus what only the command does.
type options struct {
	cfg          localstack.Config
	envFile      string
	keyFile      string
	quiet        bool
	firestoreLog bool
	// functionsURL and schedtickEvery drive the local Cloud Scheduler
	// stand-in (schedtick.go).
	functionsURL     string
	schedtickEvery   time.Duration
	schedtickAccount string
}

// functionsURLVar is the workflow variable workflows-yaml reads to find the functions.
const functionsURLVar = "HOADON_FUNCTIONS_URL"

// envFlag collects repeated KEY=VALUE flags.
type envFlag map[string]string

func (e envFlag) String() string { return fmt.Sprint(map[string]string(e)) }

func (e envFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	e[k] = v
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	sim := gdt.DefaultOptions()
	wfEnv := envFlag{}
	fs := flag.NewFlagSet("localstack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: localstack [flags]\n\nStarts the local emulators and prints the environment "+
			"(KEY=VALUE lines) the server and CLI read. Ctrl-C stops everything.\n\nFlags:")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.envFile, "env-file", "", "also write the environment to this file (removed again on exit)")
	fs.StringVar(&o.keyFile, "key-file", "", "with --functions-url: the server's local encryption key file, created if missing "+
		"(default DATA_DIR/key, else a temporary file removed on exit)")
	fs.BoolVar(&o.quiet, "quiet", false, "discard the Workflows and Cloud Tasks emulators' logs")
	fs.BoolVar(&o.firestoreLog, "firestore-log", false, "copy the Firestore emulator's JVM log to stderr")
	fs.StringVar(&o.cfg.GDTURL, "gdt-url", "", "use this portal base URL (with /api) instead of starting the simulator")
	fs.StringVar(&o.cfg.WorkflowsDir, "workflows-dir", localstack.DefaultWorkflowsDir, "directory of the workflow YAML files")
	fs.StringVar(&o.cfg.DataDir, "data-dir", "", "keep Firestore and GCS data here across restarts (empty: in memory)")
	fs.Var(wfEnv, "wf-env", "workflow user environment variable KEY=VALUE (repeatable)")
	functionsURL := fs.String("functions-url", "", "where the server serves the functions (workflow variable "+
		functionsURLVar+"; an explicit --wf-env wins)")
	fs.DurationVar(&o.schedtickEvery, "schedtick-every", time.Minute, "POST {functions-url}/schedtick this often, "+
		"as Cloud Scheduler does, so schedules run locally (0 = off; needs --functions-url)")
	fs.StringVar(&o.schedtickAccount, "schedtick-account", "", "service account the schedtick calls' ID tokens name "+
		"(default: the Workflows emulator's, which HOADON_INTERNAL_PRINCIPALS lists)")
	fs.Float64Var(&o.cfg.WorkflowTimeScale, "wf-time-scale", 0, "multiply workflow sleeps and retry backoff (0 = real time)")
	fs.StringVar(&o.cfg.Project, "project", localstack.DefaultProject, "project id (HOADON_PROJECT)")
	fs.StringVar(&o.cfg.Location, "location", localstack.DefaultLocation, "location (HOADON_LOCATION)")
	fs.StringVar(&o.cfg.Bucket, "bucket", localstack.DefaultBucket, "bucket created in fake GCS (HOADON_BUCKET)")
	fs.StringVar(&o.cfg.Java, "java", "", "java executable for the Firestore emulator (default $HOADON_JAVA, then PATH)")
	fs.StringVar(&o.cfg.FirestoreJar, "firestore-jar", "", "Firestore emulator jar (default $HOADON_FIRESTORE_JAR, then the google-cloud-cli path)")
	addrFlags(fs, &o.cfg, &sim)
	simFlags(fs, &sim)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.schedtickEvery < 0 {
		return o, fmt.Errorf("--schedtick-every must not be negative")
	}
	o.functionsURL = *functionsURL
	if _, set := wfEnv[functionsURLVar]; *functionsURL != "" && !set {
		wfEnv[functionsURLVar] = *functionsURL
	}
	if len(wfEnv) > 0 {
		o.cfg.WorkflowEnv = wfEnv
	}
	simSet := false
	fs.Visit(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "sim-") || f.Name == "seed" || f.Name == "gdt-addr" {
			simSet = true
		}
	})
	switch {
	case o.cfg.GDTURL != "" && simSet:
		return o, fmt.Errorf("--gdt-url uses an external portal: --seed, --gdt-addr and --sim-* do not apply")
	case o.cfg.GDTURL == "":
		if sim.Latency.Max < sim.Latency.Min {
			sim.Latency.Max = sim.Latency.Min
		}
		if sim.ExportLatency.Max < sim.ExportLatency.Min {
			sim.ExportLatency.Max = sim.ExportLatency.Min
		}
		o.cfg.GDT = &sim
	}
	return o, nil
}

// addrFlags are the per-service listen addresses.
func addrFlags(fs *flag.FlagSet, cfg *localstack.Config, sim *gdt.Options) {
	const free = " (default: a free port on 127.0.0.1)"
	fs.StringVar(&sim.Addr, "gdt-addr", sim.Addr, "GDT simulator listen address")
	fs.StringVar(&cfg.FirestoreAddr, "firestore-addr", "", "Firestore emulator listen address"+free)
	fs.StringVar(&cfg.GCSAddr, "gcs-addr", "", "fake GCS listen address"+free)
	fs.StringVar(&cfg.TasksAddr, "tasks-addr", "", "Cloud Tasks emulator gRPC address"+free)
	fs.StringVar(&cfg.WorkflowsAddr, "workflows-addr", "", "Workflows emulator gRPC address"+free)
	fs.StringVar(&cfg.OIDCAddr, "oidc-addr", "", "OIDC issuer (discovery and JWKS) address"+free)
	fs.StringVar(&cfg.GeminiAddr, "gemini-addr", "", "fake Gemini listen address"+free)
}

// simFlags pass the GDT simulator's main knobs through (see emulators/gdt Options).
func simFlags(fs *flag.FlagSet, o *gdt.Options) {
	fs.Int64Var(&o.Seed, "seed", o.Seed, "GDT simulator data seed")
	fs.StringVar(&o.LegacyAddr, "sim-legacy-addr", "", "extra simulator listener with the legacy :30000 layout")
	fs.IntVar(&o.Companies, "sim-companies", o.Companies, "simulated companies (accounts)")
	fs.IntVar(&o.InvoicesPerMonth, "sim-invoices", o.InvoicesPerMonth, "invoices per company, month and flow")
	fs.Float64Var(&o.DossierlessShare, "sim-dossierless-share", o.DossierlessShare, "share of e-invoices without original XML")
	fs.Float64Var(&o.RelatedShare, "sim-related-share", o.RelatedShare, "share of replacement/adjustment invoices")
	fs.IntVar(&o.LockoutThreshold, "sim-lockout", o.LockoutThreshold, "wrong passwords before lock-out (0 = never)")
	fs.BoolVar(&o.RequireRequestID, "sim-require-request-id", o.RequireRequestID, "WAF blocks requests without request-id")
	fs.DurationVar(&o.Latency.Min, "sim-latency-min", 0, "minimum added latency (all but export-xml)")
	fs.DurationVar(&o.Latency.Max, "sim-latency-max", 0, "maximum added latency (all but export-xml)")
	fs.DurationVar(&o.ExportLatency.Min, "sim-export-latency-min", 0, "minimum added export-xml latency")
	fs.DurationVar(&o.ExportLatency.Max, "sim-export-latency-max", 0, "maximum added export-xml latency")
	fs.IntVar(&o.Limits.MaxConcurrent, "sim-max-concurrent", 0, "per-account concurrent requests (0 = unlimited)")
	fs.Float64Var(&o.Limits.RatePerSecond, "sim-rate", 0, "per-account requests per second (0 = unlimited)")
	fs.IntVar(&o.Limits.Burst, "sim-burst", 0, "per-account burst")
	fs.Float64Var(&o.Faults.ServerErrorShare, "sim-error-share", 0, "share of data requests answered 502/503/504")
	fs.Float64Var(&o.Faults.RateLimitShare, "sim-rate-limit-share", 0, "share of data requests starting a 429 episode")
	fs.DurationVar(&o.Faults.RateLimitFor, "sim-rate-limit-for", 0, "length of a 429 episode")
	fs.Float64Var(&o.Faults.DropShare, "sim-drop-share", 0, "share of connections dropped without response")
	fs.Float64Var(&o.Faults.CorruptZipShare, "sim-corrupt-zip-share", 0, "share of truncated export ZIPs")
}
