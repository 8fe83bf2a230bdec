package gdt

import (
	"sync"
	"time"
)

// monthKey identifies one lazily generated company-month.
type monthKey struct {
	company int
	year    int
	month   time.Month
}

// monthData holds every invoice of one company-month, per flow in list
// order, plus an index by natural key for detail and export-xml.
type monthData struct {
	once  sync.Once
	flows [numFlows][]*invoice
	index map[invKey]*invoice
}

// month returns the company-month, generating it on first use. Concurrent
// callers share one generation; different months never contend.
func (s *Simulator) month(c, year int, m time.Month) *monthData {
	k := monthKey{c, year, m}
	v, ok := s.months.Load(k)
	if !ok {
		v, _ = s.months.LoadOrStore(k, &monthData{})
	}
	md := v.(*monthData)
	md.once.Do(func() {
		md.index = make(map[invKey]*invoice, int(numFlows)*s.opts.InvoicesPerMonth)
		for f := flow(0); f < numFlows; f++ {
			md.flows[f] = s.generateFlow(c, year, m, f)
			for _, inv := range md.flows[f] {
				md.index[inv.Key] = inv
			}
		}
	})
	return md
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
// company-month is consulted.
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
	m := (k.SHDon-1)/n + 1
	if m > 12 {
		return nil
	}
	inv := s.month(c, 2000+yy, time.Month(m)).index[k]
	if inv == nil || inv.Flow.sco() != sco {
		return nil
	}
	return inv
}
