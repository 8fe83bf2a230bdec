package gdt

import (
	"encoding/json"
	"testing"
	"time"
)

func benchSim(b *testing.B, n int) *Simulator {
	b.Helper()
	s, err := New(Options{Seed: 1, Companies: 100, InvoicesPerMonth: n, DossierlessShare: 0.1, RelatedShare: 0.05})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkGenerateCompanyMonth measures generating one company-month
// (4 flows × 250 invoices = 1000 invoices).
func BenchmarkGenerateCompanyMonth(b *testing.B) {
	s := benchSim(b, 250)
	for i := 0; b.Loop(); i++ {
		s.month(i%100, 2000+i/1200, time.Month(1+i/100%12))
	}
}

func BenchmarkRowJSON(b *testing.B) {
	s := benchSim(b, 250)
	invs := s.month(0, 2026, 3).flows[0]
	for i := 0; b.Loop(); i++ {
		_, _ = json.Marshal(s.rowOf(invs[i%len(invs)]))
	}
}

func BenchmarkExportZip(b *testing.B) {
	s := benchSim(b, 250)
	invs := s.month(0, 2026, 3).flows[1]
	for i := 0; b.Loop(); i++ {
		if _, err := s.exportZip(invs[i%len(invs)], false); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAmountInWords(t *testing.T) {
	cases := map[int64]string{
		0:          "Không đồng",
		15:         "Mười lăm đồng",
		21:         "Hai mươi mốt đồng",
		105:        "Một trăm linh năm đồng",
		1250000:    "Một triệu hai trăm năm mươi nghìn đồng",
		1005000:    "Một triệu không trăm linh năm nghìn đồng",
		-3000:      "Âm ba nghìn đồng",
		2000000000: "Hai tỷ đồng",
	}
	for v, want := range cases {
		if got := amountInWords(v); got != want {
			t.Errorf("amountInWords(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	cases := map[float64]string{0: "0.0", 484633: "484633.0", 14727778: "1.4727778E7", 1e7: "1.0E7", -25000000: "-2.5E7", 0.08: "0.08"}
	for v, want := range cases {
		if got := javaDouble(v); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestCheckDigitAndCompanies(t *testing.T) {
	if checkDigit("010000000") != 3 || checkDigit("01000000x") != -1 {
		t.Fatal("check digit")
	}
	cs, _ := buildCompanies(5, 50)
	for _, c := range cs {
		if checkDigit(c.MST[:9]) != int(c.MST[9]-'0') {
			t.Errorf("MST %s has a wrong check digit", c.MST)
		}
	}
}
