package blob

import (
	"context"
	"io"
)

// Open reads an object as a stream, for files too large to hold whole.
func (s *Store) Open(ctx context.Context, object string) (io.ReadCloser, error) {
	r, err := s.bucket.Object(object).NewReader(ctx)
	if err != nil {
		return nil, classify("Open "+object, err)
	}
	return r, nil
}
