package gdt

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// invoiceCall builds a detail or export-xml request: the family picks the
// URL, the direction picks the Action label the web app would send.
func (c *Client) invoiceCall(kind opKind, flow hoadon.Flow, key hoadon.InvoiceKey) (call, error) {
	if !flow.Valid() {
		return call{}, hoadon.Errorf(hoadon.CodeInvalid, "unknown flow %q", flow)
	}
	if err := key.Validate(); err != nil {
		return call{}, err
	}
	side := "hóa đơn bán ra"
	if flow.Direction() == hoadon.Purchase {
		side = "hóa đơn mua vào"
	}
	cl := call{kind: kind, method: http.MethodGet, endPoint: listEndPointHeader,
		query: []param{{"nbmst", key.NBMST}, {"khhdon", key.KHHDon},
			{"shdon", strconv.FormatInt(key.SHDon, 10)}, {"khmshdon", strconv.Itoa(key.KHMSHDon)}}}
	base := "/" + string(flow.Family()) + "/invoices/"
	if kind == opExport {
		cl.path, cl.action, cl.accept = base+"export-xml", "Xuất xml ("+side+")", defaultAcceptZIP
		cl.limit, cl.timeout = c.cfg.MaxZIPBytes, c.cfg.ExportTimeout
	} else {
		cl.path, cl.action, cl.accept = base+"detail", "Xem hóa đơn ("+side+")", defaultAcceptJSON
		cl.limit, cl.timeout = maxJSONBytes, c.cfg.Timeout
	}
	return cl, nil
}

// Detail fetches one invoice with its line items (hdhhdvu, in Raw). The
// flow tells the family (query or sco-query) and the direction.
func (c *Client) Detail(ctx context.Context, sess *Session, flow hoadon.Flow, key hoadon.InvoiceKey) (*Invoice, error) {
	body, err := c.invoiceGet(ctx, sess, opData, flow, key)
	if err != nil {
		return nil, fmt.Errorf("gdt.Detail %s: %w", key, err)
	}
	inv, err := decodeInvoice(body, flow)
	if err != nil {
		return nil, fmt.Errorf("gdt.Detail %s: %w", key, err)
	}
	return &inv, nil
}

// ExportXML downloads the invoice's original-XML ZIP and returns its entries
// by name (normally invoice.xml, invoice.html, details.js and two images;
// some ZIPs put them in a subfolder). An invoice without an original
// dossier gives CodeNoDossier, a permanent answer; a corrupt or oversized
// ZIP gives CodeBadData.
func (c *Client) ExportXML(ctx context.Context, sess *Session, flow hoadon.Flow, key hoadon.InvoiceKey) (map[string][]byte, error) {
	_, files, err := c.ExportZIP(ctx, sess, flow, key)
	return files, err
}

// ExportZIP is ExportXML that also returns the ZIP exactly as the portal
// sent it, for callers that keep the original archive.
func (c *Client) ExportZIP(ctx context.Context, sess *Session, flow hoadon.Flow, key hoadon.InvoiceKey) ([]byte, map[string][]byte, error) {
	body, err := c.invoiceGet(ctx, sess, opExport, flow, key)
	if err != nil {
		return nil, nil, fmt.Errorf("gdt.ExportXML %s: %w", key, err)
	}
	files, err := unzip(body, c.cfg.MaxUnzippedBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("gdt.ExportXML %s: %w", key, err)
	}
	return body, files, nil
}

func (c *Client) invoiceGet(ctx context.Context, sess *Session, kind opKind, flow hoadon.Flow, key hoadon.InvoiceKey) ([]byte, error) {
	cl, err := c.invoiceCall(kind, flow, key)
	if err != nil {
		return nil, err
	}
	if sess == nil {
		return nil, hoadon.Errorf(hoadon.CodeSessionExpired, "no session")
	}
	r, err := c.send(ctx, sess.cookieJar(), sess.Token, cl)
	if err == nil {
		err = c.classify(kind, r)
	}
	if err != nil {
		return nil, err
	}
	if kind == opExport && !bytes.HasPrefix(r.body, []byte("PK")) {
		// A 200 that is not a ZIP: a JSON error in disguise, or garbage.
		if msg := errorMessage(r.body); msg != "" {
			return nil, classifyStatus(&response{status: http.StatusInternalServerError, header: r.header, body: r.body}, msg)
		}
		return nil, hoadon.Errorf(hoadon.CodeBadData, "export-xml answer is not a ZIP")
	}
	return r.body, nil
}

// unzip opens a ZIP held in memory, bounding entry count and total size
// (declared and actual) so a hostile archive cannot exhaust memory.
func unzip(data []byte, maxTotal int64) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "export-xml ZIP unreadable")
	}
	if len(zr.File) > defaultMaxZIPEntries {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "export-xml ZIP has %d entries", len(zr.File))
	}
	out := make(map[string][]byte, len(zr.File))
	var total int64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		b, err := readEntry(f, maxTotal-total)
		if err != nil {
			return nil, err
		}
		total += int64(len(b))
		out[f.Name] = b
	}
	return out, nil
}

func readEntry(f *zip.File, budget int64) ([]byte, error) {
	if int64(f.UncompressedSize64) > budget || budget <= 0 {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "export-xml ZIP too large at %q", f.Name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "export-xml ZIP entry "+f.Name)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, budget+1))
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "export-xml ZIP entry "+f.Name)
	}
	if int64(len(b)) > budget {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "export-xml ZIP too large at %q", f.Name)
	}
	return b, nil
}

// InvoiceXML picks the invoice XML among ExportXML's entries: invoice.xml
// at any depth if present, else the first .xml by name. It matches by
// extension because some archives use subfolders (§7).
func InvoiceXML(files map[string][]byte) (name string, data []byte, ok bool) {
	names := make([]string, 0, len(files))
	for n := range files {
		if strings.EqualFold(path.Ext(n), ".xml") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.EqualFold(path.Base(n), "invoice.xml") {
			return n, files[n], true
		}
	}
	if len(names) == 0 {
		return "", nil, false
	}
	return names[0], files[names[0]], true
}
