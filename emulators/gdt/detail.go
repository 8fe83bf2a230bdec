package gdt

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// keyParams reads nbmst/khhdon/shdon/khmshdon the way the Spring backend
// binds them: an empty or non-numeric number is a 500 NumberFormatException
// (khmshdon is a Java byte), a missing parameter a 400.
func (s *Simulator) keyParams(w http.ResponseWriter, r *http.Request, path string) (invKey, bool) {
	p := rawParams(r.URL.RawQuery)
	for _, name := range []string{"nbmst", "khhdon", "shdon", "khmshdon"} {
		if _, ok := p[name]; !ok {
			s.springFail(w, r, http.StatusBadRequest, path,
				"Required request parameter '"+name+"' for method parameter type "+javaTypeOf(name)+" is not present")
			return invKey{}, false
		}
	}
	tmpl, err := strconv.ParseInt(p["khmshdon"], 10, 8)
	if err != nil {
		s.springFail(w, r, http.StatusInternalServerError, path, nfe("byte", p["khmshdon"]))
		return invKey{}, false
	}
	num, err := strconv.ParseInt(p["shdon"], 10, 64)
	if err != nil {
		s.springFail(w, r, http.StatusInternalServerError, path, nfe("java.lang.Long", p["shdon"]))
		return invKey{}, false
	}
	if p["nbmst"] == "" || p["khhdon"] == "" {
		s.springFail(w, r, http.StatusInternalServerError, path, msgNotFound)
		return invKey{}, false
	}
	return invKey{NBMST: p["nbmst"], KHMSHDon: int(tmpl), KHHDon: strings.ToUpper(p["khhdon"]), SHDon: num}, true
}

func javaTypeOf(name string) string {
	switch name {
	case "khmshdon":
		return "byte"
	case "shdon":
		return "Long"
	}
	return "String"
}

// findFor returns the invoice if the account is its seller (sold) or buyer
// (purchase) in the requested family, else writes 500 "not found".
func (s *Simulator) findFor(w http.ResponseWriter, r *http.Request, acc *account, sco bool, path string) *invoice {
	k, ok := s.keyParams(w, r, path)
	if !ok {
		return nil
	}
	inv := s.lookup(acc.idx, sco, k)
	if inv == nil {
		s.springFail(w, r, http.StatusInternalServerError, path, msgNotFound)
	}
	return inv
}

// handleDetail serves GET /{family}/invoices/detail.
func (s *Simulator) handleDetail(w http.ResponseWriter, r *http.Request, acc *account, sco bool, path string) {
	inv := s.findFor(w, r, acc, sco, path)
	if inv == nil {
		return
	}
	b, err := json.Marshal(s.detailOf(inv))
	if err != nil {
		s.springFail(w, r, http.StatusInternalServerError, path, err.Error())
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// handleExport serves GET /{family}/invoices/export-xml: the ZIP, or the
// permanent 500 when the invoice has no original dossier.
func (s *Simulator) handleExport(w http.ResponseWriter, r *http.Request, acc *account, sco bool, path string) {
	inv := s.findFor(w, r, acc, sco, path)
	if inv == nil {
		return
	}
	if inv.HSGoc == "" {
		s.springFail(w, r, http.StatusInternalServerError, path, msgNoDossier)
		return
	}
	f := s.faults()
	badXML := f.CorruptXMLShare > 0 && rand.Float64() < f.CorruptXMLShare
	z, err := s.exportZip(inv, badXML)
	if err != nil {
		s.springFail(w, r, http.StatusInternalServerError, path, err.Error())
		return
	}
	badZip := f.CorruptZipShare > 0 && rand.Float64() < f.CorruptZipShare
	if badZip {
		z = z[:len(z)/2]
	}
	if badXML || badZip {
		s.corrupted.add(s.truthOf(inv))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="invoice.zip"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(z)))
	_, _ = w.Write(z)
}
