package importer

import (
	"context"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Page retry bounds: a list page the portal throttles is asked again after
// its Retry-After, keeping the cursor, instead of failing the whole window
// (which would make the workflow list it again from page 1). Discovery
// shares the account's concurrency allowance with running downloads, so
// 429s on list pages are expected, not exceptional.
const (
	pageAttempts = 8
	pageMaxWait  = 30 * time.Second
)

// pageBackoff is the first wait before asking a page again (a variable so
// tests need not wait).
var pageBackoff = time.Second

// pageFetcher returns a gdt.PageFunc over a session that retries throttled
// and transient pages in place.
func (s *Service) pageFetcher(sess *gdt.Session) gdt.PageFunc {
	return func(ctx context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
		wait := pageBackoff
		for attempt := 1; ; attempt++ {
			p, err := s.Portal.ListPage(ctx, sess, q, state)
			code := hoadon.ErrorCode(err)
			retry := code == hoadon.CodeRateLimited || code == hoadon.CodeTransient || code == hoadon.CodeBlocked
			if err == nil || !retry || attempt == pageAttempts {
				return p, err
			}
			d := min(max(wait, hoadon.ErrorRetryAfter(err)), pageMaxWait)
			select {
			case <-ctx.Done():
				return p, err
			case <-time.After(d):
			}
			wait = min(2*wait, pageMaxWait)
		}
	}
}
