package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const xmlTestdata = "../../shared/einvoice/testdata"

func xmlRunMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// Ensure `hoadon xml parse` prints the same JSON as the golden file for an
// XML file and for a ZIP holding it, with no warnings.
func TestXMLParse(t *testing.T) {
	xmlPath := filepath.Join(xmlTestdata, "signed.xml")
	golden, err := os.ReadFile(filepath.Join(xmlTestdata, "golden", "signed.json"))
	if err != nil {
		t.Fatal(err)
	}
	xmlData, err := os.ReadFile(xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "invoice.zip")
	xmlWriteZIP(t, zipPath, "invoice.xml", xmlData)
	for _, path := range []string{xmlPath, zipPath} {
		code, stdout, stderr := xmlRunMain(t, "xml", "parse", path)
		if code != 0 || stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", path, code, stderr)
		}
		if stdout != string(golden) {
			t.Errorf("%s: stdout differs from golden:\n%s", path, stdout)
		}
		if !json.Valid([]byte(stdout)) || !strings.Contains(stdout, "\n  \"ttchung\"") {
			t.Errorf("%s: stdout is not indented JSON", path)
		}
	}
}

// Ensure warnings go to stderr while the JSON still goes to stdout.
func TestXMLParseWarnings(t *testing.T) {
	code, stdout, stderr := xmlRunMain(t, "xml", "parse", filepath.Join(xmlTestdata, "arithmetic_error.xml"))
	if code != 0 || !json.Valid([]byte(stdout)) {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{"warning: line_amount: line 1", "warning: total_payable"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
}

// Ensure malformed input, missing files and bad usage exit non-zero with a
// clear message and nothing on stdout.
func TestXMLParseErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	if err := os.WriteFile(bad, []byte("<HDon><DLHDon>"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyZIP := filepath.Join(dir, "empty.zip")
	xmlWriteZIP(t, emptyZIP, "invoice.html", []byte("<html/>"))
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"malformed xml", []string{bad}, 1, "bad.xml: unreadable invoice XML: not well-formed XML"},
		{"zip without xml", []string{emptyZIP}, 1, "no .xml entry"},
		{"missing file", []string{filepath.Join(dir, "nope.xml")}, 1, "no such file"},
		{"no argument", nil, 2, "usage: hoadon xml parse FILE.xml|FILE.zip"},
		{"two arguments", []string{bad, bad}, 2, "want exactly one file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := xmlRunMain(t, append([]string{"xml", "parse"}, tc.args...)...)
			internal := strings.Contains(stderr, "bad_data") || strings.Contains(stderr, "invalid:") || strings.Contains(stderr, "einvoice.")
			if code != tc.wantCode || stdout != "" || !strings.Contains(stderr, tc.want) || internal {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout, stderr, tc.wantCode, tc.want)
			}
		})
	}
}

func xmlWriteZIP(t *testing.T, path, name string, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = os.WriteFile(path, buf.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
