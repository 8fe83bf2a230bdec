package export

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// ContentType is the workbook's media type.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// maxJSON bounds a parsed invoice read back from the bucket (the parser
// caps its XML at 16 MiB; its JSON is of the same order).
const maxJSON = 32 << 20

// WriteWorkbook writes the selection's workbook (.xlsx) to out.
func WriteWorkbook(ctx context.Context, out io.Writer, src Source, sel Selection, opt Options) (Stats, error) {
	wb, err := NewWorkbook(sel, opt)
	if err != nil {
		return Stats{}, err
	}
	defer wb.Close()
	err = src.Records(ctx, func(rec Record) error {
		if err := checkRecord(sel, rec); err != nil {
			return err
		}
		inv, _, reason := load(ctx, src, rec)
		return wb.put(rec, inv, reason)
	})
	if err != nil {
		return wb.Stats(), err
	}
	_, err = wb.WriteTo(out)
	return wb.Stats(), err
}

// WriteBundle writes the period bundle (.zip) to out: under a folder named
// after the selection, xml/ holds every original XML, html/ the portal's
// rendered invoice where its ZIP carried one, json/ the parsed invoices, and
// the workbook sits at the top. Entries are written as the records come, the
// workbook last.
func WriteBundle(ctx context.Context, out io.Writer, src Source, sel Selection, opt Options) (Stats, error) {
	wb, err := NewWorkbook(sel, opt)
	if err != nil {
		return Stats{}, err
	}
	defer wb.Close()
	b := &bundle{zw: zip.NewWriter(out), root: sel.Stem() + "/", src: src, wb: wb}
	err = src.Records(ctx, func(rec Record) error {
		if err := checkRecord(sel, rec); err != nil {
			return err
		}
		return b.add(ctx, rec)
	})
	if err != nil {
		return b.stats(), err
	}
	w, err := b.zw.CreateHeader(&zip.FileHeader{Name: b.root + sel.Stem() + ".xlsx", Method: zip.Store, Modified: opt.now()})
	if err != nil {
		return b.stats(), bundleErr(err)
	}
	if _, err := wb.WriteTo(w); err != nil {
		return b.stats(), err
	}
	return b.stats(), bundleErr(b.zw.Close())
}

// checkRecord refuses a record outside the selection's direction: the
// source is scoped, so one would be a bug, not data to export.
func checkRecord(sel Selection, rec Record) error {
	if rec.Flow.Direction() != sel.Direction {
		return hoadon.Errorf(hoadon.CodeInternal, "export: record %s is %s, the export is %s", rec.Key, rec.Flow, sel.Direction)
	}
	return nil
}

// load reads and parses a record's JSON. Without one it returns the reason
// the invoice goes to the error sheet instead.
func load(ctx context.Context, src Source, rec Record) (*einvoice.Invoice, []byte, string) {
	switch {
	case rec.Status == hoadon.StatusUnavailable && rec.Objects.JSON == "":
		return nil, nil, firstNonEmpty(rec.Reason, "the portal has no original XML for this invoice")
	case rec.Objects.JSON == "":
		return nil, nil, firstNonEmpty(rec.Reason, fmt.Sprintf("not stored (%s)", rec.Status))
	}
	data, err := readObject(ctx, src, rec.Objects.JSON, maxJSON)
	if err != nil {
		return nil, nil, err.Error()
	}
	var inv einvoice.Invoice
	if err := json.Unmarshal(data, &inv); err != nil {
		return nil, nil, fmt.Sprintf("parsed invoice %s is unreadable: %v", rec.Objects.JSON, err)
	}
	if inv.Key() != rec.Key {
		return nil, nil, fmt.Sprintf("parsed invoice %s holds %s, not %s", rec.Objects.JSON, inv.Key(), rec.Key)
	}
	return &inv, data, ""
}

// put adds a parsed invoice, or lists a missing one with its reason.
func (w *Workbook) put(rec Record, inv *einvoice.Invoice, reason string) error {
	if inv == nil {
		return w.Missing(rec, reason)
	}
	return w.Add(rec, inv)
}

// readObject reads a whole object of at most limit bytes.
func readObject(ctx context.Context, src Source, object string, limit int64) ([]byte, error) {
	rc, err := src.Open(ctx, object)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeTransient, err, "export: read "+object)
	}
	if int64(len(data)) > limit {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "export: %s is larger than %d bytes", object, limit)
	}
	return data, nil
}
