package httpsig

import (
	"context"
	"sync"
	"time"
)

// ReplayChecker remembers nonces. Seen records key until the given time and
// reports whether it was already recorded (and not yet expired). A shared
// store (Firestore, Redis) is needed when several instances verify; the
// in-memory one covers a single process and tests.
type ReplayChecker interface {
	Seen(ctx context.Context, key string, until time.Time) (bool, error)
}

// MemoryReplay is an in-process ReplayChecker whose entries expire at the
// time given to Seen; expired entries are dropped as new ones arrive, so
// memory stays proportional to the traffic of one acceptance window.
type MemoryReplay struct {
	Clock func() time.Time // nil means time.Now

	mu      sync.Mutex
	entries map[string]time.Time
}

// NewMemoryReplay returns an empty MemoryReplay using clock (nil: time.Now).
func NewMemoryReplay(clock func() time.Time) *MemoryReplay {
	return &MemoryReplay{Clock: clock}
}

// Seen implements ReplayChecker.
func (m *MemoryReplay) Seen(_ context.Context, key string, until time.Time) (bool, error) {
	now := time.Now()
	if m.Clock != nil {
		now = m.Clock()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]time.Time{}
	}
	for k, exp := range m.entries {
		if now.After(exp) {
			delete(m.entries, k)
		}
	}
	if _, ok := m.entries[key]; ok {
		return true, nil
	}
	m.entries[key] = until
	return false, nil
}

// Len reports how many nonces are remembered (for tests and metrics).
func (m *MemoryReplay) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
