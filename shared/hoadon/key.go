package hoadon

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// InvoiceKey is the natural key of an invoice on the portal: seller tax code,
// template number, symbol and number. Symbol plus number alone is not unique
// because sellers reuse symbols, so all four parts are always carried.
type InvoiceKey struct {
	NBMST    string `json:"nbmst" firestore:"nbmst"`       // seller MST
	KHMSHDon int    `json:"khmshdon" firestore:"khmshdon"` // template number, 1–6
	KHHDon   string `json:"khhdon" firestore:"khhdon"`     // symbol, e.g. C26TAA
	SHDon    int64  `json:"shdon" firestore:"shdon"`       // invoice number
}

// Validate reports the first malformed part of the key.
func (k InvoiceKey) Validate() error {
	switch {
	case k.NBMST == "":
		return Errorf(CodeInvalid, "invoice key: empty seller MST")
	case k.KHMSHDon < 1 || k.KHMSHDon > 9:
		return Errorf(CodeInvalid, "invoice key: template number %d out of range", k.KHMSHDon)
	case k.KHHDon == "" || strings.ContainsAny(k.KHHDon, "/_ "):
		return Errorf(CodeInvalid, "invoice key: bad symbol %q", k.KHHDon)
	case k.SHDon < 0:
		return Errorf(CodeInvalid, "invoice key: negative number %d", k.SHDon)
	}
	return nil
}

// symbolPattern is an invoice symbol (khhdon): C (with the tax authority's
// code) or K (without), the two-digit year, the invoice type (T, D, L, M, N,
// B, G, H) and two characters the seller chooses.
var symbolPattern = regexp.MustCompile(`^[CK][0-9]{2}[TDLMNBGH][0-9A-Z]{2}$`)

// CheckPortal validates a key that came from the portal before it names
// anything: the seller's tax code with its check digit, the template 1–9,
// the symbol against the series pattern and a non-negative number. A
// failure is CodeBadData naming the part.
func (k InvoiceKey) CheckPortal() error {
	if err := ValidateMST(k.NBMST); err != nil {
		return Errorf(CodeBadData, "invoice key: seller tax code: %s", ErrorMessage(err))
	}
	switch {
	case k.KHMSHDon < 1 || k.KHMSHDon > 9:
		return Errorf(CodeBadData, "invoice key: template number %d is not 1..9", k.KHMSHDon)
	case !symbolPattern.MatchString(k.KHHDon):
		return Errorf(CodeBadData, "invoice key: symbol %q is not a series symbol like C26TAA", truncate(k.KHHDon, 20))
	case k.SHDon < 0:
		return Errorf(CodeBadData, "invoice key: negative number %d", k.SHDon)
	}
	return nil
}

// String renders the key as the file-name stem used in storage:
// {nbmst}_{khmshdon}_{khhdon}_{shdon}.
func (k InvoiceKey) String() string {
	return k.NBMST + "_" + strconv.Itoa(k.KHMSHDon) + "_" + k.KHHDon + "_" + strconv.FormatInt(k.SHDon, 10)
}

// ParseInvoiceKey is the inverse of String.
func ParseInvoiceKey(s string) (InvoiceKey, error) {
	p := strings.Split(s, "_")
	if len(p) != 4 {
		return InvoiceKey{}, Errorf(CodeInvalid, "invoice key %q: want nbmst_khmshdon_khhdon_shdon", s)
	}
	tpl, err1 := strconv.Atoi(p[1])
	num, err2 := strconv.ParseInt(p[3], 10, 64)
	if err1 != nil || err2 != nil {
		return InvoiceKey{}, Errorf(CodeInvalid, "invoice key %q: template and number must be integers", s)
	}
	k := InvoiceKey{NBMST: p[0], KHMSHDon: tpl, KHHDon: p[2], SHDon: num}
	return k, k.Validate()
}

// ID is a short stable identifier of the key within one company and
// direction, safe as a Firestore document id or a Cloud Tasks task name
// component (hex only).
func (k InvoiceKey) ID(companyMST string, d Direction) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s", companyMST, d, k)))
	return hex.EncodeToString(sum[:16])
}
