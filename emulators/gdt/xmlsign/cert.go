package xmlsign

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// oidUID is the LDAP userId attribute (0.9.2342.19200300.100.1.1) in which
// Vietnamese certificates write "MST:<tax code>".
var oidUID = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}

// Subject returns a certificate subject as Vietnamese CAs issue them to a
// company: CN the name, UID "MST:<mst>".
func Subject(name, mst string) pkix.Name {
	return pkix.Name{
		CommonName: name,
		Country:    []string{"VN"},
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidUID, Value: "MST:" + mst}},
	}
}

// CA is a certificate authority that issues signing certificates.
type CA struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// NewCA creates a self-signed CA valid over [from, to].
func NewCA(name string, key *rsa.PrivateKey, from, to time.Time) (*CA, error) {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name, Country: []string{"VN"}},
		NotBefore:             from,
		NotAfter:              to,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("xmlsign: CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("xmlsign: CA: %w", err)
	}
	return &CA{Key: key, Cert: cert}, nil
}

// Issue signs a leaf certificate for pub with the given subject and
// validity.
func (ca *CA) Issue(subject pkix.Name, pub *rsa.PublicKey, serial int64, from, to time.Time) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      subject,
		NotBefore:    from,
		NotAfter:     to,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("xmlsign: issue %s: %w", subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("xmlsign: issue %s: %w", subject.CommonName, err)
	}
	return cert, nil
}
