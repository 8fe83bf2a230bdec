package gdt

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Invoice is one list row or detail answer: the common fields typed, and the
// portal's JSON kept verbatim in Raw because the object has ~150 keys and
// new ones appear over time (gdt-portal.md §5).
type Invoice struct {
	Flow hoadon.Flow       // the list (or the Detail call) it came from
	Key  hoadon.InvoiceKey // natural key: nbmst, khmshdon, khhdon, shdon
	ID   string            // the portal's record UUID

	Issued time.Time   // tdlap as sent (VN midnight, in UTC)
	Date   hoadon.Date // tdlap as a Vietnam calendar date

	TThai int // status 1..6 (§9.1)
	TTXLY int // processing result 0..8 (§9.2)

	SellerMST, SellerName string // nbmst, nbten
	BuyerMST, BuyerName   string // nmmst, nmten

	Currency       string          // dvtte ("" on many cash-register rows)
	TotalBeforeTax decimal.Decimal // tgtcthue (zero when absent)
	TotalTax       decimal.Decimal // tgtthue (zero when absent)
	Total          decimal.Decimal // tgtttbso; negative on decreasing adjustments

	MHDon string // tax-authority code (MCCQT); "" for uncoded invoices
	HSGoc string // original dossier id; "" means export-xml will fail

	// Original is the invoice a replacement (tthai 2) or adjustment (3)
	// names (khmshdgoc, khhdgoc, shdgoc; the seller is the same), and
	// OriginalDate its issue date (tdlhdgoc); nil and zero otherwise, and
	// when the portal's reference is not a valid key (the row stays usable).
	Original     *hoadon.InvoiceKey
	OriginalDate hoadon.Date

	Raw json.RawMessage // the row exactly as the portal sent it
}

// HasDossier reports whether the portal lists an original dossier; the web
// app refuses "Xuất xml" without one. Whether that is the only rule is
// uncertain (§13.8), so callers may still ask.
func (inv *Invoice) HasDossier() bool { return inv.HSGoc != "" }

// row is the subset of the portal object that Invoice types. Numbers are
// json.Number (money can be 19 digits or exponent form like 1.4727778E7 and
// must never pass through float64); identity fields accept strings or
// numbers because both occur across portal versions.
type row struct {
	ID       text            `json:"id"`
	NBMST    text            `json:"nbmst"`
	KHMSHDon text            `json:"khmshdon"`
	KHHDon   text            `json:"khhdon"`
	SHDon    text            `json:"shdon"`
	TDLap    json.RawMessage `json:"tdlap"`
	TThai    text            `json:"tthai"`
	TTXLY    text            `json:"ttxly"`
	NBTen    text            `json:"nbten"`
	NMMST    text            `json:"nmmst"`
	NMTen    text            `json:"nmten"`
	DVTTe    text            `json:"dvtte"`
	TGTCThue text            `json:"tgtcthue"`
	TGTThue  text            `json:"tgtthue"`
	TGTTTBSo text            `json:"tgtttbso"`
	MHDon    text            `json:"mhdon"`
	HSGoc    text            `json:"hsgoc"`

	KHMSHDGoc text            `json:"khmshdgoc"`
	KHHDGoc   text            `json:"khhdgoc"`
	SHDGoc    text            `json:"shdgoc"`
	TDLHDGoc  json.RawMessage `json:"tdlhdgoc"`
}

// text takes a JSON string, number (kept as its literal) or null.
type text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return hoadon.Errorf(hoadon.CodeBadData, "want string or number, got %.20s", b)
		}
		*t = text(n)
	}
	return nil
}

// decodeInvoice types one portal object; raw is kept by reference.
func decodeInvoice(raw json.RawMessage, flow hoadon.Flow) (Invoice, error) {
	var r row
	if err := json.Unmarshal(raw, &r); err != nil {
		return Invoice{}, hoadon.Wrap(hoadon.CodeBadData, err, "invoice row is not the expected JSON object")
	}
	inv := Invoice{Flow: flow, ID: string(r.ID), SellerMST: string(r.NBMST), SellerName: string(r.NBTen),
		BuyerMST: string(r.NMMST), BuyerName: string(r.NMTen), Currency: string(r.DVTTe),
		MHDon: string(r.MHDon), HSGoc: string(r.HSGoc), Raw: raw}
	var err error
	if inv.Key, err = decodeKey(r); err != nil {
		return Invoice{}, err
	}
	if inv.Issued, err = ParseTDLap(r.TDLap); err != nil {
		return Invoice{}, hoadon.Wrap(hoadon.CodeBadData, err, "invoice "+inv.Key.String()+": tdlap")
	}
	inv.Date = hoadon.DateOf(inv.Issued)
	inv.TThai, err = optInt(r.TThai, "tthai", err)
	inv.TTXLY, err = optInt(r.TTXLY, "ttxly", err)
	inv.TotalBeforeTax, err = optDecimal(r.TGTCThue, "tgtcthue", err)
	inv.TotalTax, err = optDecimal(r.TGTThue, "tgtthue", err)
	inv.Total, err = optDecimal(r.TGTTTBSo, "tgtttbso", err)
	if err != nil {
		return Invoice{}, hoadon.Wrap(hoadon.CodeBadData, err, "invoice "+inv.Key.String())
	}
	inv.Original, inv.OriginalDate = decodeOriginal(r, inv.Key)
	return inv, nil
}

// decodeOriginal reads the reference of a replacement or adjustment to its
// original: same seller, the template defaulting to the invoice's own.
func decodeOriginal(r row, self hoadon.InvoiceKey) (*hoadon.InvoiceKey, hoadon.Date) {
	if r.KHHDGoc == "" || r.SHDGoc == "" {
		return nil, hoadon.Date{}
	}
	k := hoadon.InvoiceKey{NBMST: self.NBMST, KHMSHDon: self.KHMSHDon, KHHDon: string(r.KHHDGoc)}
	var err error
	if r.KHMSHDGoc != "" {
		k.KHMSHDon, err = strconv.Atoi(string(r.KHMSHDGoc))
	}
	if err != nil {
		return nil, hoadon.Date{}
	}
	if k.SHDon, err = strconv.ParseInt(string(r.SHDGoc), 10, 64); err != nil || k.Validate() != nil {
		return nil, hoadon.Date{}
	}
	var d hoadon.Date
	if t, err := ParseTDLap(r.TDLHDGoc); err == nil {
		d = hoadon.DateOf(t)
	}
	return &k, d
}

func decodeKey(r row) (hoadon.InvoiceKey, error) {
	tpl, err1 := strconv.Atoi(string(r.KHMSHDon))
	num, err2 := strconv.ParseInt(string(r.SHDon), 10, 64)
	if err1 != nil || err2 != nil {
		return hoadon.InvoiceKey{}, hoadon.Errorf(hoadon.CodeBadData,
			"invoice row: khmshdon %q and shdon %q must be integers", r.KHMSHDon, r.SHDon)
	}
	k := hoadon.InvoiceKey{NBMST: string(r.NBMST), KHMSHDon: tpl, KHHDon: string(r.KHHDon), SHDon: num}
	if err := k.Validate(); err != nil {
		return hoadon.InvoiceKey{}, hoadon.Wrap(hoadon.CodeBadData, err, "invoice row key")
	}
	return k, nil
}

func optInt(t text, name string, prev error) (int, error) {
	if prev != nil || t == "" {
		return 0, prev
	}
	n, err := strconv.Atoi(string(t))
	if err != nil {
		return 0, hoadon.Errorf(hoadon.CodeBadData, "%s %q is not an integer", name, t)
	}
	return n, nil
}

func optDecimal(t text, name string, prev error) (decimal.Decimal, error) {
	if prev != nil || t == "" {
		return decimal.Decimal{}, prev
	}
	d, err := decimal.NewFromString(string(t))
	if err != nil {
		return decimal.Decimal{}, hoadon.Errorf(hoadon.CodeBadData, "%s %q is not a number", name, t)
	}
	return d, nil
}

// ParseTDLap reads the portal's issue date: an RFC 3339 string
// ("2026-03-14T17:00:00Z", VN midnight in UTC) or, as reported for some
// cash-register rows, epoch milliseconds (a number or a digit string).
func ParseTDLap(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return time.Time{}, hoadon.Errorf(hoadon.CodeBadData, "missing")
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, hoadon.Wrap(hoadon.CodeBadData, err, "not a string")
		}
	} else {
		s = string(raw)
	}
	s = strings.TrimSpace(s)
	if isDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || len(s) < 11 || len(s) > 13 {
			return time.Time{}, hoadon.Errorf(hoadon.CodeBadData, "%q is not epoch milliseconds", s)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, hoadon.Errorf(hoadon.CodeBadData, "%q is not RFC 3339", s)
	}
	return t, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
