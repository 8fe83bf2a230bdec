package httpsig

import (
	"errors"
	"fmt"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Sentinel errors, one per reason a request is refused. Verify wraps them in
// a *hoadon.Error with CodeUnauthorized, so callers map every refusal to 401
// through hoadon.HTTPStatus and tests can still tell the reasons apart with
// errors.Is.
var (
	ErrNoSignature      = errors.New("no signature")
	ErrMalformed        = errors.New("malformed signature header")
	ErrUnknownKey       = errors.New("unknown key id")
	ErrAlgMismatch      = errors.New("algorithm does not match the key")
	ErrBadSignature     = errors.New("signature does not verify")
	ErrDigestMismatch   = errors.New("content digest does not match the body")
	ErrMissingDigest    = errors.New("no usable content digest")
	ErrMissingComponent = errors.New("required component not covered")
	ErrMissingParam     = errors.New("required signature parameter missing")
	ErrExpired          = errors.New("signature expired")
	ErrTooOld           = errors.New("signature too old")
	ErrFuture           = errors.New("signature created in the future")
	ErrReplay           = errors.New("nonce already used")
	ErrTagMismatch      = errors.New("unexpected signature tag")
)

// refuse classifies a verification failure as unauthorized; the message
// names the check and the detail (never key material or signatures).
func refuse(reason error, format string, args ...any) error {
	msg := "httpsig: " + reason.Error()
	if format != "" {
		msg += ": " + fmt.Sprintf(format, args...)
	}
	return &hoadon.Error{Code: hoadon.CodeUnauthorized, Message: msg, Err: reason}
}
