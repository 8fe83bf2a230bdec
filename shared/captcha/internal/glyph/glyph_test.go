package glyph

import (
	"strings"
	"testing"
)

// Ensure Scan drops L, run-length encodes the rest and finds the left edge
// among x coordinates only (never a y, never a control-point pairing slip).
func TestScan(t *testing.T) {
	cases := []struct {
		d       string
		sig     string
		minX    float64
		wantErr string
	}{
		{d: "M10 5L11 6Q12 7 13 8L14 9Q9.5 1 15 2Z", sig: "MQ2Z", minX: 9.5},
		{d: "M10 1Q12 1 13 1ZM-2.25 40L3 3Z", sig: "MQZMZ", minX: -2.25},
		{d: "M1 2C3 4,5 6,0.5 8Z", sig: "MCZ", minX: 0.5},
		{d: "M 7 100 Q 8 0 9 0 Z", sig: "MQZ", minX: 7},
		{d: "", wantErr: "must start with M"},
		{d: "L1 2Z", wantErr: "must start with M"},
		{d: "M1 2h3Z", wantErr: "unsupported path command 'h'"},
		{d: "M1e3 2Z", wantErr: "unsupported path command 'e'"},
		{d: "M- 2Z", wantErr: "malformed number"},
		{d: "MZ", wantErr: "no coordinates"},
	}
	for _, tc := range cases {
		sig, minX, err := Scan(nil, tc.d)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Scan(%q) err = %v, want %q", tc.d, err, tc.wantErr)
			}
			continue
		}
		if err != nil || string(sig) != tc.sig || minX != tc.minX {
			t.Errorf("Scan(%q) = %q, %v, %v; want %q, %v", tc.d, sig, minX, err, tc.sig, tc.minX)
		}
	}
}

// Ensure Outline flattens curves into closed polygons and rejects what it
// cannot draw.
func TestOutline(t *testing.T) {
	polys, err := Outline("M0 0L10 0Q10 10 0 10ZM20 20L30 20L30 30Z")
	if err != nil {
		t.Fatal(err)
	}
	if len(polys) != 2 || len(polys[0]) != 2+curveSteps || len(polys[1]) != 3 {
		t.Fatalf("polygons = %v", polys)
	}
	if last := polys[0][len(polys[0])-1]; last != (Point{0, 10}) {
		t.Fatalf("curve ends at %v, want {0 10}", last)
	}
	for _, bad := range []string{"L1 2Z", "M1 2 3Z", "M1 2Q1 2Z", "M1 2A1 1 0 0 1 2 2Z"} {
		if _, err := Outline(bad); err == nil {
			t.Errorf("Outline(%q) succeeded", bad)
		}
	}
}
