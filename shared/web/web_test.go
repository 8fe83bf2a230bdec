package web_test

import (
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/web"
)

type params struct {
	CompanyID string   `json:"company_id"`
	Force     bool     `json:"force"`
	Flows     []string `json:"flows"`
	Limit     int      `json:"limit"`
}

type body struct {
	TaskType string `json:"task_type"`
	Params   params `json:"task_params"`
}

// TestUnmarshal: the one request decoder refuses what encoding/json v1
// would let through (case-folded and duplicate names) and names the field
// in every refusal.
func TestUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "" means accepted
	}{
		{"valid", `{"task_type":"x","task_params":{"company_id":"0101234567","flows":["sold"],"force":true}}`, ""},
		{"duplicate key", `{"task_type":"a","task_type":"b"}`, `"task_type" is given twice`},
		{"duplicate nested key", `{"task_params":{"company_id":"1","company_id":"2"}}`, `"task_params.company_id" is given twice`},
		{"case-folded name", `{"Task_Type":"x"}`, `unknown field "Task_Type"`},
		{"case-folded nested name", `{"task_params":{"COMPANY_ID":"x"}}`, `unknown field "task_params.COMPANY_ID"`},
		{"unknown field", `{"extra":1}`, `unknown field "extra"`},
		{"wrong type", `{"task_params":{"force":"yes"}}`, `"task_params.force" must be true or false, not a string`},
		{"array for a string", `{"task_type":["x"]}`, `"task_type" must be a string, not an array`},
		{"fraction for an int", `{"task_params":{"limit":1.5}}`, `"task_params.limit" must be a number`},
		{"overflow", `{"task_params":{"limit":99999999999999999999}}`, `out of range`},
		{"array body", `[1]`, `the body must be an object, not an array`},
		{"trailing data", `{"task_type":"x"} {}`, "data after the object"},
		{"cut short", `{"task_type":"x"`, "cut short"},
		{"invalid UTF-8", "{\"task_type\":\"\xff\"}", "syntax error"},
		{"lone surrogate", `{"task_type":"\ud800"}`, "syntax error"},
		{"deep nesting", strings.Repeat(`{"task_params":`, 20000) + "1" + strings.Repeat("}", 20000), "invalid JSON"},
		{"empty", "  ", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b body
			err := web.Unmarshal([]byte(tc.in), &b)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if hoadon.ErrorCode(err) != hoadon.CodeInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want invalid mentioning %q", err, tc.want)
			}
		})
	}
}
