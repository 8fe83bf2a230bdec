package importer

import (
	"context"
	"sync"
	"time"
)

// backlogTTL is how long a measured backlog is trusted: routing needs the
// trend, not the exact count, and measuring reads every running import.
const backlogTTL = 3 * time.Second

// burst routes new download tasks between the primary download target (the
// hybrid VM) and a serverless one. Past Threshold pending downloads across
// running imports, new tasks go to the serverless service; once the backlog
// falls under half the threshold, they go back to the VM (hysteresis, so
// routing does not flap around the threshold).
type burst struct {
	mu       sync.Mutex
	on       bool
	backlog  int
	measured time.Time
}

// downloadURL is where n download tasks enqueued now should go. Between
// measurements the backlog estimate grows by what this instance enqueues.
func (s *Service) downloadURL(ctx context.Context, n int) string {
	e := s.Endpoints
	if e.BurstDownload == "" || e.BurstThreshold <= 0 {
		return e.Download
	}
	b := &s.burst
	b.mu.Lock()
	defer b.mu.Unlock()
	if now := s.Now(); now.Sub(b.measured) > backlogTTL {
		n, err := s.backlog(ctx)
		if err != nil {
			s.Log.WarnContext(ctx, "measuring the download backlog; routing unchanged", "err", err)
		} else {
			b.backlog, b.measured = n, now
		}
	}
	switch {
	case !b.on && b.backlog >= e.BurstThreshold:
		b.on = true
		s.Log.InfoContext(ctx, "download backlog high: new tasks go to the burst service", "backlog", b.backlog)
	case b.on && b.backlog < e.BurstThreshold/2:
		b.on = false
		s.Log.InfoContext(ctx, "download backlog drained: new tasks go to the primary service", "backlog", b.backlog)
	}
	b.backlog += n
	if b.on {
		return e.BurstDownload
	}
	return e.Download
}

// backlog counts the pending downloads of every running import.
func (s *Service) backlog(ctx context.Context) (int, error) {
	ids, err := s.Store.Running(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		c, err := s.Store.Counts(ctx, id)
		if err != nil {
			return 0, err
		}
		n += c.Pending()
	}
	return n, nil
}
