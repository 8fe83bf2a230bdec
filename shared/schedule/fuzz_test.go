package schedule_test

import (
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/web"
)

// FuzzCreateRequest: any body is refused with CodeInvalid or gives a
// schedule within the documented bounds; nothing panics.
func FuzzCreateRequest(f *testing.F) {
	f.Add([]byte(`{"schedule_id":"a","task_type":"gdt_invoice_import","hour":6,"minute":30,"task_params":{"company_id":"0100109106","credentials":{"username":"0100109106","password":"x"},"lookback_days":3}}`))
	f.Add([]byte(`{"schedule_id":"a","hour":-1,"lookback_days":99}`))
	f.Add([]byte(`{"task_params":{"date_range_start":"2026-01-01"}}`))
	now := vn("2026-11-26 10:00")
	f.Fuzz(func(t *testing.T, body []byte) {
		var req schedule.CreateRequest
		if err := web.Unmarshal(body, &req); err != nil {
			return
		}
		sc, _, err := req.Validate(now)
		if err != nil {
			if hoadon.ErrorCode(err) != hoadon.CodeInvalid {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if sc.Hour < 0 || sc.Hour > 23 || sc.Minute < 0 || sc.Minute > 59 || sc.LookbackDays < 0 ||
			sc.LookbackDays > schedule.MaxLookbackDays || schedule.ValidateID(sc.ID) != nil || sc.Params.From != "" {
			t.Fatalf("accepted %+v", sc)
		}
	})
}

// FuzzDue: whatever the clock, due runs are at hour:minute Vietnam time, not
// after now, within the catch-up window, and each imports the day before.
func FuzzDue(f *testing.F) {
	f.Add(6, 0, int64(0), int64(3600), int64(100000), 0)
	f.Add(0, 30, int64(-500000), int64(0), int64(1), 31)
	f.Fuzz(func(t *testing.T, hour, minute int, activeOff, lastOff, nowSec int64, lookback int) {
		hour, minute, lookback = mod(hour, 24), mod(minute, 60), mod(lookback, schedule.MaxLookbackDays+1)
		now := time.Unix(1_700_000_000+nowSec%(400*86400), 0)
		sc := schedule.Schedule{Hour: hour, Minute: minute, LookbackDays: lookback,
			ActiveSince: now.Add(-time.Duration(activeOff%(30*86400)) * time.Second)}
		if lastOff != 0 {
			sc.LastScheduled = now.Add(-time.Duration(mod(lastOff, 30*86400)) * time.Second)
		}
		due, missed := sc.Due(now)
		if len(due) > 3 || missed < 0 {
			t.Fatalf("%d due, %d missed", len(due), missed)
		}
		for _, s := range due {
			vt := s.At.In(hoadon.VietnamZone)
			if s.At.After(now) || now.Sub(s.At) >= schedule.CatchUpWindow || s.At.Before(sc.ActiveSince) ||
				vt.Hour() != hour || vt.Minute() != minute || s.Day != hoadon.DateOf(s.At).AddDays(-1) ||
				s.From != s.Day.AddDays(-lookback) || s.To != s.Day {
				t.Fatalf("slot %+v for %+v at %s", s, sc, now)
			}
		}
	})
}

// mod is n modulo m in [0, m), for any n.
func mod[T int | int64](n, m T) T { return (n%m + m) % m }
