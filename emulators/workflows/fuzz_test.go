package workflows_test

import (
	"testing"

	"github.com/hoadon/hoadon/emulators/workflows"
)

// FuzzLoad checks that any source, however malformed, is either loaded or rejected with an
// error, never a panic.
func FuzzLoad(f *testing.F) {
	for _, c := range interpCases {
		f.Add(c.src)
	}
	f.Add("- a: {return: '${1 + [2, {\"k\": x.y[0]}]}'}")
	f.Add("main: {params: [a], steps: [{s: {parallel: {for: {value: v, range: [1, 2], steps: []}}}}]}")
	f.Fuzz(func(t *testing.T, src string) {
		w, err := workflows.Load("fuzz.yaml", []byte(src))
		if (w == nil) == (err == nil) {
			t.Fatalf("Load returned workflow %v and error %v", w, err)
		}
	})
}
