package workflows_test

import (
	"strings"
	"testing"

	"github.com/hoadon/hoadon/emulators/workflows"
)

// TestRejectUnsupported checks that constructs the emulator does not implement, and invalid
// workflows, are refused at load time with file:line and a clear message.
func TestRejectUnsupported(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown step key", `
main:
  steps:
    - a:
        assign: [{x: 1}]
        timeout: 5`, `w.yaml:6: step "a": unsupported key "timeout"`},
		{"two kinds in one step", `
main:
  steps:
    - a:
        assign: [{x: 1}]
        return: 1`, `w.yaml:6: step "a": "return" cannot be combined with "assign"`},
		{"unknown function", `
main:
  steps:
    - a: {assign: [{x: '${text.reverse("ab")}'}]}`, `w.yaml:4: unknown function text.reverse()`},
		{"connector", `
main:
  steps:
    - a:
        call: googleapis.firestore.v1.projects.databases.documents.get
        args: {name: "x"}`, `w.yaml:4: step "a": unknown call target "googleapis.firestore.v1.projects.databases.documents.get": connectors (googleapis.*) are not supported`},
		{"callbacks", `
main:
  steps:
    - a: {call: events.create_callback_endpoint, args: {http_callback_method: POST}, result: cb}`, `callbacks (events.*) are not supported`},
		{"blocking call in expression", `
main:
  steps:
    - a: {assign: [{x: '${http.get("http://x")}'}]}`, `w.yaml:4: http.get() is a blocking call and can only be used in a call step`},
		{"wrong arity", `
main:
  steps:
    - a: {assign: [{x: '${len(1, 2)}'}]}`, `w.yaml:4: len() takes 1 arguments`},
		{"unknown http arg", `
main:
  steps:
    - a: {call: http.get, args: {url: "http://x", private_service_name: "s"}}`, `w.yaml:4: step "a": http.get has no argument "private_service_name"`},
		{"oauth2", `
main:
  steps:
    - a: {call: http.get, args: {url: "http://x", auth: {type: OAuth2}}}`, `auth type "OAuth2" is not supported`},
		{"timeout over limit", `
main:
  steps:
    - a: {call: http.get, args: {url: "http://x", timeout: 1801}}`, `w.yaml:4: step "a": timeout 1801 is out of range`},
		{"break outside for", `
main:
  steps:
    - a: {next: break}`, `w.yaml:4: next: break is only allowed inside a for loop`},
		{"unknown next", `
main:
  steps:
    - a: {assign: [{x: 1}], next: nowhere}`, `w.yaml:4: next: step "nowhere" not found`},
		{"missing subworkflow arg", `
main:
  steps:
    - a: {call: sub, args: {}}
sub:
  params: [p]
  steps:
    - r: {return: 1}`, `w.yaml:4: step "a": subworkflow sub needs argument "p"`},
		{"non shared assignment in branch", `
main:
  steps:
    - init: {assign: [{total: 0}]}
    - p:
        parallel:
          branches:
            - b1:
                steps:
                  - s: {assign: [{total: 1}]}`, `w.yaml:10: variable "total" of the enclosing scope is assigned in a parallel branch but is not listed in shared`},
		{"return in branch", `
main:
  steps:
    - p:
        parallel:
          branches:
            - b1:
                steps:
                  - r: {return: 1}`, `w.yaml:9: step "r": return is not supported inside a parallel branch`},
		{"exception policy", `
main:
  steps:
    - p:
        parallel:
          exception_policy: failFast
          branches:
            - b1: {steps: [{s: {assign: [{x: 1}]}}]}`, `w.yaml:6: step "p": exception_policy "failFast" is not supported`},
		{"bad expression", `
main:
  steps:
    - a: {assign: [{x: '${1 +}'}]}`, `w.yaml:4: invalid expression`},
		{"unknown retry policy", `
main:
  steps:
    - a:
        try: {call: sys.sleep, args: {seconds: 1}}
        retry: ${http.retry_forever}`, `w.yaml:6: step "a": retry policy "${http.retry_forever}" is not supported`},
		{"yaml alias", `
main:
  steps:
    - a: {assign: [{x: &v [1]}, {y: *v}]}`, `w.yaml:4: YAML aliases (*v) are not supported`},
		{"duplicate step", `
main:
  steps:
    - a: {assign: [{x: 1}]}
    - a: {assign: [{x: 2}]}`, `w.yaml:5: duplicate step name "a"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := workflows.Load("w.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
		})
	}
}

func TestRejectTooManyBranchesAndDeepNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("main:\n  steps:\n    - p:\n        parallel:\n          branches:\n")
	for i := 0; i < 11; i++ {
		b.WriteString("            - b" + string(rune('a'+i)) + ": {steps: [{s: {assign: [{x: 1}]}}]}\n")
	}
	if _, err := workflows.Load("w.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "w.yaml:3: step \"p\" has 11 branches; the limit is 10") {
		t.Errorf("11 branches: %v", err)
	}
	nested := `
main:
  steps:
    - p1:
        parallel:
          for:
            value: a
            in: [1]
            steps:
              - p2:
                  parallel:
                    for:
                      value: b
                      in: [1]
                      steps:
                        - p3:
                            parallel:
                              branches:
                                - x: {steps: [{s: {assign: [{y: 1}]}}]}`
	if _, err := workflows.Load("w.yaml", []byte(nested)); err == nil || !strings.Contains(err.Error(), "w.yaml:16: step \"p3\": parallel steps can be nested at most 2 deep") {
		t.Errorf("nesting: %v", err)
	}
	big := "main:\n  steps:\n    - a: {return: 1}\n#" + strings.Repeat("x", workflows.MaxSourceSize) + "\n"
	if _, err := workflows.Load("w.yaml", []byte(big)); err == nil || !strings.Contains(err.Error(), "the limit is 131072") {
		t.Errorf("source size: %v", err)
	}
}
