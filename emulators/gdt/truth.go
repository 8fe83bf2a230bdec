package gdt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Truth is the ground truth about one invoice of an account, for tests
// that check an import found and stored everything.
type Truth struct {
	NBMST    string `json:"nbmst"`
	KHMSHDon int    `json:"khmshdon"`
	KHHDon   string `json:"khhdon"`
	SHDon    int64  `json:"shdon"`
	// Flow is the origin system's flow name (ban_ra_dien_tu, …).
	Flow string `json:"flow"`
	// Date is the issue date in Vietnam, YYYY-MM-DD.
	Date string `json:"date"`
	// TDLap is the issue date as the portal renders it (17:00Z the day before).
	TDLap time.Time `json:"tdlap"`
	TThai int       `json:"tthai"`
	TTXLy int       `json:"ttxly"`
	// Total is TgTTTBSo (tgtttbso), the amount payable: whole VND, or cents
	// of Currency.
	Total int64 `json:"tgtttbso"`
	// Currency is DVTTe when the invoice is not in VND (e.g. USD).
	Currency string `json:"currency,omitempty"`
	// HasXML is false when export-xml answers "no original dossier".
	HasXML bool `json:"has_xml"`
	// XMLSHA256 is the hex SHA-256 of the invoice.xml export-xml serves.
	XMLSHA256 string `json:"xml_sha256,omitempty"`
	// Original is the invoice a replacement (tthai 2) or adjustment (3)
	// names (khhdgoc, shdgoc, …); ReplacedBy the latest invoice that
	// replaced (4) or adjusted (5) this one.
	Original   *Key `json:"original,omitempty"`
	ReplacedBy *Key `json:"replaced_by,omitempty"`
}

// Invoices returns every invoice of the account mst issued between the
// calendar dates of from and to (inclusive), in all four flows: flow by
// flow, each in list order. An unknown MST gives nil.
func (s *Simulator) Invoices(mst string, from, to time.Time) []Truth {
	acc := s.accounts[mst]
	if acc == nil {
		return nil
	}
	lo := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, vn)
	hi := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, vn)
	months := monthsBetween(lo, hi)
	var out []Truth
	for f := flow(0); f < numFlows; f++ {
		for _, m := range months {
			for _, inv := range s.month(acc.idx, m.Year(), m.Month()).flows[f] {
				if !inv.Date.Before(lo) && !inv.Date.After(hi) {
					out = append(out, s.truthOf(inv))
				}
			}
		}
	}
	return out
}

func (s *Simulator) truthOf(inv *invoice) Truth {
	t := Truth{NBMST: inv.Key.NBMST, KHMSHDon: inv.Key.KHMSHDon, KHHDon: inv.Key.KHHDon, SHDon: inv.Key.SHDon,
		Flow: flowNames[inv.Flow], Date: inv.Date.Format("2006-01-02"), TDLap: inv.tdlap(),
		TThai: inv.TThai, TTXLy: inv.TTXLy, Total: inv.Total, Currency: inv.Currency, HasXML: inv.HSGoc != ""}
	if inv.Related != nil {
		k := keyOf(inv.Related.Key)
		t.Original = &k
	}
	if inv.Replaced != nil && (inv.TThai == 4 || inv.TThai == 5) {
		k := keyOf(inv.Replaced.Key)
		t.ReplacedBy = &k
	}
	if t.HasXML {
		sum := sha256.Sum256(s.xmlBytes(inv))
		t.XMLSHA256 = hex.EncodeToString(sum[:])
	}
	return t
}

// serveTruth answers the simulator's own endpoints under /_sim/.
func (s *Simulator) serveTruth(w http.ResponseWriter, r *http.Request, p string) {
	switch p {
	case "/_sim/companies":
		writeJSON(w, http.StatusOK, s.Companies())
	case "/_sim/invoices":
		q := r.URL.Query()
		from, err1 := time.Parse("2006-01-02", q.Get("from"))
		to, err2 := time.Parse("2006-01-02", q.Get("to"))
		switch {
		case err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 3660*24*time.Hour:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want from and to as YYYY-MM-DD, from <= to, at most 10 years"})
		case s.accounts[q.Get("mst")] == nil:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown mst"})
		default:
			inv := s.Invoices(q.Get("mst"), from, to)
			if inv == nil {
				inv = []Truth{}
			}
			writeJSON(w, http.StatusOK, inv)
		}
	case "/_sim/logins":
		if mst := r.URL.Query().Get("mst"); s.accounts[mst] == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown mst"})
		} else {
			writeJSON(w, http.StatusOK, s.Logins(mst))
		}
	case "/_sim/invoices/replace", "/_sim/invoices/adjust", "/_sim/invoices/cancel", "/_sim/invoices/late":
		s.serveChange(w, r, p[len("/_sim/invoices/"):])
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown simulator endpoint"})
	}
}

// changeRequest is the body of POST /_sim/invoices/{replace,adjust,cancel,late}.
type changeRequest struct {
	MST string `json:"mst"` // the account
	Key        // the invoice to change (replace, adjust, cancel)
	// Date is the new invoice's issue date, YYYY-MM-DD: a replacement's or
	// adjustment's (default the original's), a late invoice's (required).
	Date string `json:"date"`
	Flow string `json:"flow"` // late: the origin flow name
	// NoXML makes a late invoice one without an original dossier.
	NoXML bool `json:"no_xml"`
}

// serveChange applies a status change or adds a late invoice.
func (s *Simulator) serveChange(w http.ResponseWriter, r *http.Request, op string) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req changeRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON body: " + err.Error()})
		return
	}
	var date time.Time
	if req.Date != "" || op == "late" {
		d, err := time.Parse("2006-01-02", req.Date)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want date as YYYY-MM-DD"})
			return
		}
		date = d
	}
	var out any
	var err error
	switch op {
	case "replace":
		out, err = s.Replace(req.MST, req.Key, date)
	case "adjust":
		out, err = s.Adjust(req.MST, req.Key, date)
	case "cancel":
		out, err = s.Cancel(req.MST, req.Key)
	case "late":
		out, err = s.AddLate(req.MST, req.Flow, date, !req.NoXML)
	}
	switch {
	case errors.Is(err, ErrUnknownCompany), errors.Is(err, ErrUnknownInvoice):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case errors.Is(err, ErrStatus):
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, out)
	}
}
