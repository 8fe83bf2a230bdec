package einvoice

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Limits on an export-xml ZIP. The portal's ZIP is about 320 KB with 5
// entries (gdt-portal.md §7). Only the XML entry is ever decompressed, and
// through a reader capped at MaxXMLSize, so a zip bomb costs at most that
// much memory whatever its headers claim.
const (
	MaxZIPSize    = 64 << 20 // bytes of ZIP accepted by ParseZIP
	MaxZIPEntries = 1000     // entries in the central directory
)

// ParseZIP reads the ZIP the portal's export-xml endpoint returns and parses
// its invoice XML. The XML entry is found by extension, in any folder: the
// single .xml entry, or the one named invoice.xml when there are several.
// Errors are classified hoadon.CodeBadData.
func ParseZIP(data []byte) (*Invoice, error) {
	xmlData, err := XMLFromZIP(data)
	if err != nil {
		return nil, err
	}
	return Parse(xmlData)
}

// XMLFromZIP returns the bytes of the invoice XML inside an export-xml ZIP,
// for callers that store the XML itself. Errors are classified
// hoadon.CodeBadData.
func XMLFromZIP(data []byte) ([]byte, error) {
	b, err := xmlFromZIP(data)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "einvoice.ParseZIP")
	}
	return b, nil
}

func xmlFromZIP(data []byte) ([]byte, error) {
	files, err := zipFiles(data)
	if err != nil {
		return nil, err
	}
	f, err := pickXML(files)
	if err != nil {
		return nil, err
	}
	return readEntry(f)
}

// HTMLFromZIP returns the portal's rendered invoice (the ZIP's .html entry,
// invoice.html when there are several), or nil when the ZIP carries none.
// Errors are classified hoadon.CodeBadData.
func HTMLFromZIP(data []byte) ([]byte, error) {
	files, err := zipFiles(data)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "einvoice.HTMLFromZIP")
	}
	var pick *zip.File
	for _, f := range files {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		if f.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._") {
			continue
		}
		if ext := strings.ToLower(path.Ext(name)); ext == ".html" || ext == ".htm" {
			if pick == nil || strings.EqualFold(path.Base(name), "invoice.html") {
				pick = f
			}
		}
	}
	if pick == nil {
		return nil, nil
	}
	b, err := readEntry(pick)
	return b, hoadon.Wrap(hoadon.CodeBadData, err, "einvoice.HTMLFromZIP")
}

// zipFiles opens a ZIP within the size and entry limits.
func zipFiles(data []byte) ([]*zip.File, error) {
	if len(data) > MaxZIPSize {
		return nil, fmt.Errorf("ZIP is %d bytes, more than the %d accepted", len(data), MaxZIPSize)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable ZIP: %w", err)
	}
	if len(zr.File) > MaxZIPEntries {
		return nil, fmt.Errorf("ZIP has %d entries, more than the %d accepted", len(zr.File), MaxZIPEntries)
	}
	return zr.File, nil
}

// readEntry decompresses one entry through a reader capped at MaxXMLSize.
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("ZIP entry %q: %w", clip(f.Name), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxXMLSize+1))
	if err != nil {
		return nil, fmt.Errorf("ZIP entry %q: %w", clip(f.Name), err)
	}
	if len(b) > MaxXMLSize {
		return nil, fmt.Errorf("ZIP entry %q expands beyond %d bytes", clip(f.Name), MaxXMLSize)
	}
	return b, nil
}

// pickXML chooses the invoice entry: the only .xml file, else the one whose
// base name is invoice.xml. Folders and macOS resource forks are ignored.
func pickXML(files []*zip.File) (*zip.File, error) {
	var xmls []*zip.File
	for _, f := range files {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		if f.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._") {
			continue
		}
		if strings.EqualFold(path.Ext(name), ".xml") {
			xmls = append(xmls, f)
		}
	}
	switch len(xmls) {
	case 0:
		return nil, errors.New("ZIP holds no .xml entry")
	case 1:
		return xmls[0], nil
	}
	var named []*zip.File
	for _, f := range xmls {
		if strings.EqualFold(path.Base(strings.ReplaceAll(f.Name, `\`, "/")), "invoice.xml") {
			named = append(named, f)
		}
	}
	if len(named) == 1 {
		return named[0], nil
	}
	return nil, fmt.Errorf("ZIP holds %d .xml entries and not exactly one invoice.xml", len(xmls))
}

// ParseAny parses either an export-xml ZIP or a bare XML document, told
// apart by the ZIP signature "PK".
func ParseAny(data []byte) (*Invoice, error) {
	if IsZIP(data) {
		return ParseZIP(data)
	}
	return Parse(data)
}

// IsZIP reports whether data starts with a ZIP local-file or
// end-of-central-directory signature.
func IsZIP(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06"))
}
