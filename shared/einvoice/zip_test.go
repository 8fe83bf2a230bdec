package einvoice_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

type entry struct {
	name string
	data []byte
}

// buildZIP writes entries the way the portal's export-xml ZIP holds them.
func buildZIP(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// portalZIP mimics the 5-file export-xml ZIP of gdt-portal.md §7.
func portalZIP(t testing.TB, xmlName string, xmlData []byte) []byte {
	return buildZIP(t,
		entry{xmlName, xmlData},
		entry{"invoice.html", []byte("<html><body>hóa đơn</body></html>")},
		entry{"details.js", []byte("/* jQuery */")},
		entry{"viewinvoice-bg.jpg", []byte("\xff\xd8\xff\xe0 jpeg")},
		entry{"sign-check.jpg", []byte("\xff\xd8\xff\xe0 jpeg")},
	)
}

func TestParseZIP(t *testing.T) {
	xmlData := readFixture(t, "vat_8_kct_discount.xml")
	want := mustParse(t, "vat_8_kct_discount.xml")
	for _, name := range []string{"invoice.xml", "C26TAA_128/invoice.xml", "0101234565_1_C26TAA_128.XML"} {
		t.Run(name, func(t *testing.T) {
			z := portalZIP(t, name, xmlData)
			for fn, parse := range map[string]func([]byte) (*einvoice.Invoice, error){"ParseZIP": einvoice.ParseZIP, "ParseAny": einvoice.ParseAny} {
				got, err := parse(z)
				if err != nil {
					t.Fatalf("%s: %v", fn, err)
				}
				if diff := cmp.Diff(want, got, numEqual); diff != "" {
					t.Errorf("%s differs from Parse (-want +got):\n%s", fn, diff)
				}
			}
		})
	}
	t.Run("several xml, one invoice.xml", func(t *testing.T) {
		z := buildZIP(t, entry{"meta.xml", []byte("<x/>")}, entry{"invoice.xml", xmlData})
		if _, err := einvoice.ParseZIP(z); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ParseAny on XML", func(t *testing.T) {
		if _, err := einvoice.ParseAny(xmlData); err != nil {
			t.Fatal(err)
		}
	})
}

// Ensure bad ZIPs, including a zip bomb, give bad_data errors quickly.
func TestParseZIPErrors(t *testing.T) {
	xmlData := readFixture(t, "vat_8_kct_discount.xml")
	bomb := bytes.Repeat([]byte(" "), einvoice.MaxXMLSize+10)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"not a zip", []byte("PK\x03\x04garbage"), "not a readable ZIP"},
		{"no xml", buildZIP(t, entry{"invoice.html", []byte("<html/>")}), "no .xml entry"},
		{"two xml", buildZIP(t, entry{"a.xml", xmlData}, entry{"b.xml", xmlData}), "2 .xml entries"},
		{"only resource fork", buildZIP(t, entry{"__MACOSX/._invoice.xml", xmlData}), "no .xml entry"},
		{"bomb", buildZIP(t, entry{"invoice.xml", bomb}), "expands beyond"},
		{"xml inside is bad", buildZIP(t, entry{"invoice.xml", []byte("<HDon>")}), "not well-formed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := einvoice.ParseZIP(tc.in)
			if err == nil || hoadon.ErrorCode(err) != hoadon.CodeBadData || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseZIP error = %v, want bad_data mentioning %q", err, tc.want)
			}
		})
	}
	if len(buildZIP(t, entry{"invoice.xml", bomb})) > 100_000 {
		t.Error("test bomb is not a bomb")
	}
}
