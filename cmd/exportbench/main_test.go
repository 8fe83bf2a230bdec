package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hoadon/hoadon/shared/export/exporttest"
)

// TestSyntheticExport runs the child's export small and reads it back: the
// benchmark measures a workbook that opens and holds every invoice.
func TestSyntheticExport(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"xlsx", "zip"} {
		if err := runChild(300, 5, format, dir); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, outName(300, "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	b, err := exporttest.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b.Rows("Bảng kê")); n != 301 {
		t.Errorf("Bảng kê has %d rows, want 300 + header", n)
	}
	if n := len(b.Rows("Chi tiết")); n != 1501 {
		t.Errorf("Chi tiết has %d rows, want 1,500 + header", n)
	}
	zipData, err := os.ReadFile(filepath.Join(dir, outName(300, "zip")))
	if err != nil {
		t.Fatal(err)
	}
	names, err := exporttest.Entries(zipData)
	if err != nil || len(names) != 601 {
		t.Errorf("bundle: %d entries (%v), want 300 XML + 300 JSON + the workbook", len(names), err)
	}
}
