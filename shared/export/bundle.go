package export

import (
	"archive/zip"
	"context"
	"io"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// bundle writes the files of one period bundle.
type bundle struct {
	zw    *zip.Writer
	root  string
	src   Source
	wb    *Workbook
	files int
}

func (b *bundle) stats() Stats {
	s := b.wb.Stats()
	s.Files = b.files
	return s
}

func bundleErr(err error) error {
	return hoadon.Wrap(hoadon.CodeTransient, err, "export: write bundle")
}

// add writes a record's files and its workbook rows. A file that cannot be
// read is named on the error sheet; the bundle goes on.
func (b *bundle) add(ctx context.Context, rec Record) error {
	inv, data, reason := load(ctx, b.src, rec)
	if err := b.wb.put(rec, inv, reason); err != nil {
		return err
	}
	stem := rec.Key.String()
	if data != nil {
		if err := b.put("json/"+stem+".json", data); err != nil {
			return err
		}
	}
	if rec.Objects.XML != "" {
		if err := b.copy(ctx, rec, "xml/"+stem+".xml", rec.Objects.XML); err != nil {
			return err
		}
	}
	if rec.Objects.ZIP != "" {
		return b.html(ctx, rec, "html/"+stem+".html")
	}
	return nil
}

func (b *bundle) put(name string, data []byte) error {
	w, err := b.zw.Create(b.root + name)
	if err == nil {
		_, err = w.Write(data)
	}
	if err != nil {
		return bundleErr(err)
	}
	b.files++
	return nil
}

// copy streams one stored object into the bundle.
func (b *bundle) copy(ctx context.Context, rec Record, name, object string) error {
	rc, err := b.src.Open(ctx, object)
	if err != nil {
		return b.wb.Problem(rec, err.Error())
	}
	defer rc.Close()
	w, err := b.zw.Create(b.root + name)
	if err != nil {
		return bundleErr(err)
	}
	if _, err := io.Copy(w, rc); err != nil {
		return bundleErr(err)
	}
	b.files++
	return nil
}

// html writes the portal's rendered invoice out of its stored ZIP.
func (b *bundle) html(ctx context.Context, rec Record, name string) error {
	data, err := readObject(ctx, b.src, rec.Objects.ZIP, einvoice.MaxZIPSize)
	if err != nil {
		return b.wb.Problem(rec, err.Error())
	}
	page, err := einvoice.HTMLFromZIP(data)
	switch {
	case err != nil:
		return b.wb.Problem(rec, err.Error())
	case page == nil:
		return nil
	}
	return b.put(name, page)
}
