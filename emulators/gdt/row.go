package gdt

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// jnum is a JSON number printed the way the portal's Java backend prints a
// double: "484633.0", and "1.4727778E7" from 10⁷ up — clients must cope.
type jnum float64

// MarshalJSON renders Java's Double.toString form.
func (n jnum) MarshalJSON() ([]byte, error) { return []byte(javaDouble(float64(n))), nil }

func javaDouble(v float64) string {
	if v == 0 {
		return "0.0"
	}
	a := v
	if a < 0 {
		a = -a
	}
	if a >= 1e7 || a < 1e-3 {
		s := strconv.FormatFloat(v, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// ttin is one {ttruong, kdlieu, dlieu} extra-info entry.
type ttin struct {
	TTruong string `json:"ttruong"`
	KDLieu  string `json:"kdlieu"`
	DLieu   string `json:"dlieu"`
}

// rateJSON is a thttltsuat entry (tsuat is a string here).
type rateJSON struct {
	TSuat   string `json:"tsuat"`
	ThTien  jnum   `json:"thtien"`
	TThue   jnum   `json:"tthue"`
	GTTSuat *jnum  `json:"gttsuat"`
}

// stamps are the processing timestamps of an invoice, derived from its
// seed so they never change between calls.
type stamps struct{ signed, created, received, coded, updated time.Time }

func (inv *invoice) stamps() stamps {
	r := rand.New(rand.NewPCG(inv.Seed^0x5a5a, inv.Seed))
	signed := inv.Date.Add(8*time.Hour + time.Duration(r.Int64N(int64(9*time.Hour)))).Truncate(time.Second)
	created := signed.Add(time.Duration(1+r.IntN(90))*time.Second + time.Duration(r.IntN(1000))*time.Millisecond)
	received := created.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
	coded := received.Add(time.Duration(r.IntN(5000)) * time.Millisecond)
	return stamps{signed, created, received, coded, coded.Add(time.Duration(r.IntN(60000)) * time.Millisecond)}
}

const msLayout = "2006-01-02T15:04:05.000Z"

func utcMS(t time.Time) string { return t.UTC().Format(msLayout) }

// thdon names the invoice type for the template number.
func thdon(tmpl int) string {
	if tmpl == 2 {
		return "Hóa đơn bán hàng"
	}
	return "Hóa đơn giá trị gia tăng"
}

// certJSON is a certificate summary as the portal embeds it: a JSON string.
func certJSON(subject, issuer string, signed time.Time, serial string) string {
	b, _ := json.Marshal(map[string]string{
		"Subject": subject, "SerialNumber": serial, "Issuer": issuer,
		"NotBefore": signed.AddDate(-1, 0, 0).UTC().Format(time.RFC3339), "NotAfter": signed.AddDate(2, 0, 0).UTC().Format(time.RFC3339),
		"SigningTime": signed.In(vn).Format("2006-01-02T15:04:05"),
	})
	return string(b)
}

// sellerSubject is the X509 subject of the seller's signing certificate.
func sellerSubject(p party) string {
	return fmt.Sprintf("CN=%s,UID=MST:%s,L=Việt Nam,C=VN", p.Name, p.MST)
}

const cqtSubject = "CN=TỔNG CỤC THUẾ,O=BỘ TÀI CHÍNH,L=Hà Nội,C=VN"

// nullable returns nil for an empty string so JSON shows null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// softwareMST is the MST of the simulated e-invoice software provider.
func (inv *invoice) softwareMST() string {
	return []string{"0100109106", "0101360697", "0101243150", "0102519041"}[inv.Seed%4]
}

func paymentText(code int) string {
	return map[int]string{1: "Tiền mặt", 2: "Chuyển khoản", 3: "TM/CK"}[code]
}

func (inv *invoice) payment() int { return 1 + int(inv.Seed>>8%3) }
