package export_test

import (
	"archive/zip"
	"bytes"
	"testing"
)

// portalZIP is shaped like the portal's export-xml ZIP: the XML, its
// rendered HTML and static files.
func portalZIP(t *testing.T, stem string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"invoice.xml":  "<HDon>" + stem + "</HDon>",
		"invoice.html": "<html><body>Hóa đơn " + stem + "</body></html>",
		"details.js":   "/* viewer */",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
