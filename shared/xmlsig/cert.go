package xmlsig

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// certificates decodes the X509Certificate elements of KeyInfo, the
// signer's first (the others serve as intermediates for the chain).
func certificates(sig *etree.Element, c *check) []*x509.Certificate {
	var out []*x509.Certificate
	for _, x := range dsChildren(dsChild(sig, "KeyInfo"), "X509Data") {
		for _, el := range dsChildren(x, "X509Certificate") {
			der, err := decodeB64(text(el))
			if err != nil {
				c.fail("X509Certificate is not base64")
				return nil
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				c.fail("X509Certificate does not parse: %v", err)
				return nil
			}
			out = append(out, cert)
		}
	}
	if len(out) == 0 {
		c.fail("no X509Certificate in KeyInfo")
	}
	return out
}

// subjectName is the X509SubjectName written in KeyInfo, reported when the
// certificate itself is missing or unreadable.
func subjectName(sig *etree.Element) string {
	for _, x := range dsChildren(dsChild(sig, "KeyInfo"), "X509Data") {
		if s := text(dsChild(x, "X509SubjectName")); s != "" {
			return s
		}
	}
	return ""
}

func describeCert(r *Result, cert *x509.Certificate) {
	r.Subject = nameString(cert.Subject)
	r.Issuer = nameString(cert.Issuer)
	r.Serial = cert.SerialNumber.Text(16)
	r.NotBefore = cert.NotBefore.UTC().Format(time.RFC3339)
	r.NotAfter = cert.NotAfter.UTC().Format(time.RFC3339)
	r.MST = MSTOf(cert)
}

// certificate checks the signer certificate: valid at the signing time,
// naming the seller's MST (seller signatures), chaining to the trust store
// when one is configured.
func (v *Verifier) certificate(d *document, r *Result, certs []*x509.Certificate, at time.Time, c *check) {
	leaf := certs[0]
	if !at.IsZero() && (at.Before(leaf.NotBefore) || at.After(leaf.NotAfter)) {
		c.fail("certificate not valid at the signing time %s (valid %s to %s)",
			at.Format(time.RFC3339), r.NotBefore, r.NotAfter)
	}
	if r.Role == RoleSeller {
		switch {
		case r.MST == "":
			c.note("the certificate subject names no tax code (MST)")
		case !sameMST(r.MST, d.sellerMST):
			c.note("the certificate's MST %s is not the seller's MST %s", r.MST, clip(d.sellerMST))
		}
	}
	r.Chain = v.chain(certs, at)
	if r.Chain != ChainNotChecked && r.Chain != ChainTrusted {
		c.note("certificate chain %s", r.Chain)
	}
}

func (v *Verifier) chain(certs []*x509.Certificate, at time.Time) string {
	if v.Roots == nil {
		return ChainNotChecked
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots: v.Roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return "untrusted: " + err.Error()
	}
	return ChainTrusted
}

// attrNames are the short names of the subject attributes Vietnamese
// certificates use; others print as their OID.
var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
	"2.5.4.9": "STREET", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "T",
	"0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "E",
}

// nameString renders a distinguished name as RFC 2253 does (last RDN
// first) but with UID and the other attributes Vietnamese CAs use by name
// and their values as text, e.g. "CN=Công ty A,UID=MST:0101234565,C=VN".
func nameString(n pkix.Name) string {
	parts := make([]string, 0, len(n.Names))
	for i := len(n.Names) - 1; i >= 0; i-- {
		a := n.Names[i]
		key, ok := attrNames[a.Type.String()]
		if !ok {
			key = a.Type.String()
		}
		parts = append(parts, key+"="+fmt.Sprint(a.Value))
	}
	return strings.Join(parts, ",")
}

// oidUID is LDAP userId (0.9.2342.19200300.100.1.1), where Vietnamese CAs
// write "MST:<tax code>".
var oidUID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}

// mstPattern finds a tax code after a label: "MST:0100109106",
// "MST: 0100109106-001", "MST=…", "TIN:…", and the personal ids that
// household businesses sign with ("CCCD:…", "CMND:…").
var mstPattern = regexp.MustCompile(`(?i)\b(?:MST|TIN|MSDN|MSNS|CCCD|CMND)\s*[:=.\-]?\s*(\d{10}(?:-\d{3})?|\d{12,13})\b`)

// bareMST is a UID holding just a tax code.
var bareMST = regexp.MustCompile(`^(\d{10}(?:-\d{3})?|\d{12,13})$`)

// MSTOf returns the tax code a certificate's subject carries: a labelled
// value in UID first, then in any other attribute (CN, OU, O,
// serialNumber…), then a UID that is only digits. "" when none.
func MSTOf(cert *x509.Certificate) string {
	var uids, others []string
	for _, n := range cert.Subject.Names {
		s, ok := n.Value.(string)
		if !ok {
			continue
		}
		if n.Type.Equal(oidUID) {
			uids = append(uids, s)
		} else {
			others = append(others, s)
		}
	}
	for _, s := range append(append([]string(nil), uids...), others...) {
		if m := mstPattern.FindStringSubmatch(s); m != nil {
			return m[1]
		}
	}
	for _, s := range uids {
		if bareMST.MatchString(strings.TrimSpace(s)) {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// mstIn finds a labelled tax code in a subject written as text.
func mstIn(subject string) string {
	if m := mstPattern.FindStringSubmatch(subject); m != nil {
		return m[1]
	}
	return ""
}

// sameMST compares tax codes ignoring the dash of a branch suffix; a
// branch (0100520429-001) may sign with its parent company's certificate.
func sameMST(cert, seller string) bool {
	norm := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "-", "") }
	c, s := norm(cert), norm(seller)
	return c != "" && (c == s || (len(c) == 10 && len(s) == 13 && strings.HasPrefix(s, c)))
}

// NewVerifier returns a Verifier with the trust store of a PEM file
// (HOADON_TRUSTED_CA_FILE), or without one (chains not_checked) when path
// is empty. A file that cannot be read or holds no certificate is
// hoadon.CodeInvalid.
func NewVerifier(path string) (*Verifier, error) {
	if path == "" {
		return &Verifier{}, nil
	}
	roots, err := LoadRoots(path)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeInvalid, err, "trust store")
	}
	return &Verifier{Roots: roots}, nil
}

// LoadRoots reads a PEM file of trusted CA certificates
// (HOADON_TRUSTED_CA_FILE).
func LoadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	n := 0
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, errors.New(path + ": no PEM CERTIFICATE block")
	}
	return pool, nil
}
