package workflows

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Core functions: len, keys, default, type conversions, map, list, math, uuid, base64, json.

func init() {
	register(
		fn("len", []string{"value"}, fnLen),
		fn("keys", []string{"map"}, fnKeys),
		fn("default", []string{"val", "default_val"}, func(_ *callCtx, a []any) (any, error) {
			if a[0] == nil {
				return a[1], nil
			}
			return a[0], nil
		}),
		fn("int", []string{"value"}, fnInt),
		fn("double", []string{"value"}, fnDouble),
		fn("string", []string{"value"}, fnString),
		fn("bool", []string{"value"}, fnBool),
		fn("get_type", []string{"value"}, func(_ *callCtx, a []any) (any, error) { return typeName(a[0]), nil }),
		fn("map.get", []string{"map", "keys"}, fnMapGet),
		fn("map.delete", []string{"map", "key"}, fnMapDelete),
		fn("map.merge", []string{"first", "second"}, fnMapMerge),
		fn("list.concat", []string{"objs", "val"}, fnListConcat),
		fn("list.prepend", []string{"objs", "val"}, fnListPrepend),
		fn("math.abs", []string{"x"}, fnAbs),
		fn("math.floor", []string{"x"}, fnFloor),
		fn("math.max", []string{"x", "y"}, func(_ *callCtx, a []any) (any, error) { return minMax("math.max", a, 1) }),
		fn("math.min", []string{"x", "y"}, func(_ *callCtx, a []any) (any, error) { return minMax("math.min", a, -1) }),
		fn("uuid.generate", nil, func(*callCtx, []any) (any, error) { return uuid.NewString(), nil }),
		optional(fn("base64.encode", []string{"data", "padding"}, fnB64Encode), 1),
		optional(fn("base64.decode", []string{"data", "padding"}, fnB64Decode), 1),
	)
}

func fnLen(_ *callCtx, a []any) (any, error) {
	switch v := a[0].(type) {
	case string:
		return int64(len([]rune(v))), nil
	case Bytes:
		return int64(len(v)), nil
	case []any:
		return int64(len(v)), nil
	case map[string]any:
		return int64(len(v)), nil
	}
	return nil, newErr(tagType, "len() expects a string, bytes, list or map, got %s", typeName(a[0]))
}

func fnKeys(_ *callCtx, a []any) (any, error) {
	m, err := argMap("keys", a, 0)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, k := range sortedKeys(m) {
		out = append(out, k)
	}
	return out, nil
}

func fnInt(_ *callCtx, a []any) (any, error) {
	switch v := a[0].(type) {
	case int64:
		return v, nil
	case float64:
		return int64(v), nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return int64(f), nil
		}
		return nil, newErr(tagValue, "int(): cannot convert %q to an integer", v)
	}
	return nil, newErr(tagType, "int() cannot convert %s", typeName(a[0]))
}

func fnDouble(_ *callCtx, a []any) (any, error) {
	switch v := a[0].(type) {
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, newErr(tagValue, "double(): cannot convert %q to a double", v)
		}
		return f, nil
	}
	return nil, newErr(tagType, "double() cannot convert %s", typeName(a[0]))
}

func fnString(_ *callCtx, a []any) (any, error) {
	switch a[0].(type) {
	case string, int64, float64, bool:
		return valueString(a[0]), nil
	}
	return nil, newErr(tagType, "string() cannot convert %s (use json.encode_to_string)", typeName(a[0]))
}

func fnBool(_ *callCtx, a []any) (any, error) {
	switch v := a[0].(type) {
	case bool:
		return v, nil
	case string:
		switch v {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
		return nil, newErr(tagValue, "bool(): cannot convert %q", v)
	case int64:
		return v != 0, nil
	}
	return nil, newErr(tagType, "bool() cannot convert %s", typeName(a[0]))
}

// fnMapGet returns the value at a key (or a list of nested keys), null when absent.
func fnMapGet(_ *callCtx, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	cur, err := argMap("map.get", a, 0)
	if err != nil {
		return nil, err
	}
	path, isList := a[1].([]any)
	if !isList {
		path = []any{a[1]}
	}
	var v any = cur
	for _, k := range path {
		ks, ok := k.(string)
		if !ok {
			return nil, newErr(tagType, "map.get: keys must be strings, got %s", typeName(k))
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		if v, ok = m[ks]; !ok {
			return nil, nil
		}
	}
	return v, nil
}

func fnMapDelete(_ *callCtx, a []any) (any, error) {
	m, err := argMap("map.delete", a, 0)
	if err != nil {
		return nil, err
	}
	k, err := argString("map.delete", a, 1)
	if err != nil {
		return nil, err
	}
	out := deepCopy(m).(map[string]any)
	delete(out, k)
	return out, nil
}

func fnMapMerge(_ *callCtx, a []any) (any, error) {
	first, err := argMap("map.merge", a, 0)
	if err != nil {
		return nil, err
	}
	second, err := argMap("map.merge", a, 1)
	if err != nil {
		return nil, err
	}
	out := deepCopy(first).(map[string]any)
	for k, v := range second {
		out[k] = deepCopy(v)
	}
	return out, nil
}

func fnListConcat(_ *callCtx, a []any) (any, error) {
	l, ok := a[0].([]any)
	if !ok {
		return nil, newErr(tagType, "list.concat: first argument must be a list, got %s", typeName(a[0]))
	}
	return append(deepCopy(l).([]any), deepCopy(a[1])), nil
}

func fnListPrepend(_ *callCtx, a []any) (any, error) {
	l, ok := a[0].([]any)
	if !ok {
		return nil, newErr(tagType, "list.prepend: first argument must be a list, got %s", typeName(a[0]))
	}
	return append([]any{deepCopy(a[1])}, deepCopy(l).([]any)...), nil
}

func fnAbs(_ *callCtx, a []any) (any, error) {
	switch v := a[0].(type) {
	case int64:
		if v < 0 {
			return -v, nil
		}
		return v, nil
	case float64:
		return math.Abs(v), nil
	}
	return nil, newErr(tagType, "math.abs expects a number, got %s", typeName(a[0]))
}

func fnFloor(_ *callCtx, a []any) (any, error) {
	switch v := a[0].(type) {
	case int64:
		return v, nil
	case float64:
		return int64(math.Floor(v)), nil
	}
	return nil, newErr(tagType, "math.floor expects a number, got %s", typeName(a[0]))
}

func minMax(name string, a []any, sign int) (any, error) {
	x, err := argNumber(name, a, 0)
	if err != nil {
		return nil, err
	}
	y, err := argNumber(name, a, 1)
	if err != nil {
		return nil, err
	}
	if cmpFloat(x, y)*sign >= 0 {
		return a[0], nil
	}
	return a[1], nil
}

func b64Encoding(padding any) *base64.Encoding {
	if p, ok := padding.(bool); ok && !p {
		return base64.RawStdEncoding
	}
	return base64.StdEncoding
}

func fnB64Encode(_ *callCtx, a []any) (any, error) {
	data, err := argBytes("base64.encode", a, 0)
	if err != nil {
		return nil, err
	}
	return b64Encoding(a[1]).EncodeToString(data), nil
}

func fnB64Decode(_ *callCtx, a []any) (any, error) {
	s, err := argString("base64.decode", a, 0)
	if err != nil {
		return nil, err
	}
	out, err := b64Encoding(a[1]).DecodeString(s)
	if err != nil {
		return nil, newErr(tagValue, "base64.decode: %v", err)
	}
	return Bytes(out), nil
}
