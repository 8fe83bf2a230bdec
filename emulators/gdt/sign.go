package gdt

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"

	"github.com/hoadon/hoadon/emulators/gdt/xmlsign"
)

// Signature states of a served invoice (SignatureState).
const (
	SigSigned   = "signed"   // seller (and, when coded, tax authority) signed
	SigUnsigned = "unsigned" // cash-register invoice: no seller signature
	SigTampered = "tampered" // signed, then the buyer's name changed: the seller's signature is invalid
)

// pki is the simulator's signing material: one CA (standing in for the
// commercial CAs that issue company certificates), one key shared by every
// seller certificate (each seller still gets its own certificate with its
// MST in the subject) and the tax authority's key and certificate. Made
// once per process: RSA key generation is the slow part. Keys are 1024-bit
// (real certificates use 2048) because the simulator signs every export and
// every ground-truth digest on the fly: a 1024-bit signature costs a fifth.
type pki struct {
	ca        *xmlsign.CA
	sellerKey *rsa.PrivateKey
	cqt       xmlsign.Signer
	certs     sync.Map // seller MST → *x509.Certificate
}

var (
	pkiOnce sync.Once
	thePKI  *pki
	pkiErr  error
)

// certValidity covers every date the simulator generates.
var certFrom, certTo = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)

func signingPKI() (*pki, error) {
	pkiOnce.Do(func() {
		keys := make([]*rsa.PrivateKey, 3)
		for i := range keys {
			if keys[i], pkiErr = rsa.GenerateKey(rand.Reader, 1024); pkiErr != nil {
				return
			}
		}
		p := &pki{sellerKey: keys[1]}
		if p.ca, pkiErr = xmlsign.NewCA("CA mô phỏng hoadon", keys[0], certFrom, certTo); pkiErr != nil {
			return
		}
		cqtCert, err := p.ca.Issue(pkix.Name{CommonName: "TỔNG CỤC THUẾ", Organization: []string{"BỘ TÀI CHÍNH"}, Country: []string{"VN"}},
			&keys[2].PublicKey, 2, certFrom, certTo)
		if pkiErr = err; err != nil {
			return
		}
		p.cqt = xmlsign.Signer{Key: keys[2], Certs: []*x509.Certificate{cqtCert}}
		thePKI = p
	})
	return thePKI, pkiErr
}

// CACertificate is the certificate of the CA that issued every signing
// certificate of the simulator: a trust store for chain checks.
func CACertificate() (*x509.Certificate, error) {
	p, err := signingPKI()
	if err != nil {
		return nil, err
	}
	return p.ca.Cert, nil
}

// sellerSigner returns the signer of a seller: its own certificate (MST in
// the subject), RSA-SHA1 or RSA-SHA256 and inclusive or exclusive C14N
// chosen from the seed, so a simulated month shows every shape.
func (p *pki) sellerSigner(seller party, seed uint64) (xmlsign.Signer, error) {
	c, ok := p.certs.Load(seller.MST)
	if !ok {
		serial, _ := strconv.ParseInt(strings.ReplaceAll(seller.MST, "-", ""), 10, 64)
		cert, err := p.ca.Issue(xmlsign.Subject(seller.Name, seller.MST), &p.sellerKey.PublicKey, serial+1000, certFrom, certTo)
		if err != nil {
			return xmlsign.Signer{}, err
		}
		c, _ = p.certs.LoadOrStore(seller.MST, cert)
	}
	s := xmlsign.Signer{Key: p.sellerKey, Certs: []*x509.Certificate{c.(*x509.Certificate), p.ca.Cert}, SHA1: seed%2 == 1}
	if seed>>1%2 == 1 {
		s.C14N, s.Transforms = xmlsign.ExcC14N, []string{xmlsign.Enveloped, xmlsign.ExcC14N}
	}
	return s, nil
}

// SignatureState says how export-xml serves an invoice's signatures:
// SigSigned, SigUnsigned (cash register) or SigTampered
// (Options.TamperedSignatureShare).
func (s *Simulator) SignatureState(t Truth) string {
	switch {
	case strings.HasSuffix(t.Flow, "_may_tinh_tien"):
		return SigUnsigned
	case s.tampered(invKey{NBMST: t.NBMST, KHMSHDon: t.KHMSHDon, KHHDon: t.KHHDon, SHDon: t.SHDon}):
		return SigTampered
	}
	return SigSigned
}

// tampered decides from the invoice key, so an invoice is served the same
// way on every download.
func (s *Simulator) tampered(k invKey) bool {
	share := s.opts.TamperedSignatureShare
	if share <= 0 {
		return false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%d|%s|%d", k.NBMST, k.KHMSHDon, k.KHHDon, k.SHDon)
	return float64(h.Sum64()%10000)/10000 < share
}

// sign adds the seller's signature (not on cash-register invoices) and the
// tax authority's (coded invoices) to the rendered XML, then tampers with
// the buyer's name when the invoice is one of TamperedSignatureShare.
func (s *Simulator) sign(inv *invoice, data []byte) ([]byte, error) {
	p, err := signingPKI()
	if err != nil {
		return nil, fmt.Errorf("gdt: signing keys: %w", err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, fmt.Errorf("gdt: re-reading the invoice to sign it: %w", err)
	}
	dscks := doc.Root().SelectElement("DSCKS")
	st := inv.stamps()
	if !inv.Flow.sco() {
		signer, err := p.sellerSigner(inv.Seller, inv.Seed)
		if err != nil {
			return nil, err
		}
		if err := signer.Sign(xmlsign.Spec{Parent: dscks.SelectElement("NBan"), ID: "seller", URIs: []string{"#data"}, When: st.signed}); err != nil {
			return nil, err
		}
	}
	if inv.MHDon != "" {
		uris := []string{"#data", "#" + mccqtID(inv)}
		if err := p.cqt.Sign(xmlsign.Spec{Parent: dscks.SelectElement("CQT"), ID: "cqt", URIs: uris, When: st.coded}); err != nil {
			return nil, err
		}
	}
	if !inv.Flow.sco() && s.tampered(inv.Key) {
		if ten := doc.FindElement("//NDHDon/NMua/Ten"); ten != nil {
			ten.SetText(ten.Text() + " (sửa sau khi ký)")
		}
	}
	doc.WriteSettings.CanonicalEndTags = false
	return doc.WriteToBytes()
}

func mccqtID(inv *invoice) string { return "Id-" + inv.ID[:8] }
