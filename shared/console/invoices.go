package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
)

// pageSize is how many invoices a page of the table shows.
const pageSize = 50

type invoicesData struct {
	S          wire.Status
	Invoices   []hoadon.Invoice
	Status     string
	Flow       string
	Page       int
	More       bool
	PrevQuery  string
	NextQuery  string
	StatusList []hoadon.InvoiceStatus
}

// invoices is the import's invoice table, filtered by status and flow and
// paged on the server: it reads up to the end of the asked page and stops.
func (c *Console) invoices(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	st, err := c.o.API.ImportStatus(r.Context(), id)
	if err != nil {
		c.fail(w, q, err)
		return
	}
	qv := r.URL.Query()
	d := invoicesData{S: st, Status: qv.Get("status"), Flow: qv.Get("flow"), Page: 1, StatusList: hoadon.AllStatuses}
	if n, err := strconv.Atoi(qv.Get("page")); err == nil && n > 1 && n < 10000 {
		d.Page = n
	}
	only := hoadon.InvoiceStatus(d.Status)
	if !validStatus(only) {
		only, d.Status = "", ""
	}
	if !hoadon.Flow(d.Flow).Valid() {
		d.Flow = ""
	}
	skip := (d.Page - 1) * pageSize
	err = c.o.API.ImportInvoices(r.Context(), id, only, func(inv hoadon.Invoice) error {
		if d.Flow != "" && string(inv.Flow) != d.Flow {
			return nil
		}
		if skip > 0 {
			skip--
			return nil
		}
		if len(d.Invoices) == pageSize {
			d.More = true
			return errEnough
		}
		d.Invoices = append(d.Invoices, inv)
		return nil
	})
	if err != nil && err != errEnough {
		c.fail(w, q, err)
		return
	}
	d.PrevQuery, d.NextQuery = pageQuery(d, d.Page-1), pageQuery(d, d.Page+1)
	c.render(w, q, http.StatusOK, "invoices", "imports", d)
}

func validStatus(s hoadon.InvoiceStatus) bool {
	for _, x := range hoadon.AllStatuses {
		if x == s {
			return true
		}
	}
	return false
}

func pageQuery(d invoicesData, page int) string {
	v := url.Values{}
	if d.Status != "" {
		v["status"] = []string{d.Status}
	}
	if d.Flow != "" {
		v["flow"] = []string{d.Flow}
	}
	v["page"] = []string{strconv.Itoa(page)}
	return v.Encode()
}

type invoiceData struct {
	ImportID string
	Inv      hoadon.Invoice
	Doc      *einvoice.Invoice // nil when not stored
}

// invoicePage draws the stored invoice like its paper form.
func (c *Console) invoicePage(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	inv, err := c.o.API.ImportInvoice(r.Context(), id, r.PathValue("inv"))
	if err != nil {
		c.fail(w, q, err)
		return
	}
	d := invoiceData{ImportID: id, Inv: inv}
	if inv.Objects.JSON != "" {
		raw, err := c.o.API.InvoiceFile(r.Context(), inv, "json")
		if err != nil {
			c.fail(w, q, err)
			return
		}
		var doc einvoice.Invoice
		if err := json.Unmarshal(raw, &doc); err != nil {
			c.fail(w, q, hoadon.Wrap(hoadon.CodeBadData, err, "reading the stored invoice"))
			return
		}
		d.Doc = &doc
	}
	c.render(w, q, http.StatusOK, "invoice", "imports", d)
}

// invoiceFile downloads a stored file of the invoice.
func (c *Console) invoiceFile(w http.ResponseWriter, r *http.Request, q *request) {
	kind := r.PathValue("kind")
	types := map[string]string{"xml": "application/xml", "zip": "application/zip", "json": "application/json",
		"html": "text/html; charset=utf-8"}
	if types[kind] == "" {
		c.notFound(w, q)
		return
	}
	inv, err := c.o.API.ImportInvoice(r.Context(), r.PathValue("id"), r.PathValue("inv"))
	if err != nil {
		c.fail(w, q, err)
		return
	}
	data, err := c.o.API.InvoiceFile(r.Context(), inv, kind)
	if err != nil {
		c.fail(w, q, err)
		return
	}
	k := inv.Key
	name := k.NBMST + "_" + strconv.Itoa(k.KHMSHDon) + "_" + k.KHHDon + "_" + strconv.FormatInt(k.SHDon, 10) + "." + kind
	w.Header().Set("Content-Type", types[kind])
	w.Header().Set("Content-Security-Policy", "sandbox") // the portal's HTML is untrusted: never run it in our origin
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(data)
}
