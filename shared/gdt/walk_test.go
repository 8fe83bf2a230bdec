package gdt_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// fakeList is an in-memory list endpoint: rows in portal order, a cursor
// that is the index of the next row, and switches for the quirks of §4.7
// and §4.8.
type fakeList struct {
	rows          []gdt.Invoice
	size          int
	repeatLast    bool // start each page with the previous page's last row
	trailingState bool // give a cursor on the last page too
	rejectNoTTXLY bool // 400 on purchase lists without ttxly
	rejectTTXLY8  bool // 500 on ttxly==8
	lossyFirst    bool // the first walk of each window misses every 7th invoice (§4.7)
	walks         map[string]int
	queries       []gdt.ListQuery
}

func (f *fakeList) fetch(_ context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
	f.queries = append(f.queries, q)
	if len(hoadon.MonthWindows(q.From, q.To)) != 1 {
		return gdt.Page{}, hoadon.Errorf(hoadon.CodeInvalid, "range too long")
	}
	if f.rejectNoTTXLY && q.TTXLY == 0 && q.Flow.Direction() == hoadon.Purchase {
		return gdt.Page{}, hoadon.Errorf(hoadon.CodeInvalid, "ttxly required")
	}
	if f.rejectTTXLY8 && q.TTXLY == 8 {
		return gdt.Page{}, hoadon.Errorf(hoadon.CodeTransient, "500")
	}
	if f.walks == nil {
		f.walks = map[string]int{}
	}
	walk := fmt.Sprint(q)
	if state == "" {
		f.walks[walk]++
	}
	var match []gdt.Invoice
	for _, r := range f.rows {
		if f.lossyFirst && f.walks[walk] == 1 && r.Key.SHDon%7 == 0 {
			continue
		}
		if !r.Date.Before(q.From.Time) && !r.Date.After(q.To.Time) && (q.TTXLY == 0 || q.TTXLY == r.TTXLY) {
			match = append(match, r)
		}
	}
	start, _ := strconv.Atoi(state)
	if f.repeatLast && start > 0 {
		start--
	}
	end := min(start+f.size, len(match))
	p := gdt.Page{Invoices: match[start:end], Total: len(match)}
	if end < len(match) || f.trailingState && start < len(match) {
		p.State = strconv.Itoa(end)
	}
	return p, nil
}

// rowsBetween makes n invoices per day, ttxly cycling 5, 6, 8, in portal
// order (date descending, key ascending).
func rowsBetween(t *testing.T, flow hoadon.Flow, from, to string, n int) []gdt.Invoice {
	t.Helper()
	f, _ := hoadon.ParseDate(from)
	e, _ := hoadon.ParseDate(to)
	var out []gdt.Invoice
	num := int64(0)
	for d := f; !d.After(e.Time); d = d.AddDays(1) {
		for i := 0; i < n; i++ {
			num++
			out = append(out, gdt.Invoice{Flow: flow, Date: d, TTXLY: []int{5, 6, 8}[num%3],
				Key: hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: num}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.After(out[j].Date.Time) })
	return out
}

func collect(t *testing.T, seq func(func(gdt.Invoice, error) bool)) (map[string]int, []error) {
	t.Helper()
	got := map[string]int{}
	var errs []error
	for inv, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got[inv.Key.String()+"@"+inv.Date.String()]++
	}
	return got, errs
}

func dates(from, to string) (hoadon.Date, hoadon.Date) {
	f, _ := hoadon.ParseDate(from)
	e, _ := hoadon.ParseDate(to)
	return f, e
}

// Ensure a multi-month walk splits into portal-sized windows and yields
// every invoice exactly once despite repeated rows and trailing cursors.
func TestWalkWindowsAndCursor(t *testing.T) {
	for _, quirk := range []string{"plain", "repeat-last-row", "trailing-state"} {
		t.Run(quirk, func(t *testing.T) {
			fl := &fakeList{rows: rowsBetween(t, hoadon.FlowSoldEInvoice, "2026-01-01", "2026-04-30", 3), size: 7,
				repeatLast: quirk == "repeat-last-row", trailingState: quirk == "trailing-state"}
			from, to := dates("2026-01-15", "2026-04-10")
			got, errs := collect(t, gdt.Walk(context.Background(), fl.fetch, hoadon.FlowSoldEInvoice, from, to, gdt.WalkOptions{}))
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			want := 0
			for _, r := range fl.rows {
				if !r.Date.Before(from.Time) && !r.Date.After(to.Time) {
					want++
					if got[r.Key.String()+"@"+r.Date.String()] != 1 {
						t.Fatalf("invoice %s yielded %d times", r.Key, got[r.Key.String()+"@"+r.Date.String()])
					}
				}
			}
			if len(got) != want {
				t.Fatalf("got %d invoices, want %d", len(got), want)
			}
			windows := map[string]bool{}
			for _, q := range fl.queries {
				windows[q.From.String()+".."+q.To.String()] = true
			}
			for _, w := range hoadon.MonthWindows(from, to) {
				if !windows[w.String()] {
					t.Errorf("window %s never queried (queried %v)", w, windows)
				}
			}
			if len(windows) != 4 {
				t.Errorf("queried windows %v, want 4", windows)
			}
		})
	}
}

// Ensure both readings of the purchase ttxly rule work (§4.8, §13.7).
func TestWalkTTXLY(t *testing.T) {
	from, to := dates("2026-03-01", "2026-03-31")
	tests := []struct {
		name       string
		flow       hoadon.Flow
		require    bool
		fl         fakeList
		wantPasses []int
	}{
		{"optional and accepted", hoadon.FlowPurchaseEInvoice, false, fakeList{}, []int{0}},
		{"optional but portal requires", hoadon.FlowPurchaseEInvoice, false, fakeList{rejectNoTTXLY: true}, []int{0, 5, 6, 8}},
		{"required", hoadon.FlowPurchaseEInvoice, true, fakeList{}, []int{5, 6, 8}},
		{"required cash register", hoadon.FlowPurchaseCashRegister, true, fakeList{}, []int{8}},
		{"required cash register refuses 8", hoadon.FlowPurchaseCashRegister, true, fakeList{rejectTTXLY8: true}, []int{8, 0}},
		{"sold never filtered", hoadon.FlowSoldEInvoice, true, fakeList{}, []int{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fl := tc.fl
			fl.size = 10
			fl.rows = rowsBetween(t, tc.flow, "2026-03-01", "2026-03-31", 2)
			got, errs := collect(t, gdt.Walk(context.Background(), fl.fetch, tc.flow, from, to, gdt.WalkOptions{RequireTTXLY: tc.require}))
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			passes := []int{}
			for _, q := range fl.queries {
				if len(passes) == 0 || passes[len(passes)-1] != q.TTXLY {
					passes = append(passes, q.TTXLY)
				}
			}
			if fmt.Sprint(passes) != fmt.Sprint(tc.wantPasses) {
				t.Errorf("passes %v, want %v", passes, tc.wantPasses)
			}
			wantN := len(fl.rows)
			if tc.wantPasses[len(tc.wantPasses)-1] == 8 && len(tc.wantPasses) == 1 {
				wantN = 0 // only the ttxly 8 rows
				for _, r := range fl.rows {
					if r.TTXLY == 8 {
						wantN++
					}
				}
			}
			if len(got) != wantN {
				t.Errorf("got %d invoices, want %d", len(got), wantN)
			}
		})
	}
}

// Ensure a failing window is reported and the walk goes on; the page cap
// ends a cursor that never finishes; a consumer can stop early.
func TestWalkErrors(t *testing.T) {
	from, to := dates("2026-01-01", "2026-03-31")
	failJan := func(ctx context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
		if q.From.Month() == 1 {
			return gdt.Page{}, hoadon.Errorf(hoadon.CodeTransient, "502")
		}
		return gdt.Page{Invoices: []gdt.Invoice{{Key: testKey, Date: q.From}}}, nil
	}
	got, errs := collect(t, gdt.Walk(context.Background(), failJan, hoadon.FlowSoldEInvoice, from, to, gdt.WalkOptions{}))
	if len(errs) != 1 || hoadon.ErrorCode(errs[0]) != hoadon.CodeTransient || len(got) != 2 {
		t.Fatalf("errs %v got %v", errs, got)
	}
	endless := 0
	never := func(ctx context.Context, q gdt.ListQuery, state string) (gdt.Page, error) {
		endless++
		return gdt.Page{Invoices: []gdt.Invoice{{Key: testKey, Date: q.From}}, State: "s" + strconv.Itoa(endless)}, nil
	}
	_, errs = collect(t, gdt.Walk(context.Background(), never, hoadon.FlowSoldEInvoice, from, to, gdt.WalkOptions{MaxPages: 5}))
	if len(errs) != 3 || hoadon.ErrorCode(errs[0]) != hoadon.CodeBadData || endless != 15 {
		t.Fatalf("page cap: errs %v after %d pages", errs, endless)
	}
	n := 0
	for range gdt.Walk(context.Background(), failJan, hoadon.FlowSoldEInvoice, from, to, gdt.WalkOptions{}) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("early stop yielded %d", n)
	}
	_, errs = collect(t, gdt.Walk(context.Background(), failJan, "bogus", from, to, gdt.WalkOptions{}))
	if len(errs) != 1 || hoadon.ErrorCode(errs[0]) != hoadon.CodeInvalid {
		t.Fatalf("bad flow: %v", errs)
	}
}

// Ensure "repeat and union" recovers rows a cursor walk lost, and stops
// repeating once a walk finds nothing new.
func TestWalkRepeatUnion(t *testing.T) {
	from, to := dates("2026-03-01", "2026-04-30")
	for _, repeat := range []int{0, 3} {
		fl := &fakeList{rows: rowsBetween(t, hoadon.FlowSoldEInvoice, "2026-03-01", "2026-04-30", 2), size: 9, lossyFirst: true}
		got, errs := collect(t, gdt.Walk(context.Background(), fl.fetch, hoadon.FlowSoldEInvoice, from, to, gdt.WalkOptions{Repeat: repeat}))
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		complete := len(got) == len(fl.rows)
		if complete != (repeat > 0) {
			t.Errorf("repeat %d: got %d of %d invoices", repeat, len(got), len(fl.rows))
		}
		for w, n := range fl.walks {
			if want := map[bool]int{false: 1, true: 3}[repeat > 0]; n != want {
				t.Errorf("repeat %d: window %s walked %d times, want %d (stop when nothing new)", repeat, w, n, want)
			}
		}
	}
}
