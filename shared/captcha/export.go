package captcha

import (
	"encoding/json"
	"fmt"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// exportVersion is the format version of Export's JSON.
const exportVersion = 1

// maxSignatureLen bounds an imported signature; real ones are < 40 bytes.
const maxSignatureLen = 1024

// exported is the persisted form of the learned entries:
// {"version":1,"signatures":{"MQ5ZMQ11ZMQ18ZMQ2Z":"A"}}.
type exported struct {
	Version    int               `json:"version"`
	Signatures map[string]string `json:"signatures"`
}

// Export returns the learned (not built-in) signatures as JSON so a
// deployment can persist them (e.g. in Firestore) and Import them into the
// Table of the next process.
func (t *Table) Export() ([]byte, error) {
	learned := *t.learned.Load()
	e := exported{Version: exportVersion, Signatures: make(map[string]string, len(learned))}
	for sig, ch := range learned {
		e.Signatures[sig] = string(ch)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("captcha.Table.Export: %w", err)
	}
	return b, nil
}

// Import adds the signatures of an Export to the table. Every entry is
// checked first (well-formed signature, one Alphabet character, no
// contradiction with the table); any problem leaves the table unchanged and
// is reported as hoadon.CodeInvalid (bad JSON or entry) or CodeConflict.
func (t *Table) Import(data []byte) error {
	var e exported
	if err := json.Unmarshal(data, &e); err != nil {
		return hoadon.Wrap(hoadon.CodeInvalid, err, "captcha.Table.Import: bad JSON")
	}
	if e.Version != exportVersion {
		return hoadon.Errorf(hoadon.CodeInvalid, "captcha.Table.Import: version %d, want %d", e.Version, exportVersion)
	}
	add := make(map[string]byte, len(e.Signatures))
	for sig, ch := range e.Signatures {
		if err := checkSignature(sig); err != nil {
			return hoadon.Errorf(hoadon.CodeInvalid, "captcha.Table.Import: %v", err)
		}
		if len(ch) != 1 || !inAlphabet(ch[0]) {
			return hoadon.Errorf(hoadon.CodeInvalid, "captcha.Table.Import: signature %s maps to %q, not one character of %s", sig, ch, Alphabet)
		}
		add[sig] = ch[0]
	}
	if err := t.merge(add); err != nil {
		return fmt.Errorf("captcha.Table.Import: %w", err)
	}
	return nil
}

// checkSignature accepts what glyph.Scan produces: it starts with M, and is
// upper-case command letters each optionally followed by a repeat count.
func checkSignature(sig string) error {
	if sig == "" || len(sig) > maxSignatureLen || sig[0] != 'M' {
		return fmt.Errorf("signature %q: must start with M and be at most %d bytes", sig, maxSignatureLen)
	}
	for i := 0; i < len(sig); i++ {
		c := sig[i]
		if !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') {
			return fmt.Errorf("signature %q: unexpected byte %q", sig, c)
		}
	}
	return nil
}
