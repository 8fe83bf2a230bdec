package main

import (
	"context"
	"encoding/json"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// Ensure start --json prints exactly {"id": ...}, cancel stops the import,
// watch then ends with the cancelled line and exit 1, and a second cancel
// is harmless. The portal is down meanwhile, so the import cannot finish
// before the cancel arrives.
func TestStartJSONAndCancel(t *testing.T) {
	h := system(t)
	sim := h.Stack.GDT()
	prev := sim.Faults()
	sim.SetFaults(gdtsim.FaultOptions{Down: true})
	t.Cleanup(func() { sim.SetFaults(prev) })
	co := sim.Companies()[1]
	t.Setenv("CLI_TEST_PASSWORD", co.Password)

	out := mustSucceed(t, "start", "--json", "--mst", co.MST, "--password-env", "CLI_TEST_PASSWORD",
		"--from", "2026-09", "--to", "2026-10", "--flows", "ban_ra_dien_tu,mua_vao_dien_tu", "--idempotency-key", "cli-cancel-test")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 || got["id"] == nil {
		t.Fatalf("start --json printed %q; want exactly {\"id\": ...}", out)
	}
	id, _ := got["id"].(string)
	// The same idempotency key returns the same import, with a note.
	code, again, errs := cli(t, "start", "--mst", co.MST, "--password-env", "CLI_TEST_PASSWORD",
		"--from", "2026-09-01", "--to", "2026-10-31", "--flows", "ban_ra_dien_tu,mua_vao_dien_tu", "--idempotency-key", "cli-cancel-test")
	if code != 0 || strings.TrimSpace(again) != id || !strings.Contains(errs, "already running") {
		t.Errorf("repeated start = exit %d %q (stderr %q); want %s and a note", code, again, errs, id)
	}

	out = mustSucceed(t, "cancel", id)
	if !regexp.MustCompile(`^import ` + id + ` cancelled: \d+ stored, \d+ unavailable, \d+ failed, \d+ skipped\n$`).MatchString(out) {
		t.Errorf("cancel printed %q", out)
	}
	code, out, errs = cli(t, "watch", id, "--interval", "50ms")
	if code != 1 || !strings.HasSuffix(out, "import "+id+" cancelled: 0 stored, 0 unavailable, 0 failed, 0 skipped\n") ||
		!strings.Contains(errs, "cancelled") {
		t.Errorf("watch of a cancelled import = exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	out = mustSucceed(t, "cancel", "--json", id)
	var st struct{ Status string }
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Status != "cancelled" {
		t.Errorf("second cancel --json = %q; want status cancelled", out)
	}
	if out = mustSucceed(t, "events", id); !strings.Contains(out, "vn.hoadon.import.cancelled") {
		t.Errorf("events of the cancelled import:\n%s", out)
	}
}

// Ensure every kind of failure gives a clear message and the documented
// exit code: 1 for the API's refusals and an unreachable server, 2 for
// usage errors (found before anything is sent).
func TestCommandErrors(t *testing.T) {
	h := system(t)
	co := h.Stack.GDT().Companies()[0]
	pw := passwordFile(t, co.Password)
	down := closedPort(t)
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"unknown import", []string{"status", "00000000-0000-0000-0000-000000000000"}, 1, "import 00000000-0000-0000-0000-000000000000 not found at http://"},
		{"unknown import watch", []string{"watch", "00000000-0000-0000-0000-000000000000"}, 1, "import 00000000-0000-0000-0000-000000000000 not found at http://"},
		{"unknown import list", []string{"list", "00000000-0000-0000-0000-000000000000", "--json"}, 1, "import 00000000-0000-0000-0000-000000000000 not found at http://"},
		{"unknown import events", []string{"events", "00000000-0000-0000-0000-000000000000"}, 1, "import 00000000-0000-0000-0000-000000000000 not found at http://"},
		{"unknown import cancel", []string{"cancel", "00000000-0000-0000-0000-000000000000"}, 1, "import 00000000-0000-0000-0000-000000000000 not found at http://"},
		{"bad id", []string{"status", "a/b"}, 1, `task id "a/b" may hold only`},
		{"API refuses period", []string{"start", "--mst", co.MST, "--password-file", pw, "--from", "2026-10-01", "--to", "2026-09-01"}, 1, "before"},
		{"server down", []string{"status", "x", "--api-url", down}, 1, "the server at " + down + " is not reachable"},
		{"server down hint", []string{"start", "--mst", co.MST, "--password-file", pw, "--from", cliFrom, "--to", cliTo, "--api-url", down}, 1, "make run"},
		{"missing mst", []string{"start", "--password-file", pw, "--from", cliFrom, "--to", cliTo}, 2, "--mst"},
		{"bad mst", []string{"start", "--mst", "0100109107", "--password-file", pw, "--from", cliFrom, "--to", cliTo}, 2, "check digit"},
		{"no password", []string{"start", "--mst", co.MST, "--from", cliFrom, "--to", cliTo}, 2, "--password-file or --password-env"},
		{"password on argv", []string{"start", "--mst", co.MST, "--password-file", pw, "--from", cliFrom, "--to", cliTo, "hunter2"}, 2, "never given on the command line"},
		{"bad date", []string{"start", "--mst", co.MST, "--password-file", pw, "--from", "01/09/2026", "--to", cliTo}, 2, "--from"},
		{"bad flow", []string{"start", "--mst", co.MST, "--password-file", pw, "--from", cliFrom, "--to", cliTo, "--flows", "ban_ra"}, 2, "--flows"},
		{"status without id", []string{"status"}, 2, "one import ID"},
		{"status two ids", []string{"status", "a", "b"}, 2, "one import ID"},
		{"list nothing", []string{"list"}, 2, "--company"},
		{"list both", []string{"list", "x", "--company", co.MST}, 2, "not both"},
		{"list bad company", []string{"list", "--company", "123"}, 2, "--company"},
		{"bad api url", []string{"status", "x", "--api-url", "ftp://host"}, 2, "API URL"},
		{"bad interval", []string{"watch", "x", "--interval", "1ms"}, 2, "--interval"},
		{"unknown flag", []string{"events", "x", "--bogus"}, 2, "bogus"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := cli(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errs, tc.code, tc.want)
			}
			if strings.Contains(errs, co.Password) {
				t.Errorf("stderr shows the password")
			}
		})
	}
}

// Ensure Ctrl-C (a cancelled context) stops watching without cancelling
// the import.
func TestWatchInterrupted(t *testing.T) {
	h := system(t)
	sim := h.Stack.GDT()
	prev := sim.Faults()
	sim.SetFaults(gdtsim.FaultOptions{Down: true})
	t.Cleanup(func() { sim.SetFaults(prev) })
	co := sim.Companies()[1]
	id := strings.TrimSpace(mustSucceed(t, "start", "--mst", co.MST, "--password-file", passwordFile(t, co.Password),
		"--from", "2026-08-01", "--to", "2026-08-31"))
	t.Cleanup(func() { cli(t, "cancel", id) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var code int
	var out, errs string
	go func() {
		defer close(done)
		code, out, errs = cliCtx(t, ctx, "watch", id, "--interval", "50ms")
	}()
	// Wait for the first progress line, then interrupt.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, st, _ := cli(t, "status", id, "--json"); c == 0 && strings.Contains(st, `"status":"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no status within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop within 10s of the interrupt")
	}
	if code != 1 || !strings.Contains(errs, "stopped watching") || strings.Contains(out, "import "+id+" ") {
		t.Errorf("interrupted watch = exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, st, _ := cli(t, "status", id, "--json"); strings.Contains(st, `"status":"cancelled"`) {
		t.Errorf("interrupting watch cancelled the import: %s", st)
	}
}

// closedPort returns a loopback URL where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	return url
}
