package hoadon

import (
	"time"
)

// VietnamZone is Asia/Ho_Chi_Minh. The portal's dates are local dates there;
// the zone has had no DST since 1975, so a fixed +07:00 is exact for every
// date the portal holds and needs no tzdata on the machine.
var VietnamZone = time.FixedZone("ICT", 7*3600)

// Date is a calendar date in Vietnam, the unit of every range the portal
// takes.
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD as a Vietnam date.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, VietnamZone)
	if err != nil {
		return Date{}, Errorf(CodeInvalid, "date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// DateOf returns the Vietnam calendar date of an instant.
func DateOf(t time.Time) Date {
	y, m, d := t.In(VietnamZone).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, VietnamZone)}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Format(time.DateOnly) }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return Date{d.AddDate(0, 0, n)} }

// Window is an inclusive range of Vietnam dates.
type Window struct {
	From, To Date
}

// String formats the window as FROM..TO.
func (w Window) String() string { return w.From.String() + ".." + w.To.String() }

// MonthWindows splits an inclusive date range into calendar-month windows,
// the largest span the portal is known to accept in one list query (it
// answers 400 to anything over one month). The first and last windows are
// clipped to the range.
func MonthWindows(from, to Date) []Window {
	var out []Window
	for cur := from; !cur.After(to.Time); {
		end := Date{time.Date(cur.Year(), cur.Month()+1, 0, 0, 0, 0, 0, VietnamZone)}
		if end.After(to.Time) {
			end = to
		}
		out = append(out, Window{From: cur, To: end})
		cur = end.AddDays(1)
	}
	return out
}
