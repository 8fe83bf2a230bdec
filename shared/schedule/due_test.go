package schedule_test

import (
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/schedule"
)

// vn builds an instant from Vietnam wall-clock time.
func vn(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, hoadon.VietnamZone)
	if err != nil {
		panic(err)
	}
	return t
}

func days(slots []schedule.Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Day.String())
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSlotAtIsYesterdayInVietnam(t *testing.T) {
	// 00:30 in Vietnam on the 26th is 17:30 UTC on the 25th: yesterday is the
	// 25th in Vietnam (a UTC computation would say the 24th).
	at := vn("2026-11-26 00:30")
	if at.UTC().Day() != 25 {
		t.Fatalf("test premise: %s is not on the 25th in UTC", at.UTC())
	}
	s := schedule.SlotAt(at, 0)
	if s.Day.String() != "2026-11-25" || s.From != s.To || s.To.String() != "2026-11-25" {
		t.Fatalf("SlotAt(%s) = %s %s..%s, want 2026-11-25", at, s.Day, s.From, s.To)
	}
	s = schedule.SlotAt(vn("2026-11-26 23:59"), 7)
	if s.Day.String() != "2026-11-25" || s.From.String() != "2026-11-18" || s.To.String() != "2026-11-25" {
		t.Fatalf("lookback 7: %s %s..%s, want 2026-11-25 2026-11-18..2026-11-25", s.Day, s.From, s.To)
	}
	s = schedule.SlotAt(vn("2026-03-01 06:00"), 31)
	if s.Day.String() != "2026-02-28" || s.From.String() != "2026-01-28" {
		t.Fatalf("lookback 31 across months: %s %s", s.Day, s.From)
	}
}

func TestDue(t *testing.T) {
	created := vn("2026-11-20 09:00") // after that day's 06:00: first run on the 21st
	sc := schedule.Schedule{ID: "s", Hour: 6, Minute: 0, ActiveSince: created, CreatedAt: created}
	cases := []struct {
		name   string
		now    string
		last   string // LastScheduled
		want   []string
		missed int
	}{
		{"same day after creation", "2026-11-20 23:00", "", nil, 0},
		{"before the hour", "2026-11-21 05:59", "", nil, 0},
		{"at the hour", "2026-11-21 06:00", "", []string{"2026-11-20"}, 0},
		{"late tick same day", "2026-11-21 21:00", "", []string{"2026-11-20"}, 0},
		{"next morning before the hour", "2026-11-22 05:00", "", []string{"2026-11-20"}, 0},
		{"two days", "2026-11-22 06:01", "", []string{"2026-11-20", "2026-11-21"}, 0},
		{"downtime: catch-up bounded to 3", "2026-11-30 07:00", "2026-11-21 06:00",
			// the window (72 h) holds the 06:00 instants of the 28th..30th;
			// those of the 22nd..27th are skipped
			[]string{"2026-11-27", "2026-11-28", "2026-11-29"}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := sc
			if c.last != "" {
				s.LastScheduled = vn(c.last)
			}
			now := vn(c.now)
			due, missed := s.Due(now)
			if !equal(days(due), c.want) || missed != c.missed {
				t.Fatalf("Due(%s) = %v missed %d, want %v missed %d", c.now, days(due), missed, c.want, c.missed)
			}
			again, _ := s.Due(now)
			if !equal(days(again), days(due)) {
				t.Fatalf("repeated tick differs: %v then %v", days(due), days(again))
			}
			for _, d := range due {
				if d.At.After(now) || d.At.In(hoadon.VietnamZone).Hour() != 6 {
					t.Fatalf("slot %s at %s: after now or not 06:00 Vietnam", d.Day, d.At)
				}
			}
		})
	}
}

func TestDueLookbackAndPaused(t *testing.T) {
	sc := schedule.Schedule{Hour: 7, Minute: 15, LookbackDays: 3, ActiveSince: vn("2026-11-01 00:00")}
	due, _ := sc.Due(vn("2026-11-10 07:15"))
	last := due[len(due)-1]
	if last.Day.String() != "2026-11-09" || last.From.String() != "2026-11-06" || last.To.String() != "2026-11-09" {
		t.Fatalf("lookback slot %s %s..%s, want 2026-11-09 2026-11-06..2026-11-09", last.Day, last.From, last.To)
	}
	sc.Paused = true
	if due, missed := sc.Due(vn("2026-11-10 07:15")); len(due) != 0 || missed != 0 {
		t.Fatalf("paused: due %v missed %d", days(due), missed)
	}
	if !sc.Next(vn("2026-11-10 07:15")).IsZero() {
		t.Fatal("paused schedule has a next run")
	}
}

func TestTimesAreDSTFree(t *testing.T) {
	// Across the EU (29 Mar, 25 Oct) and US (8 Mar, 1 Nov) clock changes,
	// 08:00 in Vietnam stays 01:00 UTC, 24 hours apart.
	ts := schedule.Times(8, 0, vn("2026-03-01 00:00"), vn("2026-11-30 23:59"))
	if len(ts) != 275 {
		t.Fatalf("got %d instants, want 275", len(ts))
	}
	for i, x := range ts {
		if u := x.UTC(); u.Hour() != 1 || u.Minute() != 0 {
			t.Fatalf("instant %s is %s UTC, want 01:00", x, u.Format("15:04"))
		}
		if i > 0 && x.Sub(ts[i-1]) != 24*time.Hour {
			t.Fatalf("instants %s and %s are not 24h apart", ts[i-1], x)
		}
	}
	if ts := schedule.Times(8, 0, time.Time{}, vn("2026-03-01 09:00")); len(ts) > 400 {
		t.Fatalf("a zero lower bound enumerates %d instants", len(ts))
	}
}

func TestNext(t *testing.T) {
	sc := schedule.Schedule{Hour: 6, ActiveSince: vn("2026-11-20 09:00")}
	if got := sc.Next(vn("2026-11-20 10:00")); !got.Equal(vn("2026-11-21 06:00")) {
		t.Fatalf("Next = %s", got)
	}
	if got := sc.Next(vn("2026-11-21 06:00")); !got.Equal(vn("2026-11-22 06:00")) {
		t.Fatalf("Next at the instant = %s", got)
	}
}
