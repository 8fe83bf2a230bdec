package gdt

import (
	"context"
	"fmt"
	"iter"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// PageFunc fetches one list page. (*Client).ListPage bound to a session is
// one; a caller's wrapper that adds retries, pacing and re-login is another,
// which is why Walk takes a function rather than a session.
type PageFunc func(ctx context.Context, q ListQuery, state string) (Page, error)

// WalkOptions tunes Walk; (*Client).WalkOptions gives the client's settings.
type WalkOptions struct {
	RequireTTXLY bool // see Config.RequireTTXLY
	MaxPages     int  // per window and pass; 0 = DefaultMaxPages
	PageSize     int  // 0 = the PageFunc's default
	// Repeat is how many extra walks of each window and pass are made
	// while walks keep finding new rows ("repeat and union", §4.7); 0 = one
	// walk only.
	Repeat int
}

// WalkOptions returns the walk settings of the client's Config.
func (c *Client) WalkOptions() WalkOptions {
	return WalkOptions{RequireTTXLY: c.cfg.RequireTTXLY, MaxPages: c.cfg.MaxPages, PageSize: c.cfg.PageSize,
		Repeat: c.cfg.RepeatWalks}
}

// List walks every invoice of flow issued from..to with one session; see
// Walk for the semantics.
func (c *Client) List(ctx context.Context, sess *Session, flow hoadon.Flow, from, to hoadon.Date) iter.Seq2[Invoice, error] {
	fetch := func(ctx context.Context, q ListQuery, state string) (Page, error) {
		return c.ListPage(ctx, sess, q, state)
	}
	return Walk(ctx, fetch, flow, from, to, c.WalkOptions())
}

// Walk yields every invoice of flow issued in from..to (inclusive, any
// length): it splits the range into calendar-month windows, pages through
// each window's cursor until the portal gives no cursor or an empty page,
// runs the ttxly passes purchase lists may need, and drops repeats by
// natural key plus issue date.
//
// An error is yielded with a zero Invoice; it ends the current window (or,
// for a row that could not be decoded, just that row), and the walk goes on
// with the next window if the consumer keeps ranging. So a consumer that
// records errors and continues gets everything the portal would give.
func Walk(ctx context.Context, fetch PageFunc, flow hoadon.Flow, from, to hoadon.Date, opt WalkOptions) iter.Seq2[Invoice, error] {
	return func(yield func(Invoice, error) bool) {
		if !flow.Valid() || from.IsZero() || to.IsZero() || to.Before(from.Time) {
			yield(Invoice{}, hoadon.Errorf(hoadon.CodeInvalid, "gdt.Walk: bad flow %q or range %s..%s", flow, from, to))
			return
		}
		w := walker{ctx: ctx, fetch: fetch, opt: opt, seen: map[seenKey]bool{}, yield: yield}
		if w.opt.MaxPages <= 0 {
			w.opt.MaxPages = DefaultMaxPages
		}
		for _, win := range hoadon.MonthWindows(from, to) {
			if w.window(ListQuery{Flow: flow, From: win.From, To: win.To, Size: opt.PageSize}) {
				return
			}
		}
	}
}

// seenKey identifies an invoice for de-duplication (§4.7: the key plus the
// issue date, since cash-register numbers may restart).
type seenKey struct {
	key  hoadon.InvoiceKey
	date string
}

type walker struct {
	ctx   context.Context
	fetch PageFunc
	opt   WalkOptions
	seen  map[seenKey]bool
	yield func(Invoice, error) bool
}

// window runs the ttxly passes of one window; it reports whether the
// consumer stopped.
func (w *walker) window(q ListQuery) (stopped bool) {
	passes := initialPasses(q.Flow, w.opt.RequireTTXLY)
	for i := 0; i < len(passes); i++ {
		q.TTXLY = passes[i]
		stopped, first, fresh, err := w.pass(q)
		if stopped {
			return true
		}
		if err == nil {
			if w.repeat(q, fresh) {
				return true
			}
			continue
		}
		if alt := fallbackPasses(q.Flow, q.TTXLY, w.opt.RequireTTXLY, err, first); alt != nil {
			passes = append(passes[:i+1], alt...)
			continue
		}
		if !w.yield(Invoice{}, fmt.Errorf("gdt.Walk %s %s ttxly=%d: %w", q.Flow, q.From.Format("2006-01"), q.TTXLY, err)) {
			return true
		}
		if w.ctx.Err() != nil {
			return true
		}
	}
	return false
}

// repeat walks a finished pass again while the previous walk still found
// new rows, at most opt.Repeat times: the portal's cursor was measured to
// lose ~0.6 % of rows (§4.7), and the union of repeated walks recovers them.
// An error in a repeat only ends the repeating; the first walk succeeded.
// It reports whether the consumer stopped.
func (w *walker) repeat(q ListQuery, fresh int) bool {
	for r := 0; r < w.opt.Repeat && fresh > 0; r++ {
		stopped, _, n, err := w.pass(q)
		if stopped {
			return true
		}
		if err != nil {
			return false
		}
		fresh = n
	}
	return false
}

// pass pages through one query. It returns whether the consumer stopped,
// whether the error came on the first page, how many new invoices it
// yielded, and the error that ended the pass (not yet yielded).
func (w *walker) pass(q ListQuery) (stopped, firstPage bool, fresh int, err error) {
	state := ""
	for page := 1; ; page++ {
		if page > w.opt.MaxPages {
			return false, false, fresh, hoadon.Errorf(hoadon.CodeBadData, "more than %d pages; cursor walk abandoned", w.opt.MaxPages)
		}
		p, err := w.fetch(w.ctx, q, state)
		if err != nil {
			return false, page == 1, fresh, err
		}
		n, stopped := w.emit(p)
		fresh += n
		if stopped {
			return true, false, fresh, nil
		}
		if p.State == "" || len(p.Invoices)+len(p.Errors) == 0 {
			return false, false, fresh, nil
		}
		if p.State == state {
			return false, false, fresh, hoadon.Errorf(hoadon.CodeBadData, "cursor did not advance on page %d", page)
		}
		state = p.State
	}
}

// emit yields a page's new invoices and row errors; it returns how many
// new invoices it yielded and whether the consumer stopped.
func (w *walker) emit(p Page) (fresh int, stopped bool) {
	for _, err := range p.Errors {
		if !w.yield(Invoice{}, err) {
			return fresh, true
		}
	}
	for _, inv := range p.Invoices {
		k := seenKey{inv.Key, inv.Date.String()}
		if w.seen[k] {
			continue
		}
		w.seen[k] = true
		fresh++
		if !w.yield(inv, nil) {
			return fresh, true
		}
	}
	return fresh, false
}

// ttxly values the portal's purchase tab offers (§4.8, §9.2).
var (
	purchaseTTXLY     = []int{5, 6, 8}
	cashPurchaseTTXLY = []int{8}
)

// initialPasses is the ttxly filters a window starts with: none, unless the
// client assumes the portal requires one on purchase lists.
func initialPasses(flow hoadon.Flow, require bool) []int {
	switch {
	case !require || flow.Direction() != hoadon.Purchase:
		return []int{0}
	case flow.Family() == hoadon.FamilyCashRegister:
		return append([]int(nil), cashPurchaseTTXLY...)
	}
	return append([]int(nil), purchaseTTXLY...)
}

// fallbackPasses decides how to react when a purchase pass fails on its
// first page, covering both readings of §4.8: an unfiltered query refused as
// invalid means the filter is required (run one pass per value); a refused
// cash-register ttxly==8 query means the filter is not accepted there (run
// unfiltered). Nil means no fallback: the error stands.
func fallbackPasses(flow hoadon.Flow, ttxly int, require bool, err error, firstPage bool) []int {
	if !firstPage || flow.Direction() != hoadon.Purchase {
		return nil
	}
	code := hoadon.ErrorCode(err)
	switch {
	case ttxly == 0 && !require && code == hoadon.CodeInvalid:
		if flow.Family() == hoadon.FamilyCashRegister {
			return append([]int(nil), cashPurchaseTTXLY...)
		}
		return append([]int(nil), purchaseTTXLY...)
	case ttxly == 8 && require && flow.Family() == hoadon.FamilyCashRegister &&
		(code == hoadon.CodeInvalid || code == hoadon.CodeTransient):
		return []int{0}
	}
	return nil
}
