package gcp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func TestClassify(t *testing.T) {
	grpc := func(c codes.Code) error { return status.Error(c, "x") }
	api := func(code int) error { return &googleapi.Error{Code: code, Message: "x"} }
	for _, tc := range []struct {
		name string
		err  error
		want hoadon.Code
	}{
		{"grpc unavailable", grpc(codes.Unavailable), hoadon.CodeTransient},
		{"grpc deadline", grpc(codes.DeadlineExceeded), hoadon.CodeTransient},
		{"grpc resource exhausted", grpc(codes.ResourceExhausted), hoadon.CodeTransient},
		{"grpc aborted (contention)", grpc(codes.Aborted), hoadon.CodeTransient},
		{"grpc internal", grpc(codes.Internal), hoadon.CodeTransient},
		{"grpc not found", grpc(codes.NotFound), hoadon.CodeNotFound},
		{"grpc already exists", grpc(codes.AlreadyExists), hoadon.CodeConflict},
		{"grpc failed precondition", grpc(codes.FailedPrecondition), hoadon.CodeConflict},
		{"grpc invalid argument", grpc(codes.InvalidArgument), hoadon.CodeInvalid},
		{"grpc out of range", grpc(codes.OutOfRange), hoadon.CodeInvalid},
		{"grpc permission denied", grpc(codes.PermissionDenied), hoadon.CodeInternal},
		{"grpc unauthenticated", grpc(codes.Unauthenticated), hoadon.CodeInternal},
		{"grpc unimplemented", grpc(codes.Unimplemented), hoadon.CodeInternal},
		{"grpc data loss", grpc(codes.DataLoss), hoadon.CodeInternal},
		{"grpc canceled", grpc(codes.Canceled), hoadon.CodeCancelled},
		{"grpc wrapped", fmt.Errorf("get: %w", grpc(codes.Unavailable)), hoadon.CodeTransient},
		{"http 400", api(400), hoadon.CodeInvalid},
		{"http 401", api(401), hoadon.CodeInternal},
		{"http 403", api(403), hoadon.CodeInternal},
		{"http 404", api(404), hoadon.CodeNotFound},
		{"http 408", api(408), hoadon.CodeTransient},
		{"http 409", api(409), hoadon.CodeConflict},
		{"http 412", api(412), hoadon.CodeConflict},
		{"http 429", api(429), hoadon.CodeTransient},
		{"http 500", api(500), hoadon.CodeTransient},
		{"http 503", api(503), hoadon.CodeTransient},
		{"http 418", api(418), hoadon.CodeInternal},
		{"http wrapped", fmt.Errorf("put: %w", api(503)), hoadon.CodeTransient},
		{"object missing", storage.ErrObjectNotExist, hoadon.CodeNotFound},
		{"bucket missing", storage.ErrBucketNotExist, hoadon.CodeNotFound},
		{"context canceled", context.Canceled, hoadon.CodeCancelled},
		{"context deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), hoadon.CodeTransient},
		{"cut-off body", io.ErrUnexpectedEOF, hoadon.CodeTransient},
		{"plain error", errors.New("boom"), hoadon.CodeInternal},
		{"already classified", hoadon.Errorf(hoadon.CodeBadData, "x"), hoadon.CodeBadData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := gcp.Classify("op", tc.err)
			if got := hoadon.ErrorCode(err); got != tc.want {
				t.Errorf("code %q, want %q", got, tc.want)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap its cause", err)
			}
		})
	}
	if gcp.Classify("op", nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}
