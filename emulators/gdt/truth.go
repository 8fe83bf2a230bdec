package gdt

import (
	"crypto/sha256"
	"encoding/hex"
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
	// Total is TgTTTBSo (tgtttbso), the amount payable, in VND.
	Total int64 `json:"tgtttbso"`
	// HasXML is false when export-xml answers "no original dossier".
	HasXML bool `json:"has_xml"`
	// XMLSHA256 is the hex SHA-256 of the invoice.xml export-xml serves.
	XMLSHA256 string `json:"xml_sha256,omitempty"`
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
		TThai: inv.TThai, TTXLy: inv.TTXLy, Total: inv.Total, HasXML: inv.HSGoc != ""}
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
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown simulator endpoint"})
	}
}
