package einvoice

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON renders the invoice in the package's stable JSON shape (README.md):
// indented with two spaces, keys in a fixed order, money as strings. The
// same bytes come out for the same XML, so the output can be stored with
// write-if-absent and compared byte for byte.
func (inv *Invoice) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(inv); err != nil {
		return nil, fmt.Errorf("einvoice.JSON: %w", err)
	}
	return buf.Bytes(), nil
}
