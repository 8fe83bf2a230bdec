package importer

import "context"

// The portal allows an account C requests in flight, and the company queue
// runs C downloads. While an import lists its windows, the list requests
// would find every slot taken and be throttled, so discovery would crawl
// behind the downloads it feeds. During discovery the queue therefore runs
// C − DiscoveryConcurrency downloads (at least one), and C again once every
// window is listed or the import ends.

// downloadSlots is the company queue's concurrency for a phase.
func (s *Service) downloadSlots(discovering bool) int {
	c := s.Queues.Config().Concurrency
	if !discovering || s.DiscoveryConcurrency <= 0 {
		return c
	}
	return max(1, c-s.DiscoveryConcurrency)
}

// setSlots applies a phase's concurrency to a company queue. A failure is
// logged, not returned: the limits only tune the pace.
func (s *Service) setSlots(ctx context.Context, company string, discovering bool) {
	q, err := s.Queues.EnsureCompanyQueue(ctx, company)
	if err == nil {
		err = s.Queues.SetConcurrency(ctx, q, s.downloadSlots(discovering))
	}
	if err != nil {
		s.Log.WarnContext(ctx, "setting the company queue's concurrency", "company", company, "discovering", discovering, "err", err)
	}
}
