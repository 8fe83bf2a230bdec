package gdt

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// rawParams splits a query string on '&' only and unescapes each side, so
// FIQL's literal ';' and '=' survive (Go's url.ParseQuery rejects ';').
// Both percent-encoded and raw search values are accepted, as the portal
// accepts both (§1.4).
func rawParams(raw string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.PathUnescape(v); err == nil {
			v = uv
		}
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return out
}

// search is a parsed list filter: the mandatory tdlap range plus equality
// clauses on other fields.
type search struct {
	from, to time.Time
	eq       map[string]string
}

// fiqlTime is the portal's tdlap comparison format (Vietnam local time).
const fiqlTime = "02/01/2006T15:04:05"

// filterFields are the fields accepted in == clauses.
var filterFields = map[string]bool{"ttxly": true, "tthai": true, "nbmst": true, "nmmst": true,
	"khmshdon": true, "khhdon": true, "shdon": true}

var (
	errRangeMissing = errors.New("tdlap range missing")
	errRangeTooLong = portalMessage(msgRange)
)

// portalMessage is an error whose text is a server message shown verbatim.
type portalMessage string

func (m portalMessage) Error() string { return string(m) }

// parseSearch parses "tdlap=ge=…;tdlap=le=…;ttxly==5". The range must be
// present and span less than one calendar month from its start (so
// 06/03–05/04 passes, like the portal's own windows).
func parseSearch(q string) (search, error) {
	sr := search{eq: map[string]string{}}
	var haveFrom, haveTo bool
	for _, clause := range strings.Split(q, ";") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		switch {
		case strings.HasPrefix(clause, "tdlap=ge="), strings.HasPrefix(clause, "tdlap=le="):
			t, err := time.ParseInLocation(fiqlTime, clause[9:], vn)
			if err != nil {
				return sr, fmt.Errorf("tdlap %q: want dd/MM/yyyyTHH:mm:ss", clause[9:])
			}
			if clause[6] == 'g' {
				sr.from, haveFrom = t, true
			} else {
				sr.to, haveTo = t, true
			}
		default:
			field, val, ok := strings.Cut(clause, "==")
			if !ok || !filterFields[field] {
				return sr, fmt.Errorf("unsupported search clause %q", clause)
			}
			sr.eq[field] = val
		}
	}
	if !haveFrom || !haveTo {
		return sr, errRangeMissing
	}
	if sr.to.Before(sr.from) {
		return sr, fmt.Errorf("tdlap range ends before it starts")
	}
	if !sr.to.Before(sr.from.AddDate(0, 1, 0)) {
		return sr, errRangeTooLong
	}
	return sr, nil
}

// match applies the equality clauses to an invoice.
func (sr search) match(inv *invoice) bool {
	if inv.Date.Before(sr.from) || inv.Date.After(sr.to) {
		return false
	}
	for f, v := range sr.eq {
		var got string
		switch f {
		case "ttxly":
			got = strconv.Itoa(inv.TTXLy)
		case "tthai":
			got = strconv.Itoa(inv.TThai)
		case "nbmst":
			got = inv.Seller.MST
		case "nmmst":
			got = inv.Buyer.MST
		case "khmshdon":
			got = strconv.Itoa(inv.Key.KHMSHDon)
		case "khhdon":
			got = inv.Key.KHHDon
		case "shdon":
			got = strconv.FormatInt(inv.Key.SHDon, 10)
		}
		if got != v {
			return false
		}
	}
	return true
}

// canonical is a stable text of the filter for the cursor fingerprint.
func (sr search) canonical() string {
	var b strings.Builder
	b.WriteString(sr.from.Format(fiqlTime) + "|" + sr.to.Format(fiqlTime))
	for _, f := range []string{"khhdon", "khmshdon", "nbmst", "nmmst", "shdon", "tthai", "ttxly"} {
		if v, ok := sr.eq[f]; ok {
			b.WriteString("|" + f + "=" + v)
		}
	}
	return b.String()
}
