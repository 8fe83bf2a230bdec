package einvoice_test

import (
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// minimal returns a consistent one-line invoice with parts replaceable.
func minimal(ttchung, line string) string {
	if ttchung == "" {
		ttchung = `<KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>1</SHDon><NLap>2026-01-02</NLap>`
	}
	if line == "" {
		line = `<HHDVu><TChat>1</TChat><STT>1</STT><SLuong>1</SLuong><DGia>100</DGia><ThTien>100</ThTien><TSuat>10%</TSuat></HHDVu>`
	}
	return `<HDon><DLHDon><TTChung>` + ttchung + `</TTChung><NDHDon><NBan><MST>0101234565</MST></NBan><NMua/>` +
		`<DSHHDVu>` + line + `</DSHHDVu><TToan><TgTCThue>100</TgTCThue><TgTThue>10</TgTThue><TgTTTBSo>110</TgTTTBSo></TToan>` +
		`</NDHDon></DLHDon></HDon>`
}

func TestMinimalIsClean(t *testing.T) {
	inv, err := einvoice.Parse([]byte(minimal("", "")))
	if err != nil || len(inv.Warnings) != 0 {
		t.Fatalf("Parse(minimal) = %v, %v", inv, err)
	}
}

// Ensure malformed input gives a bad_data error that says what is wrong.
func TestMalformed(t *testing.T) {
	deep := strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "no XML element"},
		{"not xml", "hello, world", "no XML element"},
		{"html", "<html><body>Request Rejected</body></html>", "no HDon element"},
		{"truncated", minimal("", "")[:120], "not well-formed"},
		{"mismatched", "<HDon><DLHDon></HDon>", "not well-formed"},
		{"no DLHDon", "<HDon><MCCQT>x</MCCQT></HDon>", "no DLHDon"},
		{"no TTChung", "<HDon><DLHDon><NDHDon/></DLHDon></HDon>", "no TTChung"},
		{"no number", minimal(`<KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><NLap>2026-01-02</NLap>`, ""), "SHDon are required"},
		{"bad number", minimal(`<KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>12a</SHDon><NLap>2026-01-02</NLap>`, ""), "SHDon"},
		{"bad template", minimal(`<KHMSHDon>12</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>1</SHDon><NLap>2026-01-02</NLap>`, ""), "template number"},
		{"bad date", minimal(`<KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>1</SHDon><NLap>02/01/2026</NLap>`, ""), "NLap"},
		{"no date", minimal(`<KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>1</SHDon>`, ""), "NLap: missing"},
		{"amount with comma", minimal("", `<HHDVu><ThTien>1,686,000</ThTien></HHDVu>`), "HHDVu[1]/ThTien"},
		{"huge exponent", minimal("", `<HHDVu><ThTien>1e999999999</ThTien></HHDVu>`), "not a decimal"},
		{"NaN", minimal("", `<HHDVu><DGia>NaN</DGia></HHDVu>`), "not a decimal"},
		{"no seller MST", strings.Replace(minimal("", ""), "0101234565", "", 1), "empty seller MST"},
		{"too deep", "<HDon>" + deep + "</HDon>", "nested deeper"},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + minimal("", ""), "unsupported XML encoding"},
		{"two roots", minimal("", "") + "<HDon/>", "more than one root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := einvoice.Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", inv)
			}
			if hoadon.ErrorCode(err) != hoadon.CodeBadData {
				t.Errorf("code = %q, want bad_data (%v)", hoadon.ErrorCode(err), err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// Ensure vendor variations of §10.4 parse cleanly: an envelope around HDon,
// a BOM, lower-case element names, HTML entities.
func TestTolerated(t *testing.T) {
	tests := map[string]string{
		"envelope":  `<TDiep><TTChung><MLTDiep>200</MLTDiep></TTChung><DLieu>` + minimal("", "") + `</DLieu></TDiep>`,
		"bom":       "\xef\xbb\xbf" + minimal("", ""),
		"case":      strings.ReplaceAll(strings.ReplaceAll(minimal("", ""), "ThTien>", "THTien>"), "TgTThue>", "TGTThue>"),
		"entity":    strings.Replace(minimal("", ""), "<NMua/>", "<NMua><Ten>A&nbsp;&amp;&#160;B</Ten></NMua>", 1),
		"tchat 5":   minimal("", `<HHDVu><TChat>5</TChat><SLuong>1</SLuong><DGia>100</DGia><ThTien>100</ThTien><TSuat>10%</TSuat></HHDVu>`),
		"KHAC rate": minimal("", `<HHDVu><SLuong>1</SLuong><DGia>100</DGia><ThTien>100</ThTien><TSuat>KHAC:10.00%</TSuat></HHDVu>`),
	}
	for name, in := range tests {
		inv, err := einvoice.Parse([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(inv.Warnings) != 0 {
			t.Errorf("%s: warnings %v", name, inv.Warnings)
		}
	}
}

// Ensure each arithmetic check fires on its own inconsistency.
func TestArithmeticWarnings(t *testing.T) {
	line := func(thtien, tsuat string) string {
		return `<HHDVu><TChat>1</TChat><SLuong>1</SLuong><DGia>100</DGia><ThTien>` + thtien + `</ThTien><TSuat>` + tsuat + `</TSuat></HHDVu>`
	}
	totals := func(inv, tt string) string {
		i := strings.Index(inv, "<TToan>")
		j := strings.Index(inv, "</TToan>")
		return inv[:i] + "<TToan>" + tt + inv[j:]
	}
	tests := []struct {
		name, in, want string
	}{
		{"rounding within 1", totals(minimal("", line("100.6", "10%")), `<TgTCThue>100</TgTCThue><TgTThue>10</TgTThue><TgTTTBSo>110</TgTTTBSo>`), ""},
		{"line", totals(minimal("", line("102", "10%")), `<TgTCThue>102</TgTCThue><TgTThue>10</TgTThue><TgTTTBSo>112</TgTTTBSo>`), einvoice.WarnLineAmount},
		{"base", totals(minimal("", ""), `<TgTCThue>90</TgTCThue><TgTThue>10</TgTThue><TgTTTBSo>100</TgTTTBSo>`), einvoice.WarnTotalBase},
		{"tax", totals(minimal("", ""), `<TgTCThue>100</TgTCThue><TgTThue>12</TgTThue><TgTTTBSo>112</TgTTTBSo>`), einvoice.WarnTotalTax},
		{"payable", totals(minimal("", ""), `<TgTCThue>100</TgTCThue><TgTThue>10</TgTThue><TgTTTBSo>120</TgTTTBSo>`), einvoice.WarnTotalPayable},
		{"rate base", totals(minimal("", ""), `<THTTLTSuat><LTSuat><TSuat>10%</TSuat><ThTien>200</ThTien><TThue>20</TThue></LTSuat></THTTLTSuat>`), einvoice.WarnRateBase},
		{"unknown rate", minimal("", line("100", "9 phần trăm")), einvoice.WarnRateUnknown},
		{"KCT taxed", totals(minimal("", line("100", "KCT")), `<THTTLTSuat><LTSuat><TSuat>KCT</TSuat><ThTien>100</ThTien><TThue>10</TThue></LTSuat></THTTLTSuat>`), einvoice.WarnRateTax},
		{"seller mst", strings.Replace(minimal("", ""), "0101234565", "0101234566", 1), "seller_mst"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := einvoice.Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if tc.want != "" {
				want = []string{tc.want}
			}
			if got := codes(inv.Warnings); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("warnings = %v, want %v", inv.Warnings, want)
			}
		})
	}
}
