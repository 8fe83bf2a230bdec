package gdt

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Page-size rules. Above 50 the real behaviour is unknown; the simulator
// rejects it with 400 so a client asking for more is caught (README).
const (
	defaultPageSize = 15
	maxPageSize     = 50
	msgPageSize     = "Số bản ghi trên một trang không được lớn hơn 50"
)

// listQuery is a validated list request.
type listQuery struct {
	flow  flow
	sr    search
	asc   bool
	size  int
	after *cursor
	fp    uint64
}

// parseList validates the list parameters, answering the portal's errors.
// It returns ok=false after writing the error.
func (s *Simulator) parseList(w http.ResponseWriter, r *http.Request, acc *account, f flow, path string) (listQuery, bool) {
	p := rawParams(r.URL.RawQuery)
	q := listQuery{flow: f, size: defaultPageSize}
	if v, ok := p["size"]; ok {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			s.springFail(w, r, http.StatusInternalServerError, path, nfe("int", v))
			return q, false
		case n < 1 || n > maxPageSize:
			s.springFail(w, r, http.StatusBadRequest, path, msgPageSize)
			return q, false
		}
		q.size = n
	}
	if sort := p["sort"]; sort != "" {
		if strings.Contains(sort, ",") {
			s.springFail(w, r, http.StatusInternalServerError, path, msgMultiSort)
			return q, false
		}
		field, dir, _ := strings.Cut(sort, ":")
		q.asc = field == "tdlap" && strings.EqualFold(dir, "asc")
	}
	sr, err := parseSearch(p["search"])
	if err != nil {
		s.springFail(w, r, http.StatusBadRequest, path, err.Error())
		return q, false
	}
	q.sr = sr
	q.fp = fingerprint(s.companies[acc.idx].MST, strconv.Itoa(int(f)), sr.canonical(), strconv.FormatBool(q.asc))
	if st := p["state"]; st != "" {
		c, err := decodeCursor(st)
		if err != nil || c.fingerprint != q.fp {
			s.springFail(w, r, http.StatusBadRequest, path, "Tham số state không hợp lệ")
			return q, false
		}
		q.after = &c
	}
	return q, true
}

// candidates returns every matching invoice of the window in list order.
func (s *Simulator) candidates(c int, q listQuery) []*invoice {
	var out []*invoice
	for _, m := range monthsBetween(q.sr.from, q.sr.to) {
		for _, inv := range s.month(c, m.Year(), m.Month()).flows[q.flow] {
			if q.sr.match(inv) {
				out = append(out, inv)
			}
		}
	}
	if q.asc {
		slices.SortStableFunc(out, func(a, b *invoice) int {
			if !a.Date.Equal(b.Date) {
				return a.Date.Compare(b.Date)
			}
			if a.Key.less(b.Key) {
				return -1
			}
			return 1
		})
	}
	return out
}

// handleList serves GET /{query|sco-query}/invoices/{sold|purchase}.
func (s *Simulator) handleList(w http.ResponseWriter, r *http.Request, acc *account, f flow, path string) {
	start := time.Now()
	q, ok := s.parseList(w, r, acc, f, path)
	if !ok {
		return
	}
	rows := s.candidates(acc.idx, q)
	from := 0
	if q.after != nil {
		from = slices.IndexFunc(rows, func(inv *invoice) bool { return q.after.precedes(inv, q.asc) })
		if from < 0 {
			from = len(rows)
		}
	}
	end := min(from+q.size, len(rows))
	var b bytes.Buffer
	s.writePage(&b, rows, from, end, q.fp)
	b.WriteString(`,"time":` + strconv.FormatInt(max(time.Since(start).Milliseconds(), 1), 10) + "}")
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}

// writePage writes datas, total and state of rows[from:end].
func (s *Simulator) writePage(b *bytes.Buffer, rows []*invoice, from, end int, fp uint64) {
	b.WriteString(`{"datas":[`)
	for i, inv := range rows[from:end] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(s.rowBytes(inv))
	}
	fo := s.faults()
	total := len(rows)
	if j := fo.TotalJitter; j > 0 {
		total = max(0, total+rand.IntN(2*j+1)-j)
	}
	b.WriteString(`],"total":` + strconv.Itoa(total) + `,"state":`)
	if end >= len(rows) || end == from {
		b.WriteString("null")
		return
	}
	last := rows[end-1]
	if fo.CursorSkipShare > 0 && end+1 < len(rows) && rand.Float64() < fo.CursorSkipShare {
		last = rows[end] // the next row is lost, like the real cursor's rare gaps
	}
	b.WriteString(`"` + cursor{fingerprint: fp, date: last.Date, key: last.Key}.encode() + `"`)
}

// precedes reports whether the cursor position comes strictly before inv
// in list order, i.e. inv belongs to a later page.
func (c *cursor) precedes(inv *invoice, asc bool) bool {
	if !inv.Date.Equal(c.date) {
		return inv.Date.Before(c.date) != asc
	}
	return c.key.less(inv.Key)
}
