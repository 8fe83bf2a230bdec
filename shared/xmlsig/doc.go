// Package xmlsig verifies the XML signatures (XMLDSig) of a TT78 invoice:
// the seller's in DSCKS/NBan, the tax authority's in DSCKS/CQT, the buyer's
// and any other in DSCKS/NMua and DSCKS/CCKSKhac. For each signature it
// checks the SignatureValue over the canonical SignedInfo, the digest of
// every Reference, which element each Reference covers (by URI: "#Id" or
// the whole document), the signer certificate's subject and the tax code
// (MST) in it, the certificate's validity at the SigningTime written in the
// signature's SignatureProperties, and — when a trust store is configured —
// the certificate chain. Enveloped signatures, C14N 1.0 inclusive (with
// and without comments), exclusive C14N and RSA-SHA1/RSA-SHA256/RSA-SHA512
// are supported: what issuing software and the tax authority use.
//
// Canonicalisation is goxmldsig's (github.com/russellhaering/goxmldsig,
// on beevik/etree). Its ValidationContext is not used, because it cannot
// check an invoice: it looks for one signature whose Reference points at
// the element being validated and verifies only that one Reference, while
// an invoice carries several signatures outside the data they sign (in
// DSCKS), each with several References (DLHDon, its own SigningTime object,
// MCCQT); it accepts a certificate only if that exact certificate is in its
// store (no chain building), checks validity against the current time
// rather than the signing time, and reports neither the signer nor the
// signing time. Invoice certificates are issued per company by a dozen
// CAs, so the embedded certificate is verified against the signature and,
// separately and optionally, against a trust store.
package xmlsig
