package httpsig

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	sfv "github.com/dunglas/httpsfv"
)

// signatureBase builds the RFC 9421 §2.5 signature base: one line
// `"<component>": <value>` per covered component, in the order of the
// Signature-Input, then `"@signature-params": <inner list>` without a
// trailing newline. The inner list is serialised by httpsfv exactly as it
// appears in the Signature-Input field.
func signatureBase(m message, input sfv.InnerList) ([]byte, error) {
	if input.Params == nil {
		input.Params = sfv.NewParams()
	}
	var b strings.Builder
	seen := map[string]bool{}
	for _, item := range input.Items {
		name, err := componentName(item)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("component %q covered twice", name)
		}
		seen[name] = true
		v, err := m.value(name)
		if err != nil {
			return nil, err
		}
		id, err := sfv.Marshal(item)
		if err != nil {
			return nil, fmt.Errorf("component %q: %w", name, err)
		}
		b.WriteString(id + ": " + v + "\n")
	}
	params, err := sfv.Marshal(sfv.List{input})
	if err != nil {
		return nil, fmt.Errorf("serialise signature parameters: %w", err)
	}
	b.WriteString(`"@signature-params": ` + params)
	return []byte(b.String()), nil
}

// componentName checks that a component identifier is a lower-case string
// without parameters. Component parameters (sf, key, bs, req, tr, name) are
// not needed for hoadon's events, and RFC 9421 §2.5 requires an
// implementation to fail on ones it does not support.
func componentName(item sfv.Item) (string, error) {
	name, ok := item.Value.(string)
	if !ok {
		return "", errors.New("component identifier is not a string")
	}
	if name == "" || name != strings.ToLower(name) {
		return "", fmt.Errorf("component identifier %q must be non-empty lower case", name)
	}
	if item.Params != nil && len(item.Params.Names()) > 0 {
		return "", fmt.Errorf("component %q: parameters %v are not supported", name, item.Params.Names())
	}
	return name, nil
}

// SignatureBase returns the signature base a verifier computes for the
// signature labelled label in r's Signature-Input field. It exists for
// debugging a consumer that refuses our signatures, and for the RFC tests.
func SignatureBase(r *http.Request, label string) (string, error) {
	inputs, err := sfv.UnmarshalDictionary(r.Header.Values("Signature-Input"))
	if err != nil {
		return "", fmt.Errorf("httpsig: Signature-Input: %w", err)
	}
	input, err := innerList(inputs, label)
	if err != nil {
		return "", fmt.Errorf("httpsig: %w", err)
	}
	base, err := signatureBase(newMessage(r, false), input)
	if err != nil {
		return "", fmt.Errorf("httpsig: %w", err)
	}
	return string(base), nil
}

func innerList(d *sfv.Dictionary, label string) (sfv.InnerList, error) {
	m, ok := d.Get(label)
	if !ok {
		return sfv.InnerList{}, fmt.Errorf("no signature labelled %q", label)
	}
	il, ok := m.(sfv.InnerList)
	if !ok {
		return sfv.InnerList{}, fmt.Errorf("Signature-Input %q is not an inner list", label)
	}
	return il, nil
}
