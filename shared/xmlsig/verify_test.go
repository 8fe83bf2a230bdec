package xmlsig_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/hoadon/hoadon/emulators/gdt/xmlsign"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

const sellerMST = "0101234565"

// invoiceXML is a TT78 invoice with the layout real files have: namespace
// declarations on HDon, indentation, a comment inside the signed data,
// MCCQT with an Id and an empty DSCKS.
const invoiceXML = `<?xml version="1.0" encoding="UTF-8"?>
<HDon xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
	<DLHDon Id="data">
		<TTChung><PBan>2.1.0</PBan><KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>12</SHDon><NLap>2026-03-14</NLap></TTChung>
		<!-- vendor comment -->
		<NDHDon>
			<NBan><Ten>Công ty &amp; Cộng sự</Ten><MST>` + sellerMST + `</MST></NBan>
			<NMua><Ten>Người mua</Ten><MST>0100109106</MST></NMua>
			<DSHHDVu><HHDVu><TChat>1</TChat><STT>1</STT><SLuong>2</SLuong><DGia>50000</DGia><ThTien>100000</ThTien><TSuat>8%</TSuat></HHDVu></DSHHDVu>
			<TToan><TgTCThue>100000</TgTCThue><TgTThue>8000</TgTThue><TgTTTBSo>108000</TgTTTBSo></TToan>
		</NDHDon>
	</DLHDon>
	<MCCQT Id="Id-mccqt">00ABCDEF0123456789ABCDEF0123456789</MCCQT>
	<DLQRCode/>
	<DSCKS><NBan/><NMua/><CCKSKhac/><CQT/></DSCKS>
</HDon>`

// pki is a CA with a seller key and a tax-authority key, made once.
type pki struct {
	ca, otherCA         *xmlsign.CA
	sellerKey, cqtKey   *rsa.PrivateKey
	sellerCert, cqtCert *x509.Certificate
}

var (
	pkiOnce sync.Once
	thePKI  pki
)

func mustKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	from = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	when = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
)

func getPKI(t *testing.T) pki {
	t.Helper()
	pkiOnce.Do(func() {
		var err error
		p := pki{sellerKey: mustKey(t), cqtKey: mustKey(t)}
		caKey := mustKey(t)
		if p.ca, err = xmlsign.NewCA("Test CA", caKey, from, to); err != nil {
			t.Fatal(err)
		}
		if p.otherCA, err = xmlsign.NewCA("Other CA", caKey, from, to); err != nil {
			t.Fatal(err)
		}
		if p.sellerCert, err = p.ca.Issue(xmlsign.Subject("Công ty Mẫu", sellerMST), &p.sellerKey.PublicKey, 2, from, to); err != nil {
			t.Fatal(err)
		}
		if p.cqtCert, err = p.ca.Issue(pkix.Name{CommonName: "TỔNG CỤC THUẾ", Country: []string{"VN"}}, &p.cqtKey.PublicKey, 3, from, to); err != nil {
			t.Fatal(err)
		}
		thePKI = p
	})
	if thePKI.ca == nil {
		t.Fatal("no PKI")
	}
	return thePKI
}

// shape is one way of signing.
type shape struct {
	sha1       bool
	c14n       string
	transforms bool // write Transforms (enveloped + the canonicalisation) on each Reference
	wholeDoc   bool // the tax authority references the whole document instead of DLHDon
}

func (s shape) String() string {
	h := "sha256"
	if s.sha1 {
		h = "sha1"
	}
	c := s.c14n[strings.LastIndexAny(s.c14n, "/")+1:]
	return fmt.Sprintf("%s_%s_transforms=%v_whole=%v", h, c, s.transforms, s.wholeDoc)
}

func shapes() []shape {
	var out []shape
	for _, sha1 := range []bool{false, true} {
		for _, c := range []string{xmlsign.C14N10, xmlsign.C14N10Comments, xmlsign.ExcC14N, xmlsign.ExcC14NComments} {
			out = append(out, shape{sha1: sha1, c14n: c}, shape{sha1: sha1, c14n: c, transforms: true, wholeDoc: true})
		}
	}
	return out
}

// sign signs invoiceXML (after edit, if any) as seller and tax authority.
func sign(t *testing.T, s shape, sellerCert *x509.Certificate, edit func(*etree.Document)) []byte {
	t.Helper()
	p := getPKI(t)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(invoiceXML); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc)
	}
	var tr []string
	if s.transforms {
		tr = []string{xmlsign.Enveloped, s.c14n}
	}
	seller := xmlsign.Signer{Key: p.sellerKey, Certs: []*x509.Certificate{sellerCert, p.ca.Cert}, SHA1: s.sha1, C14N: s.c14n, Transforms: tr}
	if sellerCert != nil {
		if err := seller.Sign(xmlsign.Spec{Parent: doc.FindElement("//DSCKS/NBan"), ID: "seller", URIs: []string{"#data"}, When: when}); err != nil {
			t.Fatal(err)
		}
	}
	cqtURIs := []string{"#data", "#Id-mccqt"}
	if s.wholeDoc {
		cqtURIs = []string{""}
	}
	cqt := xmlsign.Signer{Key: p.cqtKey, Certs: []*x509.Certificate{p.cqtCert}, SHA1: s.sha1, C14N: s.c14n, Transforms: tr}
	if err := cqt.Sign(xmlsign.Spec{Parent: doc.FindElement("//DSCKS/CQT"), ID: "cqt", URIs: cqtURIs, When: when.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verify(t *testing.T, v *xmlsig.Verifier, data []byte) []xmlsig.Result {
	t.Helper()
	rs, err := v.Verify(data)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// Ensure invoices signed in every shape TT78 files use verify, with the
// signer, tax code, validity, signing time and coverage reported.
func TestShapesVerify(t *testing.T) {
	p := getPKI(t)
	for _, s := range shapes() {
		t.Run(s.String(), func(t *testing.T) {
			rs := verify(t, &xmlsig.Verifier{}, sign(t, s, p.sellerCert, nil))
			if len(rs) != 2 {
				t.Fatalf("%d results: %+v", len(rs), rs)
			}
			seller, cqt := rs[0], rs[1]
			if seller.Role != xmlsig.RoleSeller || seller.Status != xmlsig.StatusValid || !seller.Valid || seller.Reason != "" {
				t.Errorf("seller = %+v", seller)
			}
			if cqt.Role != xmlsig.RoleTaxAuthority || cqt.Status != xmlsig.StatusValid || !cqt.Valid {
				t.Errorf("tax authority = %+v", cqt)
			}
			if seller.MST != sellerMST || !strings.Contains(seller.Subject, "Công ty Mẫu") || seller.Chain != xmlsig.ChainNotChecked {
				t.Errorf("seller certificate = %+v", seller)
			}
			if seller.SigningTime != "2026-03-14T16:30:00+07:00" || seller.NotBefore != "2025-01-01T00:00:00Z" || seller.NotAfter != "2028-01-01T00:00:00Z" {
				t.Errorf("seller times = %q %q %q", seller.SigningTime, seller.NotBefore, seller.NotAfter)
			}
			if got := strings.Join(seller.Covers, ","); got != "DLHDon#data,Object#SigningTime-seller" {
				t.Errorf("seller covers %s", got)
			}
			wantCQT := "DLHDon#data,MCCQT#Id-mccqt,Object#SigningTime-cqt"
			if s.wholeDoc {
				wantCQT = "document,Object#SigningTime-cqt"
			}
			if got := strings.Join(cqt.Covers, ","); got != wantCQT {
				t.Errorf("tax authority covers %s, want %s", got, wantCQT)
			}
		})
	}
}

// Ensure a changed amount breaks both signatures and says why.
func TestTamperedAmountIsInvalid(t *testing.T) {
	p := getPKI(t)
	for _, s := range []shape{{c14n: xmlsign.C14N10}, {sha1: true, c14n: xmlsign.ExcC14N, transforms: true, wholeDoc: true}} {
		signed := string(sign(t, s, p.sellerCert, nil))
		tampered := strings.Replace(signed, "<TgTTTBSo>108000<", "<TgTTTBSo>1080000<", 1)
		if tampered == signed {
			t.Fatal("amount not found")
		}
		for _, r := range verify(t, &xmlsig.Verifier{}, []byte(tampered)) {
			if r.Valid || r.Status != xmlsig.StatusInvalid || !strings.Contains(r.Reason, "digest does not match") {
				t.Errorf("%s %s: %+v", s, r.Role, r)
			}
		}
	}
}

// Ensure a changed SignatureValue, a certificate expired at the signing
// time and a duplicated Id (signature wrapping) are invalid.
func TestOtherFailures(t *testing.T) {
	p := getPKI(t)
	s := shape{c14n: xmlsign.C14N10}
	signed := string(sign(t, s, p.sellerCert, nil))
	i := strings.Index(signed, "<SignatureValue>") + len("<SignatureValue>")
	flipped := signed[:i] + string(rune(signed[i]^1)) + signed[i+1:]
	if r := verify(t, &xmlsig.Verifier{}, []byte(flipped))[0]; r.Valid || !strings.Contains(r.Reason, "signature value does not match") {
		t.Errorf("flipped signature value: %+v", r)
	}

	old, err := p.ca.Issue(xmlsign.Subject("Công ty Mẫu", sellerMST), &p.sellerKey.PublicKey, 9, from, when.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r := verify(t, &xmlsig.Verifier{}, sign(t, s, old, nil))[0]; r.Valid || !strings.Contains(r.Reason, "not valid at the signing time") {
		t.Errorf("expired certificate: %+v", r)
	}

	wrapped := sign(t, s, p.sellerCert, func(d *etree.Document) {
		e := d.Root().CreateElement("Extra")
		e.CreateAttr("Id", "data")
	})
	if r := verify(t, &xmlsig.Verifier{}, wrapped)[0]; r.Valid || !strings.Contains(r.Reason, "several elements have this Id") {
		t.Errorf("duplicated Id: %+v", r)
	}
}

// Ensure a certificate of another company is a warning naming both MSTs.
func TestWrongMSTWarns(t *testing.T) {
	p := getPKI(t)
	other, err := p.ca.Issue(xmlsign.Subject("Công ty Khác", "0100109106"), &p.sellerKey.PublicKey, 4, from, to)
	if err != nil {
		t.Fatal(err)
	}
	r := verify(t, &xmlsig.Verifier{}, sign(t, shape{c14n: xmlsign.C14N10}, other, nil))[0]
	if !r.Valid || r.Status != xmlsig.StatusWarning || r.MST != "0100109106" ||
		!strings.Contains(r.Reason, "MST 0100109106 is not the seller's MST "+sellerMST) {
		t.Errorf("wrong MST: %+v", r)
	}
}

// Ensure an unsigned invoice reports the seller's signature missing.
func TestUnsignedIsMissing(t *testing.T) {
	rs := verify(t, &xmlsig.Verifier{}, []byte(invoiceXML))
	if len(rs) != 1 || rs[0].Role != xmlsig.RoleSeller || rs[0].Status != xmlsig.StatusMissing || rs[0].Valid {
		t.Errorf("unsigned: %+v", rs)
	}
	p := getPKI(t)
	onlyCQT := sign(t, shape{c14n: xmlsign.C14N10}, nil, nil)
	rs = verify(t, &xmlsig.Verifier{}, onlyCQT)
	if len(rs) != 2 || rs[0].Status != xmlsig.StatusMissing || rs[1].Status != xmlsig.StatusValid {
		t.Errorf("tax authority only: %+v", rs)
	}
	_ = p
}

// Ensure the chain is checked against the trust store when one is given.
func TestChain(t *testing.T) {
	p := getPKI(t)
	data := sign(t, shape{c14n: xmlsign.C14N10}, p.sellerCert, nil)
	trusted := x509.NewCertPool()
	trusted.AddCert(p.ca.Cert)
	if r := verify(t, &xmlsig.Verifier{Roots: trusted}, data)[0]; r.Chain != xmlsig.ChainTrusted || r.Status != xmlsig.StatusValid {
		t.Errorf("trusted: %+v", r)
	}
	other := x509.NewCertPool()
	other.AddCert(p.otherCA.Cert)
	if r := verify(t, &xmlsig.Verifier{Roots: other}, data)[0]; !strings.HasPrefix(r.Chain, "untrusted: ") || r.Status != xmlsig.StatusWarning || !r.Valid {
		t.Errorf("untrusted: %+v", r)
	}
}

// Ensure a signature made by goxmldsig's own signer (enveloped, exclusive
// C14N, the Reference built by goxmldsig) verifies: a cross-check of the
// verifier against an implementation other than the simulator's.
func TestGoxmldsigSignatureVerifies(t *testing.T) {
	p := getPKI(t)
	doc := etree.NewDocument()
	if err := doc.ReadFromString(invoiceXML); err != nil {
		t.Fatal(err)
	}
	ctx, err := dsig.NewSigningContext(p.sellerKey, [][]byte{p.sellerCert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.IdAttribute = "Id"
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	dl := doc.FindElement("//DLHDon")
	signed, err := ctx.SignEnveloped(dl)
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	root.InsertChildAt(dl.Index(), signed)
	root.RemoveChild(dl)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	rs := verify(t, &xmlsig.Verifier{}, b)
	if len(rs) != 2 || rs[1].Role != xmlsig.RoleOther || !rs[1].Valid || rs[1].Covers[0] != "DLHDon#data" {
		t.Errorf("goxmldsig signature: %+v", rs)
	}
}

// Ensure the tax code is found in the subject forms Vietnamese CAs use.
func TestMSTOf(t *testing.T) {
	uid := asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	tests := []struct {
		name pkix.Name
		want string
	}{
		{xmlsign.Subject("A", "0101234565"), "0101234565"},
		{pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: uid, Value: "MST: 0100520429-001"}}}, "0100520429-001"},
		{pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: uid, Value: "0100109106"}}}, "0100109106"},
		{pkix.Name{CommonName: "CÔNG TY ABC - MST:0101234565"}, "0101234565"},
		{pkix.Name{OrganizationalUnit: []string{"MST=0101234565"}}, "0101234565"},
		{pkix.Name{CommonName: "Nguyễn Văn A", ExtraNames: []pkix.AttributeTypeAndValue{{Type: uid, Value: "CCCD:001099012345"}}}, "001099012345"},
		{pkix.Name{CommonName: "TỔNG CỤC THUẾ"}, ""},
	}
	p := getPKI(t)
	for i, tc := range tests {
		cert, err := p.ca.Issue(tc.name, &p.sellerKey.PublicKey, int64(100+i), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if got := xmlsig.MSTOf(cert); got != tc.want {
			t.Errorf("%v: MSTOf = %q, want %q", tc.name, got, tc.want)
		}
	}
}
