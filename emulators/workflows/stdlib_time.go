package workflows

import (
	"math"
	"time"
)

// The time module: timestamps are seconds since the Unix epoch (as sys.now returns them).

func init() {
	register(
		optional(fn("time.format", []string{"seconds", "timezone"}, fnTimeFormat), 1),
		fn("time.parse", []string{"value"}, fnTimeParse),
	)
}

// fnTimeFormat renders an ISO 8601 / RFC 3339 timestamp with microseconds, in UTC unless a
// time zone name (e.g. "Asia/Ho_Chi_Minh") is given.
func fnTimeFormat(_ *callCtx, a []any) (any, error) {
	s, err := argNumber("time.format", a, 0)
	if err != nil {
		return nil, err
	}
	sec, frac := math.Modf(s)
	t := time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3).UTC()
	if given(a[1]) {
		name, err := argString("time.format", a, 1)
		if err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, newErr(tagValue, "time.format: unknown time zone %q", name)
		}
		t = t.In(loc)
	}
	return t.Format("2006-01-02T15:04:05.000000Z07:00"), nil
}

// fnTimeParse reads an RFC 3339 timestamp into seconds since the epoch.
func fnTimeParse(_ *callCtx, a []any) (any, error) {
	s, err := argString("time.parse", a, 0)
	if err != nil {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, newErr(tagValue, "time.parse: %q is not an RFC 3339 timestamp", s)
	}
	return float64(t.UnixNano()) / 1e9, nil
}
