package export_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/export/exporttest"
)

// soffice finds LibreOffice (Debian: libreoffice-calc-nogui).
func soffice(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("LibreOffice is not installed: apt-get install libreoffice-calc-nogui (.ci/run does)")
	return ""
}

// convert runs LibreOffice headless on in, with a profile of its own so
// parallel runs do not share one, and returns the converted file.
func convert(t *testing.T, in, format, ext string) []byte {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice(t), "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", format, "--outdir", filepath.Join(dir, "out"), in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	stem := filepath.Base(in[:len(in)-len(filepath.Ext(in))])
	data, err := os.ReadFile(filepath.Join(dir, "out", stem+"."+ext))
	if err != nil {
		t.Fatalf("libreoffice wrote no %s (%v):\n%s", ext, err, out)
	}
	return data
}

// TestLibreOfficeReadsWorkbook opens the workbook in LibreOffice, saves it
// again as .xlsx and checks the copy with the same oracle: what LibreOffice
// read is what the exporter meant. (Headless LibreOffice has no view, so
// the copy has no frozen panes to compare.)
func TestLibreOfficeReadsWorkbook(t *testing.T) {
	src, want := fixture(t)
	var buf bytes.Buffer
	if _, err := export.WriteWorkbook(context.Background(), &buf, src, selection(t), export.Options{}); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "bang-ke.xlsx")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	again := convert(t, in, `xlsx:Calc MS Excel 2007 XML`, "xlsx")
	for _, d := range exporttest.CheckValues(again, want) {
		t.Error("after LibreOffice: " + d)
	}
}
