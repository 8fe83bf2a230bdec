// Package httpsig signs and verifies HTTP requests with RFC 9421 HTTP Message
// Signatures and RFC 9530 Content-Digest, so that a webhook consumer can
// prove that an event came from hoadon, was not altered on the way and is not
// a replay of an earlier delivery.
//
// The sender side is [Signer] (and [Transport], a RoundTripper that signs
// every outgoing request); the consumer side is [Verifier]. Both support the
// RFC's "ed25519" and "hmac-sha256" algorithms, a configurable key id and any
// signature label. By default a signature covers "@method", "@target-uri",
// "content-type" and "content-digest" and carries the created, expires,
// nonce, alg, keyid and tag parameters. Keys come from configuration strings
// through [ParseKey] (PEM or base64).
//
// # Why the signature base is built here and not by a library
//
// The project prefers a well-kept library to hand-written protocol code, and
// github.com/remitly-oss/httpsig-go v1.2.0 (the one RFC 9421 module the module
// proxy serves, see reference/gcp.md §5) was checked first. It was rejected
// because, at that version:
//
//   - its "@target-uri" is scheme + host + URL.RawPath + URL.RawQuery, with no
//     "?" and usually no path (RawPath is empty unless the path needs escaping):
//     a request signed for https://h/foo?a=b also verifies for https://h/other?a=b,
//     and the value differs from what any other implementation computes;
//   - its verifier type-asserts signature parameters without checking, so a
//     Signature-Input such as `sig1=("@method");keyid=1` panics (a fuzz target
//     over untrusted headers must never panic);
//   - the check that a signature's "alg" parameter matches the key is written
//     so that it can never fire;
//   - the signer takes created and nonce from time.Now and crypto/rand with no
//     way to inject them, so the RFC's Appendix B.2 vectors cannot be
//     reproduced byte for byte, and the verifier's clock is unexported, so the
//     age checks cannot be tested deterministically.
//
// So this package builds the signature base itself, following RFC 9421 §2.5,
// and leaves Structured Field parsing and serialisation (RFC 8941) to
// github.com/dunglas/httpsfv and the cryptography to the standard library.
// The tests reproduce the RFC's own vectors: the exact signature base and
// signature bytes of Appendix B.2.5 (hmac-sha256) and B.2.6 (ed25519), and the
// Content-Digest examples of RFC 9530.
//
// Errors are *hoadon.Error values with Code hoadon.CodeUnauthorized (or
// CodeTransient when a key store is unreachable); errors.Is against the
// sentinel errors of this package tells which check refused a request.
package httpsig
