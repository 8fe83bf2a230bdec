package gdt

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"html"
	"io"
	"strings"
	"sync"
)

// Static members of every export ZIP. The real ones are jQuery and two
// images (~86 % of the bytes); these stand-ins keep the names and types
// but not the size.
var (
	staticOnce  sync.Once
	detailsJS   []byte
	backgroundJ []byte
	signCheckJ  []byte
)

func statics() {
	staticOnce.Do(func() {
		detailsJS = []byte("/* gdtsim stand-in for the portal's static viewer script */\n" +
			"(function(){ if (typeof document === 'undefined') return; document.title = 'Hóa đơn điện tử'; })();\n")
		backgroundJ = fakeJPEG("viewinvoice-bg")
		signCheckJ = fakeJPEG("sign-check")
	})
}

// fakeJPEG is a minimal JPEG-shaped blob (SOI, a COM segment, EOI).
func fakeJPEG(comment string) []byte {
	c := []byte("gdtsim " + comment)
	n := len(c) + 2
	b := []byte{0xFF, 0xD8, 0xFF, 0xFE, byte(n >> 8), byte(n)}
	b = append(b, c...)
	return append(b, 0xFF, 0xD9)
}

// exportZip builds the export-xml ZIP of an invoice; with badXML its
// invoice.xml is cut in half.
func (s *Simulator) exportZip(inv *invoice, badXML bool) ([]byte, error) {
	statics()
	xml := s.xmlBytes(inv)
	if badXML {
		xml = xml[:len(xml)/2]
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, pooledDeflate)
	mod := inv.stamps().coded
	files := []struct {
		name    string
		data    []byte
		deflate bool
	}{
		{"invoice.xml", xml, true},
		{"invoice.html", invoiceHTML(inv), true},
		{"details.js", detailsJS, true},
		{"viewinvoice-bg.jpg", backgroundJ, false},
		{"sign-check.jpg", signCheckJ, false},
	}
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Modified: mod, Method: zip.Store}
		if f.deflate {
			h.Method = zip.Deflate
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, fmt.Errorf("gdt.exportZip: %w", err)
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, fmt.Errorf("gdt.exportZip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gdt.exportZip: %w", err)
	}
	return buf.Bytes(), nil
}

// invoiceHTML is a small human-readable rendering referencing the static
// files by bare name, like GDT's.
func invoiceHTML(inv *invoice) []byte {
	var b strings.Builder
	e := html.EscapeString
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Hóa đơn điện tử</title>`)
	b.WriteString(`<script src="details.js"></script></head><body style="background:url(viewinvoice-bg.jpg)">`)
	fmt.Fprintf(&b, "<h1>%s</h1><p>Ký hiệu: %s Số: %d Ngày: %s</p>", e(thdon(inv.Key.KHMSHDon)), e(inv.Key.KHHDon), inv.Key.SHDon, inv.Date.Format("02/01/2006"))
	fmt.Fprintf(&b, "<p>Người bán: %s (MST %s)</p><p>Người mua: %s %s</p><table>", e(inv.Seller.Name), e(inv.Seller.MST), e(inv.Buyer.Name), e(inv.Buyer.MST))
	for _, l := range inv.Lines {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td></tr>", e(l.Name), l.Qty, inv.money(l.Amount), e(l.Rate))
	}
	fmt.Fprintf(&b, `</table><p>Tổng cộng: %s %s (%s)</p><img src="sign-check.jpg"></body></html>`, inv.money(inv.Total), inv.currency(), e(inv.inWords(inv.Total)))
	return []byte(b.String())
}

// flatePool reuses deflate writers: allocating one costs more than
// compressing a whole invoice.
var flatePool = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	return w
}}

type pooledWriter struct{ *flate.Writer }

func (p pooledWriter) Close() error {
	err := p.Writer.Close()
	flatePool.Put(p.Writer)
	return err
}

func pooledDeflate(w io.Writer) (io.WriteCloser, error) {
	fw := flatePool.Get().(*flate.Writer)
	fw.Reset(w)
	return pooledWriter{fw}, nil
}
