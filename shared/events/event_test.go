package events_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestCatalogueCovered(t *testing.T) {
	if len(samples) != len(events.Types) {
		t.Fatalf("%d samples for %d types", len(samples), len(events.Types))
	}
	for i, d := range samples {
		if d.EventType() != events.Types[i] {
			t.Errorf("sample %d is %s, want %s", i, d.EventType(), events.Types[i])
		}
		if !strings.HasPrefix(string(d.EventType()), "vn.hoadon.") {
			t.Errorf("%s outside vn.hoadon.", d.EventType())
		}
	}
}

// TestGoldenData pins the JSON shape of each type's data; run with -update
// after a deliberate change and review the diff (consumers depend on it).
func TestGoldenData(t *testing.T) {
	for _, d := range samples {
		t.Run(string(d.EventType()), func(t *testing.T) {
			e, err := events.New(d, at)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, e.Data(), "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", "golden", strings.TrimPrefix(string(d.EventType()), "vn.hoadon.")+".json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s (-golden +got):\n%s", path, diff)
			}
			back, err := events.Decode(e)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(d, reflect.ValueOf(back).Elem().Interface()); diff != "" {
				t.Errorf("Decode round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnvelope(t *testing.T) {
	e, err := events.New(samples[2], at)
	if err != nil {
		t.Fatal(err)
	}
	if e.Type() != "vn.hoadon.invoice.stored" || e.Source() != "//hoadon/imports/"+importID ||
		e.Subject() != "0101234565_1_C26TAA_42" || e.SpecVersion() != "1.0" ||
		e.DataContentType() != "application/json" || !e.Time().Equal(at) {
		t.Errorf("envelope = %s", e)
	}
	// Pinned so that a change of the id formula, which would break every
	// consumer's de-duplication across versions, cannot go unnoticed.
	if want := events.ID(importID, events.InvoiceStoredType, "0101234565_1_C26TAA_42"); e.ID() != want || e.ID() != "744a1638a3c31151698c93bb681eacc9" {
		t.Errorf("id = %s, want %s", e.ID(), want)
	}
}

func TestIDDeterministic(t *testing.T) {
	a, _ := events.New(samples[2], at)
	b, _ := events.New(samples[2], at.Add(time.Hour)) // re-run later: same change
	if a.ID() != b.ID() {
		t.Errorf("same state change, ids %s and %s", a.ID(), b.ID())
	}
	other := samples[2].(events.InvoiceStored)
	other.Invoice.SHDon++
	c, _ := events.New(other, at)
	failed, _ := events.New(samples[3], at) // same invoice, other type
	other.ImportID = "imp-2"
	d, _ := events.New(other, at)
	ids := map[string]bool{a.ID(): true, c.ID(): true, failed.ID(): true, d.ID(): true}
	if len(ids) != 4 {
		t.Errorf("ids collide: %v", ids)
	}
}

func TestNewRefuses(t *testing.T) {
	stored := samples[2].(events.InvoiceStored)
	bad := map[string]events.Data{
		"bad mst":           events.ImportCancelled{ImportID: importID, CompanyMST: "0101234560"},
		"empty import":      events.ImportCancelled{CompanyMST: mst},
		"slash in import":   events.ImportCancelled{ImportID: "a/b", CompanyMST: mst},
		"unknown flow":      events.ImportStarted{ImportID: importID, CompanyMST: mst, From: "2026-10-01", To: "2026-10-31", Flows: []hoadon.Flow{"x"}},
		"period backwards":  events.ImportStarted{ImportID: importID, CompanyMST: mst, From: "2026-10-31", To: "2026-10-01"},
		"direction vs flow": func() events.Data { s := stored; s.Direction = hoadon.Purchase; return s }(),
		"bad key":           func() events.Data { s := stored; s.Invoice.KHMSHDon = 0; return s }(),
		"no xml object":     func() events.Data { s := stored; s.Objects.XML = ""; return s }(),
		"negative count":    events.ImportCompleted{ImportID: importID, CompanyMST: mst, Counts: events.Counts{Failed: -1}},
		"failed no code":    events.ImportFailed{ImportID: importID, CompanyMST: mst},
	}
	for name, d := range bad {
		if _, err := events.New(d, at); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("%s: err = %v, want CodeInvalid", name, err)
		}
	}
	if _, err := events.New(samples[0], time.Time{}); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("zero time: err = %v", err)
	}
}

func TestReasonClipped(t *testing.T) {
	f := samples[3].(events.InvoiceFailed)
	f.Reason = strings.Repeat("lỗi ", 200)
	e, err := events.New(f, at)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := events.Decode(e)
	if r := d.(*events.InvoiceFailed).Reason; len(r) > 310 || !strings.HasSuffix(r, "…") {
		t.Errorf("reason not clipped: %d bytes", len(r))
	}
}

// TestNoSecretFields guards the rule that events never carry credentials,
// tokens, captcha answers or invoice XML: no data field may be named so.
func TestNoSecretFields(t *testing.T) {
	forbidden := regexp.MustCompile(`(?i)pass|token|captcha|secret|cookie|^xml$|content|body`)
	var walk func(reflect.Type, string)
	walk = func(rt reflect.Type, path string) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if forbidden.MatchString(name) && path+name != "objects.xml" {
				t.Errorf("%s: field %q", rt.Name(), path+name)
			}
			if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == rt.PkgPath() {
				walk(f.Type, path+name+".")
			}
		}
	}
	for _, d := range samples {
		walk(reflect.TypeOf(d), "")
	}
}
