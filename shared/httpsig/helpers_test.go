package httpsig_test

import (
	"errors"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// isRefused reports whether err is an unauthorized *hoadon.Error wrapping
// reason.
func isRefused(err, reason error) bool {
	return errors.Is(err, reason) && hoadon.ErrorCode(err) == hoadon.CodeUnauthorized
}
