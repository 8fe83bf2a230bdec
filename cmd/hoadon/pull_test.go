package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

func pullRunMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), append([]string{"pull"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func pullSim(t *testing.T) (*gdtsim.Server, gdtsim.Company) {
	t.Helper()
	opts := gdtsim.DefaultOptions()
	opts.Companies = 1
	opts.InvoicesPerMonth = 4
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, srv.Companies()[0]
}

// Ensure `hoadon pull` downloads a simulator period into the documented
// layout, reports a summary, and a second run skips everything.
func TestPullCommand(t *testing.T) {
	srv, co := pullSim(t)
	out := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(co.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--base-url", srv.URL(), "--username", co.MST, "--password-file", pw,
		"--from", "2026-03", "--to", "2026-04", "--out", out, "--timeout", "10s"}
	code, stdout, stderr := pullRunMain(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	truths := srv.Invoices(co.MST, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC))
	stored := 0
	for _, tr := range truths {
		if tr.HasXML {
			stored++
		}
	}
	xmls, _ := filepath.Glob(filepath.Join(out, co.MST, "*", "2026-0[34]", "*.xml"))
	jsons, _ := filepath.Glob(filepath.Join(out, co.MST, "*", "2026-0[34]", "*.json"))
	if len(xmls) != stored || len(jsons) != stored {
		t.Fatalf("%d xml and %d json files, want %d each\n%s", len(xmls), len(jsons), stored, stdout)
	}
	if !strings.Contains(stdout, "stored "+strconv.Itoa(stored)) || !strings.Contains(stdout, "failed 0") {
		t.Errorf("summary line: %q", stdout)
	}
	if strings.Contains(stdout+stderr, co.Password) {
		t.Errorf("password printed")
	}
	code, stdout, _ = pullRunMain(t, args...)
	if code != 0 || !strings.Contains(stdout, "stored 0, skipped "+strconv.Itoa(stored)) {
		t.Fatalf("second run: exit %d, %q", code, stdout)
	}
}

// Ensure usage errors: no password source, password on argv impossible,
// bad dates, unknown flows; and a wrong password exits non-zero.
func TestPullCommandErrors(t *testing.T) {
	srv, co := pullSim(t)
	t.Setenv("HOADON_TEST_PW", "wrong-password")
	base := []string{"--base-url", srv.URL(), "--username", co.MST, "--from", "2026-03-01", "--to", "2026-03-31", "--out", t.TempDir()}
	for name, tc := range map[string]struct {
		args []string
		code int
		want string
	}{
		"no password":    {base, 2, "--password-file or --password-env"},
		"password flag":  {append(base, "--password", "x"), 2, "flag provided but not defined"},
		"bad date":       {append(base, "--password-env", "HOADON_TEST_PW", "--from", "2026-13-01"), 2, "--from"},
		"bad flow":       {append(base, "--password-env", "HOADON_TEST_PW", "--flows", "nope"), 2, "--flows"},
		"unset env":      {append(base, "--password-env", "HOADON_TEST_UNSET"), 1, "HOADON_TEST_UNSET"},
		"wrong password": {append(base, "--password-env", "HOADON_TEST_PW"), 1, "hoadon pull: pull: login: portal refused the username or password"},
	} {
		code, stdout, stderr := pullRunMain(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q (stdout %q)", name, code, stderr, stdout)
		}
		if strings.Contains(stdout+stderr, "wrong-password") {
			t.Errorf("%s: password printed", name)
		}
	}
}
