package workflows_test

import (
	"strings"
	"testing"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"github.com/google/go-cmp/cmp"
)

type interpCase struct {
	name     string
	src      string
	arg      any
	want     string // expected result JSON (SUCCEEDED)
	wantTags string // expected error tags joined with "," (FAILED)
	wantMsg  string // substring of the error payload
}

var interpCases = []interpCase{
	{name: "operators", src: `
main:
  steps:
    - a:
        assign:
          - r: '${[7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 / 2, 2 + 3 * 4, (2 + 3) * 4, 1 + 2.5, "a" + "b", 3 > 2 and not (1 == 2), false or 1 < 2, 2 in [1, 2], "k" in {"k": 1}, "z" in {"k": 1}, 4 / 2]}' 
    - r: {return: '${r}'}`,
		want: `[3, -4, 1, 2, 3.5, 14, 20, 3.5, "ab", true, true, true, true, false, 2.0]`},
	{name: "params and literals", arg: map[string]any{"x": 2, "m": map[string]any{"k": []any{1, 2}}}, src: `
main:
  params: [args]
  steps:
    - a:
        assign:
          - m: {"a": {"b": 1}, "l": [1, 2, 3]}
          - m.a.c: ${args.x * 10}
          - m["l"][1]: ${args.m.k[1] + len(m.l)}
          - m.new.deep: "created"
          - s: '${"x: " + string(args.x)}'
    - r: {return: {m: '${m}', s: '${s}', lit: "not ${an} expression"}}`,
		want: `{"m": {"a": {"b": 1, "c": 20}, "l": [1, 5, 3], "new": {"deep": "created"}}, "s": "x: 2", "lit": "not ${an} expression"}`},
	{name: "subworkflow defaults", src: `
main:
  steps:
    - one: {call: greet, args: {name: "An"}, result: a}
    - two: {call: greet, args: {name: "Bo", greeting: "Chao"}, result: b}
    - r: {return: ['${a}', '${b}']}
greet:
  params: [name, greeting: "Hello"]
  steps:
    - r: {return: '${greeting + " " + name}'}`,
		want: `["Hello An", "Chao Bo"]`},
	{name: "switch next and fallthrough", src: `
main:
  steps:
    - init: {assign: [{x: 5}, {log: []}]}
    - check:
        switch:
          - condition: ${x > 10}
            next: big
          - condition: ${x > 100}
            next: big
    - small: {assign: [{log: '${list.concat(log, "small")}'}]}
    - check2:
        switch:
          - condition: ${x == 5}
            steps:
              - inner: {assign: [{log: '${list.concat(log, "inner")}'}]}
          - condition: true
            assign: [{log: '${list.concat(log, "never")}'}]
        next: done
    - big: {assign: [{log: '${list.concat(log, "big")}'}]}
    - done: {return: '${log}'}`,
		want: `["small", "inner"]`},
	{name: "for in, range, break, continue", src: `
main:
  steps:
    - init: {assign: [{out: []}, {sum: 0}]}
    - loop:
        for:
          value: v
          index: i
          in: ["a", "b", "c", "d"]
          steps:
            - skip_b:
                switch:
                  - condition: ${v == "b"}
                    next: continue
            - stop_d:
                switch:
                  - condition: ${v == "d"}
                    next: break
            - add: {assign: [{out: '${list.concat(out, string(i) + v)}'}, {local: 1}]}
    - rng:
        for:
          value: n
          range: [1, 4]
          steps:
            - s: {assign: [{sum: '${sum + n}'}]}
    - r: {return: {out: '${out}', sum: '${sum}'}}`,
		want: `{"out": ["0a", "2c"], "sum": 10}`},
	{name: "loop variables are local", src: `
main:
  steps:
    - loop:
        for:
          value: v
          in: [1]
          steps:
            - s: {assign: [{inner: '${v}'}]}
    - r: {return: '${inner}'}`,
		wantTags: "KeyError"},
	{name: "next end and jump back", src: `
main:
  steps:
    - init: {assign: [{n: 0}]}
    - inc: {assign: [{n: '${n + 1}'}]}
    - again:
        switch:
          - condition: ${n < 3}
            next: inc
    - stop: {next: end}
    - never: {return: "unreachable"}`,
		want: `null`},
	{name: "except as e with tags", src: `
main:
  steps:
    - t:
        try:
          steps:
            - bad: {assign: [{x: '${1 / 0}'}]}
        except:
          as: e
          steps:
            - r: {return: {tags: '${e.tags}', div: '${"ZeroDivisionError" in e.tags}'}}`,
		want: `{"tags": ["ZeroDivisionError"], "div": true}`},
	{name: "raise map caught and rethrown", src: `
main:
  steps:
    - t:
        try:
          raise: {code: 55, message: "custom"}
        except:
          as: e
          steps:
            - again: {raise: '${e}'}`,
		wantMsg: `"code":55`},
	{name: "raise string", src: `
main:
  steps:
    - boom: {raise: "plain failure"}`,
		wantMsg: `"plain failure"`},
	{name: "key error", src: `
main:
  steps:
    - a: {assign: [{m: {}}, {x: '${m.missing}'}]}`, wantTags: "KeyError"},
	{name: "index error", src: `
main:
  steps:
    - a: {assign: [{l: [1]}, {x: '${l[3]}'}]}`, wantTags: "IndexError"},
	{name: "type error", src: `
main:
  steps:
    - a: {assign: [{x: '${"a" + 1}'}]}`, wantTags: "TypeError"},
	{name: "value error", src: `
main:
  steps:
    - a: {assign: [{x: '${int("seven")}'}]}`, wantTags: "ValueError"},
	{name: "zero division modulo", src: `
main:
  steps:
    - a: {assign: [{x: '${5 % 0}'}]}`, wantTags: "ZeroDivisionError"},
	{name: "stdlib", src: `
main:
  steps:
    - a:
        assign:
          - m: {"a": {"b": 2}}
          - r:
              - ${text.split("a,b,c", ",")}
              - ${text.replace_all("a-b-c", "-", "+")}
              - ${text.find_all("abcab", "ab")}
              - ${text.to_upper("xy") + text.to_lower("ZW")}
              - ${text.substring("hello", 1, 3)}
              - ${text.decode(text.encode("chữ"))}
              - '${json.decode(json.encode({"k": [1, "x"]}))}' 
              - ${json.encode_to_string([1, "<a>"])}
              - ${text.decode(base64.decode(base64.encode("hi")))}
              - ${map.get(m, ["a", "b"])}
              - ${map.get(m, "zz")}
              - ${list.concat([1], 2)}
              - ${len("chữ") + len([1, 2]) + len(m)}
              - '${keys({"b": 1, "a": 2})}' 
              - ${default(null, "d")}
              - ${[int("42"), int(2.9), double("1.5"), string(7), string(true)]}
              - ${[math.max(1, 2.5), math.min(3, 4), math.floor(2.7), math.abs(-3)]}
              - ${len(uuid.generate())}
              - ${text.match_regex("ab12", "[0-9]+")}
              - ${time.format(1700000000.5)}
              - ${time.format(1700000000, "Asia/Ho_Chi_Minh")}
              - ${time.parse("2023-11-14T22:13:20.5Z")}
    - r: {return: '${r}'}`,
		want: `[["a","b","c"], "a+b+c", [{"index":0,"match":"ab"},{"index":3,"match":"ab"}], "XYzw", "el", "chữ",
			{"k":[1,"x"]}, "[1,\"<a>\"]", "hi", 2, null, [1,2], 6, ["a","b"], "d", [42, 2, 1.5, "7", "true"], [2.5, 3, 2, 3], 36, true,
			"2023-11-14T22:13:20.500000Z", "2023-11-15T05:13:20.000000+07:00", 1700000000.5]`},
	{name: "env", arg: map[string]any{}, src: `
main:
  steps:
    - r:
        return:
          - ${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}
          - ${sys.get_env("GOOGLE_CLOUD_LOCATION")}
          - ${sys.get_env("GOOGLE_CLOUD_WORKFLOW_ID")}
          - ${len(sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID"))}
          - ${sys.get_env("USER_VAR")}
          - ${sys.get_env("MISSING", "fallback")}`,
		want: `["p1", "l1", "interp_env", 36, "user-value", "fallback"]`},
	{name: "sys sleep log now", src: `
main:
  steps:
    - t0: {assign: [{t0: '${sys.now()}'}]}
    - nap: {call: sys.sleep, args: {seconds: 2}}
    - log: {call: sys.log, args: {text: "hello", severity: "INFO"}}
    - r: {return: '${sys.now() >= t0}'}`,
		want: `true`},
	{name: "recursion limit", src: `
main:
  steps:
    - go: {call: down, args: {n: 0}, result: r}
    - r: {return: '${r}'}
down:
  params: [n]
  steps:
    - next_level: {call: down, args: {n: '${n + 1}'}, result: r}
    - r: {return: '${r}'}`,
		wantTags: "RecursionError"},
}

func TestInterpreter(t *testing.T) {
	e := startEmu(t, map[string]string{"USER_VAR": "user-value"})
	for _, tc := range interpCases {
		t.Run(tc.name, func(t *testing.T) {
			name := "interp_" + strings.ReplaceAll(tc.name, " ", "_")
			name = strings.NewReplacer(",", "", "-", "_").Replace(name)
			ex := e.run(t, name, tc.src, tc.arg)
			switch {
			case tc.want != "":
				if ex.State != executionspb.Execution_SUCCEEDED {
					t.Fatalf("state %s, error %s", ex.State, ex.GetError().GetPayload())
				}
				if diff := cmp.Diff(decode(t, tc.want), decode(t, ex.Result)); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			case tc.wantTags != "":
				if got := strings.Join(errorTags(t, ex), ","); got != tc.wantTags {
					t.Errorf("tags = %s, want %s (payload %s)", got, tc.wantTags, ex.GetError().GetPayload())
				}
			default:
				if ex.State != executionspb.Execution_FAILED || !strings.Contains(ex.GetError().GetPayload(), tc.wantMsg) {
					t.Errorf("state %s payload %s, want FAILED containing %s", ex.State, ex.GetError().GetPayload(), tc.wantMsg)
				}
			}
		})
	}
}
