package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Workflow values are plain Go values: nil, bool, int64, float64, string, Bytes, []any and
// map[string]any. funcRef is an internal value for names of functions and subworkflows used as
// retry policies or predicates (${http.default_retry}).

// Bytes is the Workflows bytes type (json.encode, text.encode, base64.decode results).
type Bytes []byte

// funcRef names a standard-library function or a subworkflow without calling it.
type funcRef struct{ name string }

// moduleRef is a standard-library module name (http, sys, ...) seen as an expression value.
type moduleRef struct{ name string }

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		return "double"
	case string:
		return "string"
	case Bytes:
		return "bytes"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	case funcRef, moduleRef:
		return "function"
	}
	return fmt.Sprintf("%T", v)
}

// deepCopy copies lists and maps so that assignment has value semantics, as documented
// ("assigning one variable to another creates a separate copy").
func deepCopy(v any) any {
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case Bytes:
		return append(Bytes(nil), t...)
	}
	return v
}

// sizeOf follows the documented memory accounting: scalars 8 bytes; strings, bytes and lists
// 8 bytes plus their elements; maps 8 bytes plus every key and value.
func sizeOf(v any) int64 {
	switch t := v.(type) {
	case string:
		return 8 + int64(len(t))
	case Bytes:
		return 8 + int64(len(t))
	case []any:
		n := int64(8)
		for _, e := range t {
			n += sizeOf(e)
		}
		return n
	case map[string]any:
		n := int64(8)
		for k, e := range t {
			n += 8 + int64(len(k)) + sizeOf(e)
		}
		return n
	}
	return 8
}

// fromJSON decodes JSON into workflow values, keeping integers as int64.
func fromJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after JSON value")
	}
	return normalizeJSON(v), nil
}

func normalizeJSON(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case []any:
		for i := range t {
			t[i] = normalizeJSON(t[i])
		}
		return t
	case map[string]any:
		for k := range t {
			t[k] = normalizeJSON(t[k])
		}
		return t
	}
	return v
}

// toJSON encodes a workflow value as compact JSON without HTML escaping; bytes become base64
// strings (encoding/json's representation of []byte).
func toJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(jsonable(v)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func jsonable(v any) any {
	switch t := v.(type) {
	case Bytes:
		return []byte(t)
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return nil
		}
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonable(e)
		}
		return out
	case funcRef:
		return t.name
	case moduleRef:
		return t.name
	}
	return v
}

// sortedKeys returns a map's keys in a stable order.
func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// valueString renders a value the way string() and error messages show it.
func valueString(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	b, err := toJSON(v, "")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
