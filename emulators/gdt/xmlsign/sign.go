// Package xmlsign signs TT78 invoice XML the way issuing software and the
// tax authority do: an enveloped XMLDSig in DSCKS/NBan or DSCKS/CQT whose
// References point by Id at DLHDon, at the signature's own SigningTime
// object and (for the tax authority) at MCCQT, with the signer's X.509
// certificate in KeyInfo. It also issues the certificates (a CA and leaf
// certificates carrying the MST in the subject).
//
// It serves the GDT simulator and tests that need real signatures. The
// canonicalisation is goxmldsig's (github.com/russellhaering/goxmldsig);
// the signature element itself is assembled here because goxmldsig's
// SigningContext signs one whole element with one Reference, while an
// invoice signature references several Id'd elements and lives in DSCKS,
// outside the data it signs.
package xmlsign

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // RSA-SHA1 is what many issued invoices carry; the simulator must produce it
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Algorithm URIs used in TT78 invoices.
const (
	NS              = "http://www.w3.org/2000/09/xmldsig#"
	C14N10          = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	C14N10Comments  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	ExcC14N         = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	Enveloped       = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	RSASHA1         = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	RSASHA256       = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	SHA1            = "http://www.w3.org/2000/09/xmldsig#sha1"
	SHA256          = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// Signer holds a key, its certificate chain (leaf first) and the
// algorithms to use.
type Signer struct {
	Key   *rsa.PrivateKey
	Certs []*x509.Certificate
	// SHA1 selects RSA-SHA1 with SHA-1 digests; the default is SHA-256.
	SHA1 bool
	// C14N is the canonicalisation URI for SignedInfo and each Reference
	// (default C14N10).
	C14N string
	// Transforms, when set, lists the Transform algorithms written on each
	// Reference (e.g. Enveloped then C14N); unset writes none, as most
	// issued invoices do.
	Transforms []string
}

// Spec says where a signature goes and what it covers.
type Spec struct {
	Parent *etree.Element // where the Signature element is appended (DSCKS/NBan, DSCKS/CQT)
	ID     string         // the Signature's Id; the SigningTime object gets "SigningTime-"+ID
	URIs   []string       // references besides the SigningTime object: "#data", "#mccqt…", or "" for the whole document
	When   time.Time      // written as SigningTime in Vietnam local time
}

var vn = time.FixedZone("ICT", 7*3600)

// Sign appends an enveloped signature to spec.Parent.
func (s Signer) Sign(spec Spec) error {
	if s.Key == nil || len(s.Certs) == 0 || spec.Parent == nil {
		return errors.New("xmlsign: key, certificate and parent are required")
	}
	c14n := s.C14N
	if c14n == "" {
		c14n = C14N10
	}
	sig := spec.Parent.CreateElement("Signature")
	sig.CreateAttr("xmlns", NS)
	sig.CreateAttr("Id", spec.ID)
	si := sig.CreateElement("SignedInfo")
	sv := sig.CreateElement("SignatureValue")
	x509Data := sig.CreateElement("KeyInfo").CreateElement("X509Data")
	x509Data.CreateElement("X509SubjectName").SetText(s.Certs[0].Subject.String())
	for _, c := range s.Certs {
		x509Data.CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c.Raw))
	}
	obj := sig.CreateElement("Object")
	obj.CreateAttr("Id", "SigningTime-"+spec.ID)
	prop := obj.CreateElement("SignatureProperties").CreateElement("SignatureProperty")
	prop.CreateAttr("Target", "#"+spec.ID)
	prop.CreateElement("SigningTime").SetText(spec.When.In(vn).Format("2006-01-02T15:04:05"))

	si.CreateElement("CanonicalizationMethod").CreateAttr("Algorithm", c14n)
	method, digestURI, hash := RSASHA256, SHA256, crypto.SHA256
	if s.SHA1 {
		method, digestURI, hash = RSASHA1, SHA1, crypto.SHA1
	}
	si.CreateElement("SignatureMethod").CreateAttr("Algorithm", method)
	root := rootOf(spec.Parent)
	for _, uri := range append(append([]string(nil), spec.URIs...), "#SigningTime-"+spec.ID) {
		target := root
		if uri != "" {
			if target = findID(root, uri[1:]); target == nil {
				return fmt.Errorf("xmlsign: no element with Id %q", uri[1:])
			}
		}
		ref := si.CreateElement("Reference")
		ref.CreateAttr("URI", uri)
		transforms := s.Transforms
		if encloses(target, sig) && !slices.Contains(transforms, Enveloped) {
			transforms = append([]string{Enveloped}, transforms...)
		}
		data, err := digestInput(target, sig, transforms)
		if err != nil {
			return err
		}
		if len(transforms) > 0 {
			ts := ref.CreateElement("Transforms")
			for _, t := range transforms {
				ts.CreateElement("Transform").CreateAttr("Algorithm", t)
			}
		}
		ref.CreateElement("DigestMethod").CreateAttr("Algorithm", digestURI)
		ref.CreateElement("DigestValue").SetText(base64.StdEncoding.EncodeToString(sum(hash, data)))
	}
	signed, err := Canonicalize(si, c14n)
	if err != nil {
		return err
	}
	value, err := rsa.SignPKCS1v15(rand.Reader, s.Key, hash, sum(hash, signed))
	if err != nil {
		return fmt.Errorf("xmlsign: %w", err)
	}
	sv.SetText(base64.StdEncoding.EncodeToString(value))
	return nil
}

// digestInput canonicalises a Reference's target as its transforms say:
// the last canonicalisation listed, inclusive C14N 1.0 when none is (the
// XMLDSig default), never with comments (a same-document reference
// selects none), without the signature being built when the target
// encloses it.
func digestInput(target, sig *etree.Element, transforms []string) ([]byte, error) {
	c14n := C14N10
	for _, t := range transforms {
		switch t {
		case C14N10, C14N10Comments:
			c14n = C14N10
		case ExcC14N, ExcC14NComments:
			c14n = ExcC14N
		}
	}
	parent := sig.Parent()
	if encloses(target, sig) {
		i := sig.Index()
		parent.RemoveChildAt(i)
		defer parent.InsertChildAt(i, sig)
	}
	return Canonicalize(target, c14n)
}

// Canonicalize serialises el in place (its ancestors' namespace
// declarations count) with the given algorithm.
func Canonicalize(el *etree.Element, alg string) ([]byte, error) {
	switch alg {
	case C14N10:
		return dsig.MakeC14N10RecCanonicalizer().Canonicalize(el)
	case C14N10Comments:
		return dsig.MakeC14N10WithCommentsCanonicalizer().Canonicalize(el)
	case ExcC14N, ExcC14NComments:
		ctx, err := etreeutils.NSBuildParentContext(el)
		if err != nil {
			return nil, err
		}
		detached, err := etreeutils.NSDetatch(ctx, el)
		if err != nil {
			return nil, err
		}
		if alg == ExcC14N {
			return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
		}
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("").Canonicalize(detached)
	}
	return nil, fmt.Errorf("xmlsign: unsupported canonicalisation %q", alg)
}

func sum(h crypto.Hash, data []byte) []byte {
	if h == crypto.SHA1 {
		d := sha1.Sum(data) //nolint:gosec // see the import
		return d[:]
	}
	d := sha256.Sum256(data)
	return d[:]
}

func rootOf(el *etree.Element) *etree.Element {
	for el.Parent() != nil && el.Parent().Tag != "" {
		el = el.Parent()
	}
	return el
}

func encloses(outer, el *etree.Element) bool {
	for ; el != nil; el = el.Parent() {
		if el == outer {
			return true
		}
	}
	return false
}

func findID(root *etree.Element, id string) *etree.Element {
	if root.SelectAttrValue("Id", "") == id {
		return root
	}
	for _, c := range root.ChildElements() {
		if f := findID(c, id); f != nil {
			return f
		}
	}
	return nil
}
