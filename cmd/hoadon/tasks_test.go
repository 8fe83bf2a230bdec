package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// The API commands run against the whole system (every emulator and the
// server with every function, in this process). It is started on first use,
// so the offline tests of this package (captcha, xml, pull) stay fast when
// run alone, and stopped once all tests have run. The functions build one
// App per process from the environment, hence one harness per test binary.
var (
	sysOnce sync.Once
	sysH    *e2e.Harness
	sysErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sysH != nil {
		if err := sysH.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing the e2e harness:", err)
		}
	}
	os.Exit(code)
}

// system returns the running harness, starting it the first time.
func system(t *testing.T) *e2e.Harness {
	t.Helper()
	sysOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		opts := gdtsim.DefaultOptions()
		opts.Companies, opts.InvoicesPerMonth = 2, 3
		sysH, sysErr = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05, Auth: true})
	})
	if sysErr != nil {
		t.Fatalf("starting the system: %v", sysErr)
	}
	return sysH
}

// cli runs `hoadon args...` against the harness's API (unless args name
// another --api-url) and returns the exit code and both outputs.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return cliCtx(t, context.Background(), args...)
}

func cliCtx(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if !hasFlag(args, "--api-url") {
		args = append(args, "--api-url", system(t).URL)
	}
	code = Main(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// passwordFile writes a company's password to a file the way a user would.
func passwordFile(t *testing.T, password string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(p, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustSucceed fails the test unless the command exited 0.
func mustSucceed(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, args...)
	if code != 0 {
		t.Fatalf("hoadon %s = exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}
