package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/hoadon/hoadon/emulators/gdt/xmlsign"
)

const signedFixture = "../../shared/einvoice/testdata/signed.xml"

// Ensure `xml verify` prints one line per signer, reports a tampered file
// invalid (exit 1) and an unsigned one missing, and emits JSON.
func TestXMLVerify(t *testing.T) {
	data, err := os.ReadFile(signedFixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tampered := filepath.Join(dir, "tampered.xml")
	if err := os.WriteFile(tampered, []byte(strings.Replace(string(data), "<TgTTTBSo>2310000", "<TgTTTBSo>2910000", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := xmlRunMain(t, "xml", "verify", signedFixture)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], signedFixture+": seller valid rsa-sha256 c14n mst 0101234565 signed 2026-03-14T09:15:00+07:00 chain not_checked") ||
		!strings.Contains(lines[2], "tax_authority valid rsa-sha1 exc-c14n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = xmlRunMain(t, "xml", "verify", tampered, "../../shared/einvoice/testdata/note_only.xml")
	if code != 1 || !strings.Contains(stdout, "tampered.xml: seller invalid") || !strings.Contains(stdout, "digest does not match") ||
		!strings.Contains(stdout, "note_only.xml: seller missing") || !strings.Contains(stderr, "1 of 2 files") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = xmlRunMain(t, "xml", "verify", "--json", signedFixture)
	var got []xmlVerifyResult
	if err := json.Unmarshal([]byte(stdout), &got); code != 0 || err != nil || len(got) != 1 || len(got[0].Signatures) != 3 || !got[0].Signatures[0].Valid {
		t.Fatalf("exit %d, %v, %s", code, err, stdout)
	}
}

// Ensure --ca-file checks the chain: trusted with the issuing CA.
func TestXMLVerifyChain(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := xmlsign.NewCA("CA", key, from, to)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(xmlsign.Subject("Công ty TNHH Mẫu Một", "0101234565"), &key.PublicKey, 7, from, to)
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromFile("../../shared/einvoice/testdata/trade_discount_zero.xml"); err != nil {
		t.Fatal(err)
	}
	s := xmlsign.Signer{Key: key, Certs: []*x509.Certificate{cert}}
	if err := s.Sign(xmlsign.Spec{Parent: doc.FindElement("//DSCKS/NBan"), ID: "s", URIs: []string{"#DuLieuKy"}, When: from.AddDate(1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inv, pemFile := filepath.Join(dir, "inv.xml"), filepath.Join(dir, "ca.pem")
	if err := doc.WriteToFile(inv); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := xmlRunMain(t, "xml", "verify", "--ca-file", pemFile, inv)
	if code != 0 || !strings.Contains(stdout, "seller valid rsa-sha256 c14n mst 0101234565") || !strings.Contains(stdout, "chain trusted") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	t.Setenv("HOADON_TRUSTED_CA_FILE", filepath.Join(dir, "missing.pem"))
	if code, _, stderr := xmlRunMain(t, "xml", "verify", inv); code != 1 || !strings.Contains(stderr, "--ca-file") {
		t.Fatalf("missing trust store: exit %d, stderr %q", code, stderr)
	}
}
