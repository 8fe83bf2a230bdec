package schedule

import (
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Slot is one run of a schedule: the instant it was scheduled for and the
// Vietnam days it imports.
type Slot struct {
	At   time.Time   // the scheduled instant
	Day  hoadon.Date // "yesterday": the Vietnam day before At; names the run
	From hoadon.Date // Day minus the lookback
	To   hoadon.Date // Day
}

// SlotAt returns the run scheduled for at: yesterday of at's Vietnam date,
// plus lookback earlier days.
func SlotAt(at time.Time, lookback int) Slot {
	y := hoadon.DateOf(at).AddDays(-1)
	return Slot{At: at, Day: y, From: y.AddDays(-lookback), To: y}
}

// maxSpan bounds the instants Times enumerates, so a zero or ancient
// lower bound costs nothing.
const maxSpan = 400 * 24 * time.Hour

// Times returns the instants at hour:minute Vietnam time in (after, until],
// oldest first. Vietnam has no daylight saving time: every instant is
// hour:minute at UTC+7, i.e. (hour-7):minute UTC.
func Times(hour, minute int, after, until time.Time) []time.Time {
	if after.Before(until.Add(-maxSpan)) {
		after = until.Add(-maxSpan)
	}
	var out []time.Time
	d := hoadon.DateOf(after)
	for {
		t := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, hoadon.VietnamZone)
		if t.After(until) {
			return out
		}
		if t.After(after) {
			out = append(out, t)
		}
		d = d.AddDays(1)
	}
}

// Due returns the runs due at now, oldest first: the scheduled instants not
// after now, not before ActiveSince and within CatchUpWindow; missed counts
// the instants since LastScheduled that fell out of the window unrun. A
// paused schedule has nothing due and misses nothing.
func (s Schedule) Due(now time.Time) (due []Slot, missed int) {
	if s.Paused {
		return nil, 0
	}
	active := s.ActiveSince.Add(-time.Nanosecond) // an instant equal to ActiveSince is due
	windowStart := now.Add(-CatchUpWindow)
	after := windowStart
	if active.After(after) {
		after = active
	}
	for _, t := range Times(s.Hour, s.Minute, after, now) {
		due = append(due, SlotAt(t, s.LookbackDays))
	}
	seen := active
	if s.LastScheduled.After(seen) {
		seen = s.LastScheduled
	}
	if seen.Before(windowStart) {
		missed = len(Times(s.Hour, s.Minute, seen, windowStart))
	}
	return due, missed
}

// Next returns the next scheduled instant after now (zero when paused).
func (s Schedule) Next(now time.Time) time.Time {
	if s.Paused {
		return time.Time{}
	}
	after := now
	if s.ActiveSince.After(after) {
		after = s.ActiveSince.Add(-time.Nanosecond)
	}
	ts := Times(s.Hour, s.Minute, after, after.Add(24*time.Hour))
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[0]
}
