package einvoice

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
)

// Num is an exact decimal read from the XML that also remembers whether the
// element carried a value: an empty `<ThTien/>` on a note line means "no
// amount", which the arithmetic checks must not confuse with zero.
//
// In JSON a Num is a string holding the shortest exact decimal ("1686000",
// "0.5", "-120000"), never a float, so no precision is lost; absent values
// are omitted (fields use omitzero).
type Num struct {
	d  decimal.Decimal
	ok bool
}

// NewNum returns a present Num holding d.
func NewNum(d decimal.Decimal) Num { return Num{d: d, ok: true} }

// Valid reports whether the XML carried a value.
func (n Num) Valid() bool { return n.ok }

// Decimal returns the value, or zero when absent.
func (n Num) Decimal() decimal.Decimal {
	if !n.ok {
		return decimal.Zero
	}
	return n.d
}

// String returns the exact decimal, or "" when absent.
func (n Num) String() string {
	if !n.ok {
		return ""
	}
	return n.d.String()
}

// MarshalJSON writes the value as a JSON string, or null when absent.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.ok {
		return []byte("null"), nil
	}
	return json.Marshal(n.d.String())
}

// UnmarshalJSON accepts what MarshalJSON writes (and a bare JSON number), so
// stored JSON documents can be read back.
func (n *Num) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*n = Num{}
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("einvoice.Num: %w", err)
		}
	}
	v, err := parseNum(s)
	if err != nil {
		return fmt.Errorf("einvoice.Num: %w", err)
	}
	*n = v
	return nil
}

// maxNumLen bounds a number's text. Amounts on the portal have at most 19
// integer digits and 6 decimals; the bound keeps hostile input (a million
// digits, an exponent of 1e9) from costing memory or time in arithmetic.
const maxNumLen = 48

var numPattern = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,2})?$`)

var errNotNumber = errors.New("not a decimal number")

// parseNum reads the text of a numeric element: empty means absent; digits
// with an optional '.' fraction (and, tolerated, a short exponent) are exact.
func parseNum(s string) (Num, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Num{}, nil
	}
	if len(s) > maxNumLen || !numPattern.MatchString(s) {
		return Num{}, fmt.Errorf("%q: %w", clip(s), errNotNumber)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Num{}, fmt.Errorf("%q: %w", clip(s), errNotNumber)
	}
	return NewNum(d), nil
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
