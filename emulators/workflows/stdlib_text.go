package workflows

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// The text module (strings are Unicode; indexes count characters) and json.

func init() {
	register(
		fn("text.split", []string{"source", "separator"}, fnSplit),
		fn("text.replace_all", []string{"source", "substr", "repl"}, fnReplaceAll),
		fn("text.find_all", []string{"source", "substr"}, fnFindAll),
		fn("text.to_upper", []string{"source"}, textMap(strings.ToUpper)),
		fn("text.to_lower", []string{"source"}, textMap(strings.ToLower)),
		fn("text.substring", []string{"source", "start", "end"}, fnSubstring),
		fn("text.replace_all_regex", []string{"source", "pattern", "repl"}, fnReplaceRegex),
		fn("text.match_regex", []string{"source", "pattern"}, fnMatchRegex),
		optional(fn("text.encode", []string{"text", "charset"}, fnTextEncode), 1),
		optional(fn("text.decode", []string{"data", "charset"}, fnTextDecode), 1),
		optional(fn("json.encode", []string{"data", "indent"}, fnJSONEncode), 1),
		optional(fn("json.encode_to_string", []string{"data", "indent"}, fnJSONEncodeString), 1),
		fn("json.decode", []string{"data"}, fnJSONDecode),
	)
}

func textMap(f func(string) string) func(*callCtx, []any) (any, error) {
	return func(_ *callCtx, a []any) (any, error) {
		s, err := argString("text", a, 0)
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func twoStrings(name string, a []any) (string, string, error) {
	s, err := argString(name, a, 0)
	if err != nil {
		return "", "", err
	}
	t, err := argString(name, a, 1)
	return s, t, err
}

func fnSplit(_ *callCtx, a []any) (any, error) {
	s, sep, err := twoStrings("text.split", a)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, p := range strings.Split(s, sep) {
		out = append(out, p)
	}
	return out, nil
}

func fnReplaceAll(_ *callCtx, a []any) (any, error) {
	s, sub, err := twoStrings("text.replace_all", a)
	if err != nil {
		return nil, err
	}
	repl, err := argString("text.replace_all", a, 2)
	if err != nil {
		return nil, err
	}
	return strings.ReplaceAll(s, sub, repl), nil
}

// fnFindAll returns [{index, match}] for every non-overlapping occurrence (character indexes).
func fnFindAll(_ *callCtx, a []any) (any, error) {
	s, sub, err := twoStrings("text.find_all", a)
	if err != nil {
		return nil, err
	}
	out := []any{}
	if sub == "" {
		return out, nil
	}
	for off := 0; ; {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			break
		}
		pos := off + i
		out = append(out, map[string]any{"index": int64(utf8.RuneCountInString(s[:pos])), "match": sub})
		off = pos + len(sub)
	}
	return out, nil
}

func fnSubstring(_ *callCtx, a []any) (any, error) {
	s, err := argString("text.substring", a, 0)
	if err != nil {
		return nil, err
	}
	start, err := argInt("text.substring", a, 1)
	if err != nil {
		return nil, err
	}
	end, err := argInt("text.substring", a, 2)
	if err != nil {
		return nil, err
	}
	r := []rune(s)
	start, end = max(0, min(start, int64(len(r)))), max(0, min(end, int64(len(r))))
	if start >= end {
		return "", nil
	}
	return string(r[start:end]), nil
}

func regexArgs(name string, a []any) (string, *regexp.Regexp, error) {
	s, p, err := twoStrings(name, a)
	if err != nil {
		return "", nil, err
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return "", nil, newErr(tagValue, "%s: invalid pattern: %v", name, err)
	}
	return s, re, nil
}

func fnReplaceRegex(_ *callCtx, a []any) (any, error) {
	s, re, err := regexArgs("text.replace_all_regex", a)
	if err != nil {
		return nil, err
	}
	repl, err := argString("text.replace_all_regex", a, 2)
	if err != nil {
		return nil, err
	}
	return re.ReplaceAllString(s, repl), nil
}

func fnMatchRegex(_ *callCtx, a []any) (any, error) {
	s, re, err := regexArgs("text.match_regex", a)
	if err != nil {
		return nil, err
	}
	return re.MatchString(s), nil
}

func checkCharset(name string, cs any) error {
	if !given(cs) {
		return nil
	}
	if s, ok := cs.(string); !ok || !strings.EqualFold(s, "UTF-8") && !strings.EqualFold(s, "UTF8") {
		return newErr(tagValue, "%s: only UTF-8 is supported by the emulator, got %v", name, cs)
	}
	return nil
}

func fnTextEncode(_ *callCtx, a []any) (any, error) {
	s, err := argString("text.encode", a, 0)
	if err != nil {
		return nil, err
	}
	if err := checkCharset("text.encode", a[1]); err != nil {
		return nil, err
	}
	return Bytes(s), nil
}

func fnTextDecode(_ *callCtx, a []any) (any, error) {
	b, ok := a[0].(Bytes)
	if !ok {
		return nil, newErr(tagType, "text.decode expects bytes, got %s", typeName(a[0]))
	}
	if err := checkCharset("text.decode", a[1]); err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		return nil, newErr(tagValue, "text.decode: data is not valid UTF-8")
	}
	return string(b), nil
}

func jsonIndent(v any) string {
	switch t := v.(type) {
	case bool:
		if t {
			return "  "
		}
	case map[string]any:
		if n, ok := t["prefix"].(string); ok {
			return n
		}
		return "  "
	}
	return ""
}

func fnJSONEncode(c *callCtx, a []any) (any, error) {
	s, err := fnJSONEncodeString(c, a)
	if err != nil {
		return nil, err
	}
	return Bytes(s.(string)), nil
}

func fnJSONEncodeString(_ *callCtx, a []any) (any, error) {
	b, err := toJSON(a[0], jsonIndent(a[1]))
	if err != nil {
		return nil, newErr(tagValue, "json.encode: %v", err)
	}
	return string(b), nil
}

func fnJSONDecode(_ *callCtx, a []any) (any, error) {
	data, err := argBytes("json.decode", a, 0)
	if err != nil {
		return nil, err
	}
	v, err := fromJSON(data)
	if err != nil {
		return nil, newErr(tagValue, "json.decode: %v", err)
	}
	return v, nil
}
