package gdt

import (
	"sync"
	"sync/atomic"
	"time"
)

// monthKey identifies one lazily generated company-month.
type monthKey struct {
	company int
	year    int
	month   time.Month
}

// monthData is one company-month: generated once, then published as an
// immutable view that status changes replace as a whole (copy on write), so
// readers never lock.
type monthData struct {
	once sync.Once
	view atomic.Pointer[monthView]
}

// monthView holds every invoice of a company-month, per flow in list order,
// plus an index by natural key for detail and export-xml. Neither it nor
// the invoices it points to change once published.
type monthView struct {
	flows [numFlows][]*invoice
	index map[invKey]*invoice
}

// month returns the company-month's current view, generating it on first
// use. Concurrent callers share one generation; different months never
// contend.
func (s *Simulator) month(c, year int, m time.Month) *monthView {
	md := s.monthData(monthKey{c, year, m})
	md.once.Do(func() {
		v := &monthView{index: make(map[invKey]*invoice, int(numFlows)*s.opts.InvoicesPerMonth)}
		for f := flow(0); f < numFlows; f++ {
			v.flows[f] = s.generateFlow(c, year, m, f)
			for _, inv := range v.flows[f] {
				v.index[inv.Key] = inv
			}
		}
		md.view.Store(v)
	})
	return md.view.Load()
}

func (s *Simulator) monthData(k monthKey) *monthData {
	v, ok := s.months.Load(k)
	if !ok {
		v, _ = s.months.LoadOrStore(k, &monthData{})
	}
	return v.(*monthData)
}

// Data exists for 2000–2099 only: symbols carry a two-digit year.
var (
	firstMonth = time.Date(2000, 1, 1, 0, 0, 0, 0, vn)
	lastMonth  = time.Date(2099, 12, 1, 0, 0, 0, 0, vn)
)

// monthsBetween lists the calendar months touched by [from, to] (dates in
// Vietnam time) that hold data, latest first.
func monthsBetween(from, to time.Time) []time.Time {
	from, to = from.In(vn), to.In(vn)
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, vn)
	if first.Before(firstMonth) {
		first = firstMonth
	}
	m := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, vn)
	if m.After(lastMonth) {
		m = lastMonth
	}
	var out []time.Time
	for ; !m.Before(first); m = m.AddDate(0, -1, 0) {
		out = append(out, m)
	}
	return out
}

// lookup finds an invoice visible to company c in flow family fam by its
// key. The number encodes the month and the symbol the year, so exactly one
// company-month is consulted; invoices added later (numbers above the
// generated range) are found through Simulator.added.
func (s *Simulator) lookup(c int, sco bool, k invKey) *invoice {
	n := int64(s.opts.InvoicesPerMonth)
	if n == 0 || k.SHDon < 1 || len(k.KHHDon) != 6 {
		return nil
	}
	d1, d2 := k.KHHDon[1], k.KHHDon[2]
	if d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' {
		return nil
	}
	yy := int(d1-'0')*10 + int(d2-'0')
	mk := monthKey{c, 2000 + yy, time.Month((k.SHDon-1)/n + 1)}
	if mk.month > 12 {
		v, ok := s.added.Load(addedKey{c, k})
		if !ok {
			return nil
		}
		mk = v.(monthKey)
	}
	inv := s.month(c, mk.year, mk.month).index[k]
	if inv == nil || inv.Flow.sco() != sco {
		return nil
	}
	return inv
}
