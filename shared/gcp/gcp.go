// Package gcp builds the official Google Cloud clients from configuration.
// An emulator endpoint, when configured, gets an insecure loopback
// connection without credentials; otherwise the client uses Application
// Default Credentials as usual. This is the only place that knows the
// difference: handlers never branch on "local".
package gcp

import (
	"context"
	"fmt"
	"os"

	cloudtasks "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/firestore"
	"cloud.google.com/go/storage"
	executions "cloud.google.com/go/workflows/executions/apiv1"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hoadon/hoadon/shared/opcount"
)

// emulatorOptions connects a gRPC client to a local emulator.
func emulatorOptions(endpoint string) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(endpoint),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

// counted are the options that count a gRPC client's billable operations (shared/opcount).
func counted() []option.ClientOption {
	var opts []option.ClientOption
	for _, o := range opcount.GRPCOptions() {
		opts = append(opts, option.WithGRPCDialOption(o))
	}
	return opts
}

// Tasks returns a Cloud Tasks client; endpoint empty means Google.
func Tasks(ctx context.Context, endpoint string) (*cloudtasks.Client, error) {
	opts := counted()
	if endpoint != "" {
		opts = append(opts, emulatorOptions(endpoint)...)
	}
	c, err := cloudtasks.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcp.Tasks: %w", err)
	}
	return c, nil
}

// Executions returns a Workflows executions client; endpoint empty means
// Google.
func Executions(ctx context.Context, endpoint string) (*executions.Client, error) {
	var opts []option.ClientOption
	if endpoint != "" {
		opts = emulatorOptions(endpoint)
	}
	c, err := executions.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcp.Executions: %w", err)
	}
	return c, nil
}

// Firestore returns a Firestore client for project, its operations counted. The client
// itself honours FIRESTORE_EMULATOR_HOST.
func Firestore(ctx context.Context, project string) (*firestore.Client, error) {
	opts := counted()
	if addr := os.Getenv("FIRESTORE_EMULATOR_HOST"); addr != "" {
		// The client dials the emulator itself and ignores dial options; give it a
		// connection that counts (a later WithGRPCConn wins), as the emulator expects it.
		conn, err := grpc.NewClient(addr, append(opcount.GRPCOptions(),
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithPerRPCCredentials(emulatorOwner{}))...)
		if err != nil {
			return nil, fmt.Errorf("gcp.Firestore: %w", err)
		}
		opts = []option.ClientOption{option.WithGRPCConn(conn)}
	}
	c, err := firestore.NewClient(ctx, project, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcp.Firestore: %w", err)
	}
	return c, nil
}

// emulatorOwner is the credential the Firestore emulator expects (what the client sends when
// it dials the emulator itself): the owner, who bypasses security rules.
type emulatorOwner struct{}

func (emulatorOwner) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}

func (emulatorOwner) RequireTransportSecurity() bool { return false }

// Storage returns a Cloud Storage client. The client itself honours
// STORAGE_EMULATOR_HOST.
func Storage(ctx context.Context) (*storage.Client, error) {
	c, err := storage.NewClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("gcp.Storage: %w", err)
	}
	return c, nil
}
