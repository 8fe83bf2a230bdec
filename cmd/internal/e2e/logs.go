package e2e

import (
	"bytes"
	"io"
	"os"
	"sync"

	"github.com/hoadon/hoadon/shared/app"
)

// logTap collects what the server logs (app.LogOutput) so tests can read
// every line; with HOADON_E2E_LOGS=1 the lines are also echoed to stderr.
type logTap struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	echo bool
	prev io.Writer
}

func tapLogs() *logTap {
	t := &logTap{echo: os.Getenv("HOADON_E2E_LOGS") == "1", prev: app.LogOutput}
	app.LogOutput = t
	return t
}

// Write implements io.Writer.
func (t *logTap) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.buf.Write(p)
	t.mu.Unlock()
	if t.echo {
		os.Stderr.Write(p)
	}
	return len(p), nil
}

// String returns what was logged so far.
func (t *logTap) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// Close restores the log output.
func (t *logTap) Close() error {
	app.LogOutput = t.prev
	return nil
}
