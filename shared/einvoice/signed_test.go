package einvoice_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/hoadon/hoadon/emulators/gdt/xmlsign"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

var resign = flag.Bool("sign", false, "regenerate testdata/signed.xml with fresh keys")

// signFixture writes testdata/signed.xml: vat_8_kct_discount.xml signed by
// the seller (RSA-SHA256, C14N), the tax authority (RSA-SHA1, exclusive
// C14N, covering DLHDon and MCCQT) and a third party in CCKSKhac. The keys
// are thrown away: verification needs only the embedded certificates.
func signFixture(t *testing.T) {
	key := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := xmlsign.NewCA("CA Thử Nghiệm", key(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(filepath.Join("testdata", "vat_8_kct_discount.xml")); err != nil {
		t.Fatal(err)
	}
	dscks := doc.FindElement("//DSCKS")
	for _, c := range dscks.ChildElements() {
		for _, s := range c.ChildElements() {
			c.RemoveChild(s)
		}
	}
	signers := []struct {
		parent, id string
		subject    pkix.Name
		uris       []string
		sha1       bool
		c14n       string
		transforms []string
	}{
		{"NBan", "seller", xmlsign.Subject("Công ty TNHH Mẫu Một", "0101234565"), []string{"#DuLieuKy"}, false, xmlsign.C14N10, nil},
		{"CCKSKhac", "other", pkix.Name{CommonName: "Đơn vị trung gian"}, []string{"#DuLieuKy"}, false, xmlsign.C14N10Comments, nil},
		{"CQT", "cqt", pkix.Name{CommonName: "TỔNG CỤC THUẾ"}, []string{"#DuLieuKy", "#Id-MCCQT"}, true, xmlsign.ExcC14N, []string{xmlsign.ExcC14N}},
	}
	for i, s := range signers {
		k := key()
		cert, err := ca.Issue(s.subject, &k.PublicKey, int64(10+i), from, to)
		if err != nil {
			t.Fatal(err)
		}
		sg := xmlsign.Signer{Key: k, Certs: []*x509.Certificate{cert}, SHA1: s.sha1, C14N: s.c14n, Transforms: s.transforms}
		spec := xmlsign.Spec{Parent: dscks.SelectElement(s.parent), ID: s.id, URIs: s.uris, When: time.Date(2026, 3, 14, 2, 15, int(i), 0, time.UTC)}
		if err := sg.Sign(spec); err != nil {
			t.Fatal(err)
		}
	}
	if err := doc.WriteToFile(filepath.Join("testdata", "signed.xml")); err != nil {
		t.Fatal(err)
	}
}

// Ensure the signature blocks of a signed invoice are read: the seller's,
// another party's and the tax authority's, each verified; and that
// changing a byte of the signed data makes the seller's invalid.
func TestSignedFixture(t *testing.T) {
	if *resign {
		signFixture(t)
	}
	data := readFixture(t, "signed.xml")
	inv, err := einvoice.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, s := range inv.Signatures {
		roles = append(roles, string(s.Role)+":"+string(s.Status))
	}
	if got := strings.Join(roles, " "); got != "seller:valid other:valid tax_authority:valid" {
		t.Fatalf("signatures %s: %+v", got, inv.Signatures)
	}
	if w := inv.SignatureWarning(); w != nil {
		t.Errorf("SignatureWarning = %+v", w)
	}
	tampered, err := einvoice.Parse([]byte(strings.Replace(string(data), "Công ty Cổ phần Khách Hàng Hai", "Công ty Cổ phần Khách Hàng Ba", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if s := tampered.Signatures[0]; s.Status != xmlsig.StatusInvalid {
		t.Errorf("tampered seller signature = %+v", s)
	}
	if w := tampered.SignatureWarning(); w == nil || w.Code != einvoice.WarnSignatureInvalid {
		t.Errorf("tampered SignatureWarning = %+v", w)
	}
}

// Ensure an unsigned invoice warns about the missing seller signature,
// except a cash-register invoice, which the law lets go unsigned.
func TestUnsignedWarning(t *testing.T) {
	if w := mustParse(t, "trade_discount_zero.xml").SignatureWarning(); w == nil || w.Code != einvoice.WarnSignatureMissing {
		t.Errorf("unsigned VAT invoice: %+v", w)
	}
	if w := mustParse(t, "mtt_cash_register.xml").SignatureWarning(); w != nil {
		t.Errorf("cash-register invoice: %+v", w)
	}
}
