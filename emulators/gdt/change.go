package gdt

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Status changes after issue, driven by tests through /_sim (or the Go
// methods): an invoice is replaced (it becomes tthai 4, a new replacement
// with tthai 2 names it), adjusted (5, a new adjustment with tthai 3) or
// cancelled (6); and an invoice can arrive late in a month already listed.
// Lists, detail and the ground truth show the new state at once.

// Key is an invoice's natural key as /_sim takes and returns it.
type Key struct {
	NBMST    string `json:"nbmst"`
	KHMSHDon int    `json:"khmshdon"`
	KHHDon   string `json:"khhdon"`
	SHDon    int64  `json:"shdon"`
}

func (k Key) inv() invKey { return invKey(k) }

func keyOf(k invKey) Key { return Key(k) }

// Key returns the natural key of a ground-truth invoice.
func (t Truth) Key() Key {
	return Key{NBMST: t.NBMST, KHMSHDon: t.KHMSHDon, KHHDon: t.KHHDon, SHDon: t.SHDon}
}

// Change is the outcome of a /_sim status change: the original as it now
// stands and the invoice the change issued (none for a cancellation).
type Change struct {
	Original Truth  `json:"original"`
	Invoice  *Truth `json:"invoice,omitempty"`
}

// Errors of the status-change calls; /_sim maps them to 404, 409 and 400.
var (
	ErrUnknownCompany = errors.New("unknown mst")
	ErrUnknownInvoice = errors.New("no such invoice of this account")
	ErrStatus         = errors.New("the invoice's status does not allow this change")
	ErrDate           = errors.New("date outside 2000-2099 or before the original's date")
)

// addedKey finds the month of an invoice added after generation.
type addedKey struct {
	company int
	key     invKey
}

// changeKind is what a status change does to the original.
type changeKind int

const (
	kindReplace changeKind = iota + 1 // TCHDon 1: original 4, new 2
	kindAdjust                        // TCHDon 2: original 5, new 3
	kindCancel                        // original 6, nothing new
)

// allowed reports whether an original in status tthai can take the change:
// replaced (4) and cancelled (6) invoices are final; an adjusted one (5) can
// be adjusted again.
func (k changeKind) allowed(tthai int) bool {
	switch tthai {
	case 1, 2, 3:
		return true
	case 5:
		return k == kindAdjust
	}
	return false
}

// Replace issues a replacement of the invoice k of account mst, dated date
// (zero: the original's date); the original becomes tthai 4.
func (s *Simulator) Replace(mst string, k Key, date time.Time) (Change, error) {
	return s.change(mst, k, kindReplace, date)
}

// Adjust issues a decreasing adjustment of the invoice k, dated date (zero:
// the original's date); the original becomes tthai 5.
func (s *Simulator) Adjust(mst string, k Key, date time.Time) (Change, error) {
	return s.change(mst, k, kindAdjust, date)
}

// Cancel marks the invoice k cancelled (tthai 6).
func (s *Simulator) Cancel(mst string, k Key) (Change, error) {
	return s.change(mst, k, kindCancel, time.Time{})
}

func (s *Simulator) change(mst string, k Key, kind changeKind, date time.Time) (Change, error) {
	acc := s.accounts[mst]
	if acc == nil {
		return Change{}, ErrUnknownCompany
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	orig := s.lookupAny(acc.idx, k.inv())
	if orig == nil {
		return Change{}, ErrUnknownInvoice
	}
	if !kind.allowed(orig.TThai) {
		return Change{}, fmt.Errorf("%w: tthai %d", ErrStatus, orig.TThai)
	}
	if date.IsZero() {
		date = orig.Date
	}
	date = vnDay(date)
	if date.Before(orig.Date) || !inDataRange(date) {
		return Change{}, ErrDate
	}
	updated := *orig
	var issued *invoice
	switch kind {
	case kindCancel:
		updated.TThai = 6
	default:
		issued = s.relatedInvoice(&updated, kind, date)
		updated.Replaced = issued
		updated.TThai = 4
		if kind == kindAdjust {
			updated.TThai = 5
		}
		s.insert(acc.idx, issued)
	}
	s.swap(acc.idx, orig, &updated)
	ch := Change{Original: s.truthOf(&updated)}
	if issued != nil {
		t := s.truthOf(issued)
		ch.Invoice = &t
	}
	return ch, nil
}

// AddLate adds an invoice of flow (an origin flow name) issued on date to
// account mst, as if the portal received it only now: a purchase invoice
// the seller sent late, typically. It has an original XML when hasXML.
func (s *Simulator) AddLate(mst, flowName string, date time.Time, hasXML bool) (Truth, error) {
	acc := s.accounts[mst]
	if acc == nil {
		return Truth{}, ErrUnknownCompany
	}
	f := slices.Index(flowNames[:], flowName)
	if f < 0 {
		return Truth{}, fmt.Errorf("unknown flow %q", flowName)
	}
	date = vnDay(date)
	if !inDataRange(date) {
		return Truth{}, ErrDate
	}
	s.edit.Lock()
	defer s.edit.Unlock()
	r := s.addedRand()
	inv := &invoice{Flow: flow(f), Date: date, Seed: r.Uint64()}
	self, others := s.pools(acc.idx, inv.Flow)
	s.assignParties(inv, r, self, pick(r, others), s.addedNumber())
	s.classify(inv, r)
	inv.HSGoc = ""
	if hasXML {
		inv.HSGoc = uuidFrom(r)
	}
	inv.Lines = makeLines(rand.New(rand.NewPCG(inv.Seed, mix(inv.Seed))), defaultRate(inv), inv.Key.KHMSHDon == 2)
	inv.applyTotals()
	s.insert(acc.idx, inv)
	return s.truthOf(inv), nil
}

// relatedInvoice builds the replacement or adjustment of orig issued on
// date: same seller, buyer, template and symbol tail (the symbol's year is
// the new date's), a number above the generated range.
func (s *Simulator) relatedInvoice(orig *invoice, kind changeKind, date time.Time) *invoice {
	r := s.addedRand()
	inv := &invoice{Flow: orig.Flow, Date: date, Seed: r.Uint64(), Seller: orig.Seller, Buyer: orig.Buyer}
	inv.Key = invKey{NBMST: orig.Key.NBMST, KHMSHDon: orig.Key.KHMSHDon,
		KHHDon: fmt.Sprintf("%c%02d%s", orig.Key.KHHDon[0], date.Year()%100, orig.Key.KHHDon[3:]), SHDon: s.addedNumber()}
	s.classify(inv, r)
	inv.TTXLy, inv.HTHDon = orig.TTXLy, orig.HTHDon
	if orig.MHDon == "" {
		inv.MHDon, inv.HSGCMa = "", ""
	}
	inv.HSGoc = uuidFrom(r)
	inv.Related = &related{Kind: int(kind), Key: orig.Key, Date: orig.Date, Original: orig}
	lr := rand.New(rand.NewPCG(inv.Seed, mix(inv.Seed)))
	inv.TThai = 2
	inv.Lines = makeLines(lr, defaultRate(inv), inv.Key.KHMSHDon == 2)
	if kind == kindAdjust {
		inv.TThai = 3
		inv.Lines = adjustmentLines(lr, orig)
	}
	inv.applyTotals()
	return inv
}

// addedRand is the random stream of the next added invoice (call with edit
// held): reproducible for a given seed and order of calls.
func (s *Simulator) addedRand() *rand.Rand {
	s.addedSeq++
	return newRand(s.opts.Seed, 9, uint64(s.addedSeq))
}

// addedNumber is an invoice number above every generated one
// ((month−1)×N + i + 1 ≤ 12×N), so added invoices never collide.
func (s *Simulator) addedNumber() int64 {
	return 12*int64(s.opts.InvoicesPerMonth) + s.addedSeq
}

// lookupAny finds an invoice of company c in either family.
func (s *Simulator) lookupAny(c int, k invKey) *invoice {
	if inv := s.lookup(c, false, k); inv != nil {
		return inv
	}
	return s.lookup(c, true, k)
}

// insert publishes a new invoice in its month (call with edit held).
func (s *Simulator) insert(c int, inv *invoice) {
	mk := monthKey{c, inv.Date.Year(), inv.Date.Month()}
	s.updateMonth(mk, func(v *monthView) {
		rows := v.flows[inv.Flow]
		at, _ := slices.BinarySearchFunc(rows, inv, func(a, b *invoice) int {
			if rowLess(a, b) {
				return -1
			}
			return 1
		})
		v.flows[inv.Flow] = slices.Insert(rows, at, inv)
		v.index[inv.Key] = inv
	})
	s.added.Store(addedKey{c, inv.Key}, mk)
}

// swap replaces an invoice by its updated copy in its month (call with edit
// held).
func (s *Simulator) swap(c int, old, updated *invoice) {
	s.updateMonth(monthKey{c, old.Date.Year(), old.Date.Month()}, func(v *monthView) {
		rows := v.flows[old.Flow]
		if i := slices.Index(rows, old); i >= 0 {
			rows[i] = updated
		}
		v.index[old.Key] = updated
	})
}

// updateMonth copies a month's view, lets fn change the copy and publishes
// it: readers holding the old view keep a consistent picture.
func (s *Simulator) updateMonth(mk monthKey, fn func(*monthView)) {
	cur := s.month(mk.company, mk.year, mk.month)
	next := &monthView{index: make(map[invKey]*invoice, len(cur.index)+1)}
	for f := range cur.flows {
		next.flows[f] = slices.Clone(cur.flows[f])
	}
	for k, inv := range cur.index {
		next.index[k] = inv
	}
	fn(next)
	s.monthData(mk).view.Store(next)
}

// vnDay is the calendar day of t, at midnight in Vietnam.
func vnDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, vn)
}

func inDataRange(d time.Time) bool {
	return !d.Before(firstMonth) && !d.After(lastMonth.AddDate(0, 1, -1))
}
