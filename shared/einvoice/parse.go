package einvoice

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Parse reads one invoice XML document (HDon, possibly wrapped in a
// transmission envelope) and verifies its signatures without a trust store
// (see ParseWith). Malformed input — not well-formed XML, no HDon, a
// missing or unusable invoice key, a numeric element that is not a number —
// returns an error classified hoadon.CodeBadData. Arithmetic that does not
// add up is reported in Invoice.Warnings instead, and signatures in
// Invoice.Signatures.
func Parse(data []byte) (*Invoice, error) { return ParseWith(data, Options{}) }

// Options tune ParseWith.
type Options struct {
	// Verifier checks the XML signatures; nil verifies them without a trust
	// store (chain "not_checked").
	Verifier *xmlsig.Verifier
}

// ParseWith is Parse with options.
func ParseWith(data []byte, opt Options) (*Invoice, error) {
	inv, err := parse(data)
	if err == nil {
		v := opt.Verifier
		if v == nil {
			v = &xmlsig.Verifier{}
		}
		inv.Signatures, err = v.Verify(data)
	}
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "unreadable invoice XML")
	}
	return inv, nil
}

func parse(data []byte) (*Invoice, error) {
	root, err := readTree(data)
	if err != nil {
		return nil, err
	}
	hdon := root.find("HDon")
	if hdon == nil {
		return nil, fmt.Errorf("no HDon element (root is <%s>)", clip(root.name))
	}
	dl := hdon.child("DLHDon")
	if dl == nil {
		return nil, errors.New("HDon has no DLHDon")
	}
	r := &reader{}
	inv := r.invoice(hdon, dl)
	if r.err != nil {
		return nil, r.err
	}
	if err := inv.Key().Validate(); err != nil {
		return nil, fmt.Errorf("invoice key: %w", err)
	}
	inv.Warnings = append(r.warnings, check(inv)...)
	if inv.Warnings == nil {
		inv.Warnings = []Warning{}
	}
	return inv, nil
}

// reader maps the node tree onto the typed values, keeping the first error
// (with the element path) and collecting identity warnings.
type reader struct {
	err      error
	warnings []Warning
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *reader) warn(code, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{Code: code, Message: fmt.Sprintf(format, args...)})
}

// num reads a decimal child; a non-number is an error naming the path.
func (r *reader) num(n *node, name, path string) Num {
	v, err := parseNum(n.str(name))
	if err != nil {
		r.fail("%s/%s: %w", path, name, err)
	}
	return v
}

// int reads an integer child (leading zeros allowed); empty gives 0.
func (r *reader) int(n *node, name, path string) int64 {
	s := n.str(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || len(s) > 18 {
		r.fail("%s/%s: %q is not an integer", path, name, clip(s))
		return 0
	}
	return v
}

// small reads an integer child that must fit comfortably in an int (codes,
// line numbers).
func (r *reader) small(n *node, name, path string) int {
	v := r.int(n, name, path)
	if v < -1_000_000_000 || v > 1_000_000_000 {
		r.fail("%s/%s: %d out of range", path, name, v)
		return 0
	}
	return int(v)
}

// date reads a date child as YYYY-MM-DD. A timestamp (YYYY-MM-DDThh:mm:ss…)
// is cut to its date. Required dates fail; optional ones that cannot be read
// are kept as written with a warning.
func (r *reader) date(n *node, name, path string, required bool) string {
	s := n.str(name)
	if s == "" {
		if required {
			r.fail("%s/%s: missing", path, name)
		}
		return ""
	}
	if d, ok := normDate(s); ok {
		return d
	}
	if required {
		r.fail("%s/%s: %q is not a date YYYY-MM-DD", path, name, clip(s))
		return ""
	}
	r.warn("bad_date", "%s/%s: %q is not a date YYYY-MM-DD; kept as written", path, name, clip(s))
	return s
}

func normDate(s string) (string, bool) {
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// extras reads the TTin entries of a TTKhac-like list element.
func extras(list *node) []Extra {
	var out []Extra
	for _, t := range list.children("TTin") {
		out = append(out, Extra{TTruong: t.str("TTruong"), KDLieu: t.str("KDLieu"), DLieu: t.str("DLieu")})
	}
	return out
}

func (r *reader) invoice(hdon, dl *node) *Invoice {
	nd := dl.child("NDHDon")
	inv := &Invoice{
		Schema:        Schema,
		DLHDonID:      dl.attr("Id"),
		General:       r.general(dl.child("TTChung")),
		Seller:        r.party(nd.child("NBan"), "NBan"),
		Buyer:         r.party(nd.child("NMua"), "NMua"),
		Lines:         r.lines(nd.child("DSHHDVu")),
		Totals:        r.totals(nd.child("TToan")),
		ContentExtras: extras(nd.child("TTKhac")),
		DataExtras:    extras(dl.child("TTKhac")),
		MCCQT:         hdon.str("MCCQT"),
		MCCQTID:       hdon.child("MCCQT").attr("Id"),
		QRCode:        hdon.str("DLQRCode"),
	}
	if inv.MCCQT == "" {
		inv.MCCQT, inv.MCCQTID = dl.str("MCCQT"), dl.child("MCCQT").attr("Id")
	}
	if nd == nil {
		r.fail("DLHDon has no NDHDon")
	}
	r.checkMST("seller", inv.Seller.MST)
	r.checkMST("buyer", inv.Buyer.MST)
	return inv
}

// checkMST warns about a tax code that is not a valid MST; the invoice is
// still the original, so it is not an error. A missing seller MST leaves the
// key unusable and is caught by the key check.
func (r *reader) checkMST(who, mst string) {
	if mst == "" {
		return
	}
	if err := hoadon.ValidateMST(mst); err != nil {
		r.warn(who+"_mst", "%s tax code %q is not a valid MST", who, clip(mst))
	}
}

func (r *reader) general(tc *node) General {
	const p = "TTChung"
	if tc == nil {
		r.fail("DLHDon has no TTChung")
		return General{}
	}
	g := General{
		PBan: tc.str("PBan"), THDon: tc.str("THDon"),
		KHMSHDon: r.small(tc, "KHMSHDon", p), KHHDon: strings.ToUpper(tc.str("KHHDon")),
		SHDon: r.int(tc, "SHDon", p), MHSo: tc.str("MHSo"),
		NLap: r.date(tc, "NLap", p, true), HDCTTChinh: tc.str("HDCTTChinh"), HDDCKPTQuan: tc.str("HDDCKPTQuan"),
		SBKe: tc.str("SBKe"), NBKe: r.date(tc, "NBKe", p, false),
		DVTTe: tc.str("DVTTe"), TGia: r.num(tc, "TGia", p), HTTToan: tc.str("HTTToan"),
		MSTTCGP: tc.str("MSTTCGP"), MSTDVNUNLHDon: tc.str("MSTDVNUNLHDon"),
		TDVNUNLHDon: tc.str("TDVNUNLHDon"), DCDVNUNLHDon: tc.str("DCDVNUNLHDon"),
		Extras: extras(tc.child("TTKhac")),
	}
	if tc.str("KHMSHDon") == "" || tc.str("KHHDon") == "" || tc.str("SHDon") == "" {
		r.fail("TTChung: KHMSHDon, KHHDon and SHDon are required")
	}
	if rel := tc.child("TTHDLQuan"); hasText(rel) {
		g.Related = r.related(rel)
	}
	return g
}

func (r *reader) related(n *node) *Related {
	const p = "TTChung/TTHDLQuan"
	return &Related{
		TCHDon:       r.small(n, "TCHDon", p),
		LHDCLQuan:    r.small(n, "LHDCLQuan", p),
		KHMSHDCLQuan: n.str("KHMSHDCLQuan"),
		KHHDCLQuan:   n.str("KHHDCLQuan"),
		SHDCLQuan:    n.str("SHDCLQuan"),
		NLHDCLQuan:   r.date(n, "NLHDCLQuan", p, false),
		GChu:         n.str("GChu"),
	}
}

func (r *reader) party(n *node, path string) Party {
	if n == nil {
		return Party{}
	}
	return Party{
		Ten: n.str("Ten"), MST: n.str("MST"), DChi: n.str("DChi"), MKHang: n.str("MKHang"),
		SDThoai: n.str("SDThoai"), DCTDTu: n.str("DCTDTu"), HVTNMHang: n.str("HVTNMHang"),
		STKNHang: n.str("STKNHang"), TNHang: n.str("TNHang"), Fax: n.str("Fax"),
		Website: n.str("Website"), CCCDan: n.str("CCCDan"), SHChieu: n.str("SHChieu"),
		MDVQHNSach: n.str("MDVQHNSach"), MCHang: n.str("MCHang"), TCHang: n.str("TCHang"),
		NNNghe: n.str("NNNghe"), MDDKDoanh: n.str("MDDKDoanh"), TDDKDoanh: n.str("TDDKDoanh"),
		DCDDKDoanh: n.str("DCDDKDoanh"), Extras: extras(n.child("TTKhac")),
	}
}
