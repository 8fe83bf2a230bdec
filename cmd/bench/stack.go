package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// Identifiers of the benchmark's local project.
const (
	project        = "bench-project"
	location       = "us-central1"
	bucket         = "hoadon-bench"
	baselineBucket = "hoadon-baseline"
)

// binaries are the commands a scenario runs, built once per bench run.
var binaries = map[string]string{
	"server":              "./cmd/server",
	"gdtsim":              "./emulators/gdt/cmd/gdtsim",
	"cloudtasks-emulator": "./emulators/cloudtasks/cmd/cloudtasks-emulator",
	"workflows-emulator":  "./emulators/workflows/cmd/workflows-emulator",
	"firestore-emulator":  "./emulators/firestore/cmd/firestore-emulator",
	"fake-gcs":            "./emulators/gcs/cmd/fake-gcs",
}

// build compiles every binary into dir with one go build.
func build(ctx context.Context, root, dir string) error {
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, pkg := range binaries {
		args = append(args, pkg)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// stack is one scenario's running system.
type stack struct {
	procs
	server, sim, gcs, firestore, tasks, workflows *proc
	url                                           string // the server
	simURL                                        string // portal base URL with /api
	gcsHost                                       string
	bin                                           string // directory of the built binaries
}

// services lists the processes whose CPU is measured, in table order.
func (s *stack) services() []*proc {
	return []*proc{s.server, s.firestore, s.tasks, s.workflows, s.gcs, s.sim}
}

var (
	reFirestore = regexp.MustCompile(`FIRESTORE_EMULATOR_HOST=(\S+)`)
	reGCS       = regexp.MustCompile(`STORAGE_EMULATOR_HOST=(\S+)`)
	reSim       = regexp.MustCompile(`gdtsim: portal (\S+) `)
	reTasks     = regexp.MustCompile(`cloudtasks emulator: grpc (\S+),`)
	reWorkflows = regexp.MustCompile(`workflows emulator listening.* grpc=(\S+)`)
	reServer    = regexp.MustCompile(`server: listening on (\S+)`)
)

// startStack starts every process of a scenario, each logging to dir. On
// error the caller still calls stopAll.
func startStack(ctx context.Context, o options, sc scenario, root, bin, dir string) (*stack, error) {
	s := &stack{bin: bin}
	var err error
	exe := func(name string) string { return filepath.Join(bin, name) }
	if s.firestore, err = s.start(dir, "firestore", exe("firestore-emulator"), []string{"--addr", "127.0.0.1:0"}, nil); err != nil {
		return s, err
	}
	if s.gcs, err = s.start(dir, "gcs", exe("fake-gcs"), []string{"--addr", "127.0.0.1:0", "--bucket", bucket}, nil); err != nil {
		return s, err
	}
	lat := sc.Latency.String()
	if s.sim, err = s.start(dir, "gdtsim", exe("gdtsim"), []string{"--addr", "127.0.0.1:0", "--seed", "1",
		"--companies", strconv.Itoa(sc.Companies), "--invoices", strconv.Itoa(sc.perFlow()),
		"--dossierless-share", "0", "--related-share", "0", "--lockout", "0",
		"--export-latency-min", lat, "--export-latency-max", lat, "--max-concurrent", strconv.Itoa(sc.Concurrency + o.headroom)}, nil); err != nil {
		return s, err
	}
	if s.tasks, err = s.start(dir, "cloudtasks", exe("cloudtasks-emulator"), []string{"--addr", "127.0.0.1:0"}, nil); err != nil {
		return s, err
	}
	port, err := freePort()
	if err != nil {
		return s, err
	}
	s.url = "http://127.0.0.1:" + strconv.Itoa(port)
	if s.workflows, err = s.start(dir, "workflows", exe("workflows-emulator"), []string{"--addr", "127.0.0.1:0",
		"--dir", filepath.Join(root, "workflows-yaml"), "--project", project, "--location", location,
		"--time-scale", strconv.FormatFloat(o.timeScale, 'g', -1, 64),
		"--env", "HOADON_FUNCTIONS_URL=" + s.url, "--env", "HOADON_POLL_MAX_SECONDS=" + strconv.Itoa(o.pollMax)}, nil); err != nil {
		return s, err
	}
	addrs := map[string]string{}
	for _, w := range []struct {
		p  *proc
		re *regexp.Regexp
	}{{s.gcs, reGCS}, {s.sim, reSim}, {s.tasks, reTasks}, {s.workflows, reWorkflows}, {s.firestore, reFirestore}} {
		if addrs[w.p.name], err = w.p.await(ctx, w.re, 3*time.Minute); err != nil {
			return s, err
		}
	}
	s.simURL, s.gcsHost = addrs["gdtsim"], addrs["gcs"]
	env := []string{
		"PORT=" + strconv.Itoa(port), "LOCAL_ONLY=true",
		"FIRESTORE_EMULATOR_HOST=" + addrs["firestore"], "STORAGE_EMULATOR_HOST=" + s.gcsHost,
		"HOADON_GDT_BASE_URL=" + s.simURL, "HOADON_TASKS_ENDPOINT=" + addrs["cloudtasks"],
		"HOADON_WORKFLOWS_ENDPOINT=" + addrs["workflows"], "HOADON_FUNCTIONS_URL=" + s.url,
		"HOADON_PROJECT=" + project, "HOADON_LOCATION=" + location, "HOADON_BUCKET=" + bucket,
		"HOADON_ENCRYPTION_KEY=" + randomKey(), "HOADON_LOCAL=true", "HOADON_INSTANCE=bench",
		// The standalone Workflows and Tasks emulators each sign with their own OIDC issuer
		// and the server trusts one, so token checks are off (docs/benchmarks.md).
		"HOADON_AUTH=off",
		"HOADON_COMPANY_CONCURRENCY=" + strconv.Itoa(sc.Concurrency),
		"HOADON_COMPANY_RATE=" + rate(sc), "HOADON_COMPANY_MAX_RATE=" + rate(sc),
	}
	serverBin, serverArgs := exe("server"), []string(nil)
	if o.pprof {
		self, err := os.Executable()
		if err != nil {
			return s, err
		}
		serverBin, serverArgs = self, []string{"serve"}
		env = append(env, envCPUProfile+"="+filepath.Join(dir, "server.cpu.pprof"))
	}
	if s.server, err = s.start(dir, "server", serverBin, serverArgs, env); err != nil {
		return s, err
	}
	if _, err := s.server.await(ctx, reServer, time.Minute); err != nil {
		return s, err
	}
	return s, waitHealthy(ctx, s.url+"/health", time.Minute)
}

// startGCS starts a fake GCS of its own with one bucket (objects as files on tmpfs) and
// returns it with its host.
func (s *stack) startGCS(ctx context.Context, dir, name, bkt string) (*proc, string, error) {
	p, err := s.start(dir, name, filepath.Join(s.bin, "fake-gcs"), []string{"--addr", "127.0.0.1:0", "--bucket", bkt}, nil)
	if err != nil {
		return nil, "", err
	}
	host, err := p.await(ctx, reGCS, time.Minute)
	return p, host, err
}

// rate is the company queues' dispatch rate, initial and ceiling: four
// times what C downloads of L each can use, so only concurrency binds.
func rate(sc scenario) string {
	return strconv.Itoa(int(math.Ceil(4 * float64(sc.Concurrency) / sc.Latency.Seconds())))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// waitHealthy polls url until it answers 200.
func waitHealthy(ctx context.Context, url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not healthy within %s: %v", within, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
