package importer

import (
	"context"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/throttle"
)

// pageFetcher returns a gdt.PageFunc over a session that asks a throttled
// or failing list page again in place, keeping the cursor, instead of
// failing the whole window (which would make the workflow list it again
// from page 1). Discovery shares the account's allowance with running
// downloads, so 429s on list pages are expected: each answer feeds the
// company's rate policy (shared/throttle), which plans the wait and holds
// this instance's other pages of the company for a Retry-After.
func (s *Service) pageFetcher(company string, sess *gdt.Session) gdt.PageFunc {
	return func(ctx context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
		var tries throttle.Tries
		for {
			if err := s.Throttle.Wait(ctx, company); err != nil {
				return gdt.Page{}, err
			}
			p, err := s.Portal.ListPage(ctx, sess, q, state)
			if err == nil {
				if rerr := s.Throttle.Record(ctx, company, nil); rerr != nil {
					s.Log.WarnContext(ctx, "recording a listed page in the company rate", "company", company, "err", rerr)
				}
				return p, nil
			}
			wait, again, rerr := s.Throttle.Retry(ctx, company, err, &tries)
			if rerr != nil {
				s.Log.WarnContext(ctx, "recording the portal's answer in the company rate", "company", company, "err", rerr)
			}
			if !again || s.Throttle.Sleep(ctx, wait) != nil {
				return p, err
			}
		}
	}
}
