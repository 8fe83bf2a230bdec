package einvoice_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func fixtures(f *testing.F) [][]byte {
	names, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checkResult holds for any input: either a bad_data error, or an invoice
// with a valid key whose JSON renders and reads back.
func checkResult(t *testing.T, inv *einvoice.Invoice, err error) {
	if err != nil {
		if hoadon.ErrorCode(err) != hoadon.CodeBadData {
			t.Fatalf("error not classified bad_data: %v", err)
		}
		return
	}
	if err := inv.Key().Validate(); err != nil {
		t.Fatalf("parsed invoice has an invalid key: %v", err)
	}
	b, err := inv.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	var back einvoice.Invoice
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("JSON does not read back: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	f.Add([]byte(minimal("", "")))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := einvoice.Parse(data)
		checkResult(t, inv, err)
	})
}

func FuzzParseZIP(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(portalZIP(f, "invoice.xml", b))
	}
	f.Add(buildZIP(f, entry{"a.xml", []byte("<x/>")}, entry{"b.xml", []byte("<y/>")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := einvoice.ParseAny(data)
		checkResult(t, inv, err)
	})
}

// TestMain caps fuzz minimisation unless -fuzzminimizetime is given. Go
// minimises every new interesting input with a search that is quadratic in
// its length; on multi-kilobyte XML seeds it uses the whole default 60 s per
// input, so a short fuzz run (make test gives each target a few seconds)
// would otherwise execute almost nothing.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		if err := flag.Set("test.fuzzminimizetime", "200x"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
