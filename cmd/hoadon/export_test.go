package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Ensure export refuses a bad selection before it asks the API anything.
func TestExportUsage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.xlsx")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--company", "0100000003", "--from", "2026-08-01", "--to", "2026-08-31", "--out", out}, "required"},
		{[]string{"--company", "0100000000", "--from", "2026-08-01", "--to", "2026-08-31", "--direction", "sold", "--out", out}, "--company"},
		{[]string{"--company", "0100000003", "--from", "2026-08-01", "--to", "2026-08-31", "--direction", "both", "--out", out}, "--direction"},
		{[]string{"--company", "0100000003", "--from", "2026-08-01", "--to", "2026-08-31", "--direction", "sold", "--format", "pdf", "--out", out}, "--format"},
		{[]string{"--company", "0100000003", "--from", "08/2026", "--to", "2026-08-31", "--direction", "sold", "--out", out}, "--from"},
	} {
		code, _, errs := cli(t, append([]string{"export", "--api-url", "http://127.0.0.1:1"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("hoadon export %v = exit %d %q; want exit 2 naming %s", tc.args, code, errs, tc.want)
		}
	}
}
