package opcount

import (
	"context"
	"strings"

	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/grpc"
)

// GRPCOptions are the dial options that count a Firestore or Cloud Tasks client's billable
// operations.
func GRPCOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(unary), grpc.WithChainStreamInterceptor(stream)}
}

const tasksService = "/google.cloud.tasks.v2.CloudTasks/"

// unary counts Cloud Tasks calls and the documents a Firestore Commit or BatchWrite writes.
func unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	if strings.HasPrefix(method, tasksService) {
		Add(TasksCall, 1)
		return err
	}
	if err != nil {
		return err
	}
	switch r := req.(type) {
	case *firestorepb.CommitRequest:
		countWrites(r.GetWrites())
	case *firestorepb.BatchWriteRequest:
		countWrites(r.GetWrites())
	}
	return nil
}

func countWrites(ws []*firestorepb.Write) {
	for _, w := range ws {
		if w.GetDelete() != "" {
			Add(FirestoreDelete, 1)
		} else {
			Add(FirestoreWrite, 1)
		}
	}
}

// stream counts the documents Firestore's streaming reads return: one read per document,
// and one for a query that returns none (Firestore bills a minimum of one read per query).
func stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil || !strings.HasPrefix(method, "/google.firestore.v1.Firestore/") {
		return s, err
	}
	return &readStream{ClientStream: s}, nil
}

type readStream struct {
	grpc.ClientStream
	query, counted bool // a query stream; it has billed a read
}

// RecvMsg counts each document as it arrives (a BatchGet may not be read to its end), and a
// query that ended without one as one read.
func (s *readStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		if s.query && !s.counted {
			s.counted = true
			Add(FirestoreRead, 1)
		}
		return err
	}
	switch r := m.(type) {
	case *firestorepb.BatchGetDocumentsResponse:
		if r.GetFound() != nil || r.GetMissing() != "" {
			Add(FirestoreRead, 1) // a missing document is billed as a read too
		}
	case *firestorepb.RunQueryResponse:
		s.query = true
		if r.GetDocument() != nil {
			s.counted = true
			Add(FirestoreRead, 1)
		}
	case *firestorepb.RunAggregationQueryResponse:
		s.query = true // one read per batch of up to 1,000 index entries: counted at the end
	}
	return nil
}
