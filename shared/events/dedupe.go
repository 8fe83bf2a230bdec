package events

import (
	"context"
	"sync"
)

// Deduper remembers event ids a consumer has processed. Seen records id and
// reports whether it had been recorded before; a consumer acknowledges a
// seen event (2xx) without processing it again. Record the id in the same
// transaction as the effect of the event (a Firestore create-if-absent does
// both), or a crash in between loses the event on the next delivery.
type Deduper interface {
	Seen(ctx context.Context, id string) (bool, error)
}

// MemoryDeduper is an in-process Deduper for tests and single-instance
// tools. It never forgets, so it is not for long-running services.
type MemoryDeduper struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

// Seen implements Deduper.
func (m *MemoryDeduper) Seen(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = map[string]struct{}{}
	}
	if _, ok := m.ids[id]; ok {
		return true, nil
	}
	m.ids[id] = struct{}{}
	return false, nil
}

var _ Deduper = (*MemoryDeduper)(nil)
