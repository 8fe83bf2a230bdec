package gdt

import (
	"testing"
	"time"
)

// FuzzParseSearch: any search string gives a result or an error, never a
// panic, and an accepted range is ordered and shorter than a month.
func FuzzParseSearch(f *testing.F) {
	f.Add("tdlap=ge=01/03/2026T00:00:00;tdlap=le=31/03/2026T23:59:59;ttxly==5")
	f.Add("tdlap=ge=;tdlap=le=")
	f.Add(";;nbmst==;tdlap=ge=31/01/2026T00:00:00")
	f.Fuzz(func(t *testing.T, q string) {
		sr, err := parseSearch(q)
		if err != nil {
			return
		}
		if sr.to.Before(sr.from) || !sr.to.Before(sr.from.AddDate(0, 1, 0)) {
			t.Fatalf("accepted range %v..%v", sr.from, sr.to)
		}
	})
}

// FuzzCursor: decoding arbitrary state never panics, and encoding then
// decoding a cursor is the identity.
func FuzzCursor(f *testing.F) {
	f.Add("", "0100000003", 1, "C26TAB", int64(12), int64(1772384400))
	f.Add("009a4744", "", 0, "", int64(0), int64(0))
	f.Fuzz(func(t *testing.T, state, mst string, tmpl int, sym string, num, unix int64) {
		_, _ = decodeCursor(state)
		if len(mst) > 255 || len(sym) > 255 || tmpl < 0 || tmpl > 255 {
			return
		}
		c := cursor{fingerprint: 7, date: time.Unix(unix, 0).In(vn), key: invKey{mst, tmpl, sym, num}}
		got, err := decodeCursor(c.encode())
		if err != nil || got.key != c.key || !got.date.Equal(c.date) || got.fingerprint != 7 {
			t.Fatalf("round trip %+v → %+v, %v", c, got, err)
		}
	})
}

// FuzzRawParams: query splitting never panics.
func FuzzRawParams(f *testing.F) {
	f.Add("sort=tdlap:desc&size=50&search=tdlap=ge=01/03/2026T00:00:00%3B")
	f.Add("&&=&%zz=%")
	f.Fuzz(func(t *testing.T, raw string) { _ = rawParams(raw) })
}
