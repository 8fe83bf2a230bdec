package xmlsig

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // RSA-SHA1 signatures are what many issued invoices carry
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Role says whose signature it is, from the DSCKS child holding it.
type Role string

// Roles.
const (
	RoleSeller       Role = "seller"        // DSCKS/NBan
	RoleBuyer        Role = "buyer"         // DSCKS/NMua
	RoleTaxAuthority Role = "tax_authority" // DSCKS/CQT
	RoleOther        Role = "other"         // DSCKS/CCKSKhac or anywhere else
)

// Status sums a Result up.
type Status string

// Statuses, from best to worst.
const (
	StatusValid   Status = "valid"   // every check passed
	StatusWarning Status = "warning" // cryptographically valid, but the MST or the chain is not what it should be
	StatusInvalid Status = "invalid" // a digest, the signature value, the coverage or the certificate's validity fails
	StatusMissing Status = "missing" // the seller did not sign
)

// Chain results (Result.Chain besides "untrusted: <why>").
const (
	ChainNotChecked = "not_checked" // no trust store configured
	ChainTrusted    = "trusted"     // the certificate chains to a configured root at the signing time
)

// Result is the verdict on one signature (or on the seller's missing one).
// The parsed invoice JSON, the tenant's invoice catalogue (Firestore) and
// the API's invoice record all hold it in this shape.
type Result struct {
	Role        Role     `json:"role" firestore:"role"`
	Status      Status   `json:"status" firestore:"status"`
	Valid       bool     `json:"valid" firestore:"valid"`                                   // signature value, digests, coverage and validity at signing time all hold
	Reason      string   `json:"reason,omitempty" firestore:"reason,omitempty"`             // what failed or deserves a look, for people
	Subject     string   `json:"subject,omitempty" firestore:"subject,omitempty"`           // signer certificate subject (RFC 2253)
	MST         string   `json:"mst,omitempty" firestore:"mst,omitempty"`                   // tax code found in the subject
	Issuer      string   `json:"issuer,omitempty" firestore:"issuer,omitempty"`             // certificate issuer
	Serial      string   `json:"serial,omitempty" firestore:"serial,omitempty"`             // certificate serial number, hex
	NotBefore   string   `json:"not_before,omitempty" firestore:"not_before,omitempty"`     // certificate validity, RFC 3339 UTC
	NotAfter    string   `json:"not_after,omitempty" firestore:"not_after,omitempty"`       //
	SigningTime string   `json:"signing_time,omitempty" firestore:"signing_time,omitempty"` // SigningTime of the signature's properties, RFC 3339 (+07:00 when written without zone)
	Covers      []string `json:"covers,omitempty" firestore:"covers,omitempty"`             // what the References cover: "DLHDon#data", "MCCQT#id", "Object#SigningTime-…", "document"
	Algorithm   string   `json:"algorithm,omitempty" firestore:"algorithm,omitempty"`       // e.g. "rsa-sha256 c14n"
	Chain       string   `json:"chain,omitempty" firestore:"chain,omitempty"`               // not_checked, trusted or "untrusted: …"
}

// Verifier checks invoice signatures. The zero value checks everything but
// the chain.
type Verifier struct {
	// Roots, when set, is the trust store the signer certificates must
	// chain to (HOADON_TRUSTED_CA_FILE).
	Roots *x509.CertPool
}

// MaxSize is the largest document Verify reads.
const MaxSize = 16 << 20

// Verify checks every signature of an invoice XML document and returns one
// Result per signature in document order, with a StatusMissing seller
// Result first when the seller did not sign. Only an unreadable document is
// an error (hoadon.CodeBadData); a bad signature is a Result.
func (v *Verifier) Verify(data []byte) ([]Result, error) {
	d, err := readDocument(data)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeBadData, err, "reading the invoice signatures")
	}
	var out []Result
	seller := false
	for _, sig := range d.signatures() {
		r := v.verify(d, sig)
		seller = seller || r.Role == RoleSeller
		out = append(out, r)
	}
	if !seller {
		out = append([]Result{{Role: RoleSeller, Status: StatusMissing, Reason: "the seller did not sign the invoice"}}, out...)
	}
	return out, nil
}

// Seller returns the seller's result (Verify always includes one).
func Seller(rs []Result) (Result, bool) {
	for _, r := range rs {
		if r.Role == RoleSeller {
			return r, true
		}
	}
	return Result{}, false
}

// document is the parsed invoice with what the checks need.
type document struct {
	root      *etree.Element
	hdon      *etree.Element
	sellerMST string
	issued    time.Time // NLap, noon Vietnam time; zero when unreadable
	ids       map[string][]*etree.Element
}

func readDocument(data []byte) (*document, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("XML is %d bytes, more than the %d accepted", len(data), MaxSize)
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{CharsetReader: utf8Only, Entity: xml.HTMLEntity, MaxDepth: 128}
	if err := doc.ReadFromBytes(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); err != nil {
		return nil, fmt.Errorf("not well-formed XML: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, errors.New("no XML element found")
	}
	d := &document{root: root, ids: map[string][]*etree.Element{}}
	d.hdon = find(root, "HDon")
	if d.hdon == nil {
		d.hdon = root
	}
	dl := child(d.hdon, "DLHDon")
	d.sellerMST = text(path(dl, "NDHDon", "NBan", "MST"))
	if t, err := time.ParseInLocation(time.DateOnly, text(path(dl, "TTChung", "NLap")), vn); err == nil {
		d.issued = t.Add(12 * time.Hour)
	}
	d.index(root)
	return d, nil
}

func utf8Only(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q (want UTF-8)", label)
}

// index maps every Id attribute (Id, ID or id) to its elements.
func (d *document) index(el *etree.Element) {
	for _, a := range el.Attr {
		if a.Space == "" && strings.EqualFold(a.Key, "id") {
			d.ids[a.Value] = append(d.ids[a.Value], el)
		}
	}
	for _, c := range el.ChildElements() {
		d.index(c)
	}
}

// signatures lists every ds:Signature in document order.
func (d *document) signatures() []*etree.Element {
	var out []*etree.Element
	var walk func(*etree.Element)
	walk = func(el *etree.Element) {
		if el.Tag == "Signature" && el.NamespaceURI() == nsDSig {
			out = append(out, el)
			return
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	walk(d.root)
	return out
}

func roleOf(sig *etree.Element) Role {
	p := sig.Parent()
	if p == nil {
		return RoleOther
	}
	switch strings.ToUpper(p.Tag) {
	case "NBAN":
		return RoleSeller
	case "NMUA":
		return RoleBuyer
	case "CQT":
		return RoleTaxAuthority
	}
	return RoleOther
}

// check collects one signature's findings.
type check struct {
	invalid []string // make the signature invalid
	warn    []string // leave it valid but worth a look
}

func (c *check) fail(format string, args ...any) {
	c.invalid = append(c.invalid, fmt.Sprintf(format, args...))
}
func (c *check) note(format string, args ...any) {
	c.warn = append(c.warn, fmt.Sprintf(format, args...))
}

func (v *Verifier) verify(d *document, sig *etree.Element) Result {
	r := Result{Role: roleOf(sig)}
	var c check
	certs := certificates(sig, &c)
	if len(certs) > 0 {
		describeCert(&r, certs[0])
	} else if r.Subject = clip(subjectName(sig)); r.Subject != "" {
		r.MST = mstIn(r.Subject)
	}
	si := dsChild(sig, "SignedInfo")
	if si == nil {
		c.fail("no SignedInfo")
	} else if len(certs) > 0 {
		r.Algorithm = v.signedInfo(sig, si, certs[0], &c)
		r.Covers = d.references(si, sig, &c)
		d.requireCoverage(r.Role, si, sig, &c)
	}
	at := d.signingTime(sig, &r, &c)
	if len(certs) > 0 {
		v.certificate(d, &r, certs, at, &c)
	}
	r.Valid = len(c.invalid) == 0
	switch {
	case !r.Valid:
		r.Status = StatusInvalid
	case len(c.warn) > 0:
		r.Status = StatusWarning
	default:
		r.Status = StatusValid
	}
	r.Reason = strings.Join(append(c.invalid, c.warn...), "; ")
	return r
}

// signedInfo verifies the SignatureValue over the canonical SignedInfo and
// returns the algorithm names.
func (v *Verifier) signedInfo(sig, si *etree.Element, cert *x509.Certificate, c *check) string {
	cm := attr(dsChild(si, "CanonicalizationMethod"), "Algorithm")
	sm := attr(dsChild(si, "SignatureMethod"), "Algorithm")
	hash, name, ok := signatureMethods(sm)
	if !ok {
		c.fail("unsupported signature method %q", clip(sm))
		return ""
	}
	algName := name + " " + c14nNames[cm]
	canon, err := canonicalize(si, cm, "")
	if err != nil {
		c.fail("SignedInfo: %v", err)
		return algName
	}
	value, err := decodeB64(text(dsChild(sig, "SignatureValue")))
	if err != nil || len(value) == 0 {
		c.fail("SignatureValue is not base64")
		return algName
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		c.fail("certificate key is not RSA")
		return algName
	}
	if err := rsa.VerifyPKCS1v15(pub, hash, digest(hash, canon), value); err != nil {
		c.fail("signature value does not match SignedInfo and the certificate's key")
	}
	return algName
}

func signatureMethods(uri string) (crypto.Hash, string, bool) {
	switch uri {
	case "http://www.w3.org/2000/09/xmldsig#rsa-sha1":
		return crypto.SHA1, "rsa-sha1", true
	case "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":
		return crypto.SHA256, "rsa-sha256", true
	case "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":
		return crypto.SHA512, "rsa-sha512", true
	}
	return 0, "", false
}

func digestMethods(uri string) (crypto.Hash, bool) {
	switch uri {
	case "http://www.w3.org/2000/09/xmldsig#sha1":
		return crypto.SHA1, true
	case "http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#sha256":
		return crypto.SHA256, true
	case "http://www.w3.org/2001/04/xmlenc#sha512", "http://www.w3.org/2001/04/xmldsig-more#sha512":
		return crypto.SHA512, true
	}
	return 0, false
}

func digest(h crypto.Hash, data []byte) []byte {
	switch h {
	case crypto.SHA1:
		s := sha1.Sum(data) //nolint:gosec // see the import
		return s[:]
	case crypto.SHA512:
		s := sha512.Sum512(data)
		return s[:]
	}
	s := sha256.Sum256(data)
	return s[:]
}

// references checks every Reference's digest and returns what they cover.
func (d *document) references(si, sig *etree.Element, c *check) []string {
	var covers []string
	refs := dsChildren(si, "Reference")
	if len(refs) == 0 {
		c.fail("SignedInfo has no Reference")
	}
	for _, ref := range refs {
		uri := attr(ref, "URI")
		target, err := d.resolve(uri)
		if err != nil {
			c.fail("reference %q: %v", clip(uri), err)
			continue
		}
		covers = append(covers, describe(target, uri))
		if err := d.checkDigest(ref, target, sig); err != nil {
			c.fail("reference %q: %v", clip(uri), err)
		}
	}
	return covers
}

// resolve finds a same-document Reference's target: "" is the whole
// document, "#Id" the one element carrying that Id. An Id carried twice is
// refused: it is how signature-wrapping attacks hide altered content.
func (d *document) resolve(uri string) (*etree.Element, error) {
	if uri == "" {
		return d.root, nil
	}
	id, ok := strings.CutPrefix(uri, "#")
	if !ok || id == "" || strings.HasPrefix(id, "xpointer(") {
		return nil, errors.New("only same-document references (\"\" or \"#Id\") are supported")
	}
	switch els := d.ids[id]; len(els) {
	case 0:
		return nil, errors.New("no element has this Id")
	case 1:
		return els[0], nil
	}
	return nil, errors.New("several elements have this Id")
}

func describe(el *etree.Element, uri string) string {
	if uri == "" {
		return "document"
	}
	return el.Tag + uri
}

// checkDigest applies the Reference's transforms to target and compares
// the digest.
func (d *document) checkDigest(ref, target, sig *etree.Element) error {
	alg, prefixes, enveloped := c14n10, "", false
	for _, t := range dsChildren(dsChild(ref, "Transforms"), "Transform") {
		switch a := attr(t, "Algorithm"); a {
		case envelopedSig:
			enveloped = true
		case c14n10, c14n10Comments, c14n11, c14n11Comments, excC14N, excC14NComments:
			alg = withoutComments(a)
			prefixes = attr(child(t, "InclusiveNamespaces"), "PrefixList")
		default:
			return fmt.Errorf("unsupported transform %q", clip(a))
		}
	}
	hash, ok := digestMethods(attr(dsChild(ref, "DigestMethod"), "Algorithm"))
	if !ok {
		return fmt.Errorf("unsupported digest method %q", clip(attr(dsChild(ref, "DigestMethod"), "Algorithm")))
	}
	want, err := decodeB64(text(dsChild(ref, "DigestValue")))
	if err != nil || len(want) == 0 {
		return errors.New("DigestValue is not base64")
	}
	if enveloped && encloses(target, sig) {
		parent, i := sig.Parent(), sig.Index()
		parent.RemoveChildAt(i)
		defer parent.InsertChildAt(i, sig)
	}
	canon, err := canonicalize(target, alg, prefixes)
	if err != nil {
		return err
	}
	if !bytes.Equal(digest(hash, canon), want) {
		return errors.New("digest does not match: the content changed after signing")
	}
	return nil
}

// requireCoverage checks that the signature covers what its role must
// sign: the invoice data (DLHDon) for everyone, and the tax authority's
// code (MCCQT) for the tax authority when the invoice has one.
func (d *document) requireCoverage(role Role, si, sig *etree.Element, c *check) {
	need := []string{"DLHDon"}
	if role == RoleTaxAuthority && child(d.hdon, "MCCQT") != nil {
		need = []string{"MCCQT"}
	}
	for _, name := range need {
		el := child(d.hdon, name)
		if el == nil {
			continue
		}
		covered := false
		for _, ref := range dsChildren(si, "Reference") {
			if t, err := d.resolve(attr(ref, "URI")); err == nil && encloses(t, el) {
				covered = true
			}
		}
		if !covered {
			c.fail("the signature does not cover %s", name)
		}
	}
}

// signingTime reads SigningTime from the signature's properties; without
// one the issue date stands in for the validity check.
func (d *document) signingTime(sig *etree.Element, r *Result, c *check) time.Time {
	el := find(sig, "SigningTime")
	if el == nil {
		return d.issued
	}
	s := text(el)
	t, ok := parseTime(s)
	if !ok {
		c.note("SigningTime %q is not a date-time", clip(s))
		return d.issued
	}
	r.SigningTime = t.Format(time.RFC3339)
	return t
}

var vn = time.FixedZone("ICT", 7*3600)

// parseTime reads SigningTime as written: local Vietnam time without a
// zone (the usual form), or with a zone or Z.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, s, vn); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func decodeB64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
