package firestore

import (
	"context"
	"fmt"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// NewClient returns an official Firestore client for project talking to the emulator at host
// (host:port), without reading or changing FIRESTORE_EMULATOR_HOST, so tests running in
// parallel can each pick their own emulator and project. Closing the client also closes its
// connection.
//
// It dials the way the client library does for FIRESTORE_EMULATOR_HOST: insecure gRPC plus the
// "Bearer owner" token the emulator treats as an administrator.
func NewClient(ctx context.Context, host, project string) (*gfs.Client, error) {
	if host == "" || project == "" {
		return nil, fmt.Errorf("firestore emulator: client: host %q and project %q must be set", host, project)
	}
	conn, err := grpc.NewClient("passthrough:///"+host,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(ownerCreds{}))
	if err != nil {
		return nil, fmt.Errorf("firestore emulator: dial %s: %w", host, err)
	}
	c, err := gfs.NewClient(ctx, project, option.WithGRPCConn(conn))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("firestore emulator: client for %s: %w", project, err)
	}
	return c, nil
}

// ownerCreds sends the emulator's administrator token on every call.
type ownerCreds struct{}

func (ownerCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}

func (ownerCreds) RequireTransportSecurity() bool { return false }
