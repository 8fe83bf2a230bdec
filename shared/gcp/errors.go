package gcp

import (
	"context"
	"errors"
	"io"
	"net/http"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Classify maps an error of a Google API client (a gRPC status, a
// googleapi.Error, the storage package's sentinels, a context error) to the
// hoadon.Error code every adapter reports, wrapping it under op. It is the
// one place that decides what a Google error means: store, schedule, sink,
// queue, workflow, auth and blob all call it, so the same failure is
// retried (or not) the same way whichever adapter met it.
//
//   - Unavailable, DeadlineExceeded, ResourceExhausted, Aborted, Internal,
//     HTTP 408, 429 and 5xx, a cut-off body, a deadline: transient (retry).
//   - NotFound / 404: not found. AlreadyExists, FailedPrecondition / 409,
//     412: conflict. InvalidArgument, OutOfRange / 400: invalid.
//   - PermissionDenied, Unauthenticated / 401, 403: internal. The service's
//     own identity lacks a role or a credential; retrying does not help and
//     the caller of our API is not at fault, so it is neither transient nor
//     unauthorized.
//   - Canceled: cancelled. Anything else: internal.
//
// An error that already carries a hoadon code keeps it.
func Classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *hoadon.Error
	if errors.As(err, &he) {
		return err
	}
	return hoadon.Wrap(Code(err), err, op)
}

// Code is Classify's decision alone.
func Code(err error) hoadon.Code {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, storage.ErrObjectNotExist), errors.Is(err, storage.ErrBucketNotExist):
		return hoadon.CodeNotFound
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return httpCode(ge.Code)
	}
	if s, ok := status.FromError(err); ok && s.Code() != codes.Unknown {
		return grpcCode(s.Code())
	}
	switch {
	case errors.Is(err, context.Canceled):
		return hoadon.CodeCancelled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF):
		return hoadon.CodeTransient
	}
	return hoadon.CodeInternal
}

func grpcCode(c codes.Code) hoadon.Code {
	switch c {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted, codes.Internal:
		return hoadon.CodeTransient
	case codes.NotFound:
		return hoadon.CodeNotFound
	case codes.AlreadyExists, codes.FailedPrecondition:
		return hoadon.CodeConflict
	case codes.InvalidArgument, codes.OutOfRange:
		return hoadon.CodeInvalid
	case codes.Canceled:
		return hoadon.CodeCancelled
	}
	return hoadon.CodeInternal // PermissionDenied, Unauthenticated, Unimplemented, DataLoss, ...
}

func httpCode(c int) hoadon.Code {
	switch {
	case c == http.StatusRequestTimeout, c == http.StatusTooManyRequests, c >= 500:
		return hoadon.CodeTransient
	case c == http.StatusNotFound:
		return hoadon.CodeNotFound
	case c == http.StatusConflict, c == http.StatusPreconditionFailed:
		return hoadon.CodeConflict
	case c == http.StatusBadRequest:
		return hoadon.CodeInvalid
	}
	return hoadon.CodeInternal // 401, 403 and the rest
}
