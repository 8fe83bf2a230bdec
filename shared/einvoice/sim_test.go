package einvoice_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// simPortal is the minimum of the portal protocol this test needs, spoken
// over real HTTP to the simulator (which was written from the reference
// independently of this parser).
type simPortal struct {
	t   *testing.T
	srv *gdtsim.Server
	hc  *http.Client
}

func (p simPortal) do(method, path string, body []byte, token string) []byte {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, p.srv.URL()+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("request-id", uuid.NewString())
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := p.hc.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		p.t.Fatalf("%s %s: %d %v %.200s", method, path, res.StatusCode, err, b)
	}
	return b
}

// login solves the captcha through the simulator's test hook.
func (p simPortal) login(c gdtsim.Company) string {
	var cp struct{ Key string }
	if err := json.Unmarshal(p.do(http.MethodGet, "/captcha", nil, ""), &cp); err != nil {
		p.t.Fatal(err)
	}
	answer, ok := p.srv.CaptchaAnswer(cp.Key)
	if !ok {
		p.t.Fatalf("no captcha answer for %q", cp.Key)
	}
	body, _ := json.Marshal(map[string]string{"username": c.MST, "password": c.Password, "cvalue": answer, "ckey": cp.Key})
	var tok struct{ Token string }
	if err := json.Unmarshal(p.do(http.MethodPost, "/security-taxpayer/authenticate", body, ""), &tok); err != nil || tok.Token == "" {
		p.t.Fatalf("login %s: %v", c.MST, err)
	}
	return tok.Token
}

func (p simPortal) export(token string, tr gdtsim.Truth) []byte {
	q := url.Values{"nbmst": {tr.NBMST}, "khhdon": {tr.KHHDon},
		"shdon": {strconv.FormatInt(tr.SHDon, 10)}, "khmshdon": {strconv.Itoa(tr.KHMSHDon)}}
	return p.do(http.MethodGet, "/"+string(hoadon.Flow(tr.Flow).Family())+"/invoices/export-xml?"+q.Encode(), nil, token)
}

// Ensure a few hundred simulator invoices (all four flows, replacements and
// adjustments included) parse with no error and no warning, and agree with
// the simulator's ground truth.
func TestSimulatorInvoices(t *testing.T) {
	opts := gdtsim.DefaultOptions()
	opts.Seed = 7
	opts.Companies = 2
	opts.InvoicesPerMonth = 25
	opts.RelatedShare = 0.2
	opts.TamperedSignatureShare = 0.1
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	p := simPortal{t: t, srv: srv, hc: &http.Client{}}
	t.Cleanup(p.hc.CloseIdleConnections)

	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
	parsed, related := 0, 0
	states := map[string]int{}
	for _, c := range srv.Companies() {
		token := p.login(c)
		for _, tr := range srv.Invoices(c.MST, from, to) {
			if !tr.HasXML {
				continue
			}
			name := fmt.Sprintf("%s/%s/%d_%s_%d", c.MST, tr.Flow, tr.KHMSHDon, tr.KHHDon, tr.SHDon)
			inv := checkSimInvoice(t, name, p.export(token, tr), tr)
			parsed++
			state := srv.SignatureState(tr)
			states[state]++
			if inv != nil {
				checkSimSignatures(t, name, inv, state)
			}
			if inv != nil && inv.General.Related != nil {
				related++
			}
		}
	}
	t.Logf("parsed %d simulator invoices (%d replacements/adjustments), signatures %v", parsed, related, states)
	if states[gdtsim.SigSigned] == 0 || states[gdtsim.SigUnsigned] == 0 || states[gdtsim.SigTampered] == 0 {
		t.Errorf("signature states %v: want every kind", states)
	}
	if parsed < 200 || related == 0 {
		t.Errorf("parsed %d invoices, %d related: want a few hundred including related ones", parsed, related)
	}
}

func checkSimInvoice(t *testing.T, name string, zipData []byte, tr gdtsim.Truth) *einvoice.Invoice {
	t.Helper()
	inv, err := einvoice.ParseZIP(zipData)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	for _, w := range inv.Warnings {
		t.Errorf("%s: warning %s: %s", name, w.Code, w.Message)
	}
	want := hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
	if inv.Key() != want || inv.General.NLap != tr.Date {
		t.Errorf("%s: key %v date %s, truth %v %s", name, inv.Key(), inv.General.NLap, want, tr.Date)
	}
	xmlData, err := einvoice.XMLFromZIP(zipData)
	if sum := sha256.Sum256(xmlData); err != nil || hex.EncodeToString(sum[:]) != tr.XMLSHA256 {
		t.Errorf("%s: XML entry does not match the truth's SHA-256 (%v)", name, err)
	}
	wantRelated := tr.TThai == 2 || tr.TThai == 3
	if (inv.General.Related != nil) != wantRelated || (wantRelated && inv.General.Related.TCHDon != tr.TThai-1) {
		t.Errorf("%s: tthai %d but TTHDLQuan %+v", name, tr.TThai, inv.General.Related)
	}
	if kSeries := tr.KHHDon[0] == 'K'; kSeries == (inv.MCCQT != "") {
		t.Errorf("%s: symbol %s with MCCQT %q", name, tr.KHHDon, inv.MCCQT)
	}
	return inv
}

// checkSimSignatures compares the verified signatures with how the
// simulator signed: seller valid (missing on cash-register invoices,
// invalid when tampered), tax authority valid when the invoice is coded.
func checkSimSignatures(t *testing.T, name string, inv *einvoice.Invoice, state string) {
	t.Helper()
	want := map[string]xmlsig.Status{gdtsim.SigSigned: xmlsig.StatusValid, gdtsim.SigUnsigned: xmlsig.StatusMissing,
		gdtsim.SigTampered: xmlsig.StatusInvalid}[state]
	seller, _ := xmlsig.Seller(inv.Signatures)
	if seller.Status != want || (want == xmlsig.StatusValid && seller.MST != inv.Seller.MST) {
		t.Errorf("%s: served %s, seller signature %+v", name, state, seller)
	}
	for _, s := range inv.Signatures {
		if s.Role == xmlsig.RoleTaxAuthority && (inv.MCCQT == "" || s.Status != xmlsig.StatusValid && state != gdtsim.SigTampered) {
			t.Errorf("%s: tax authority signature %+v", name, s)
		}
	}
	if w := inv.SignatureWarning(); (w != nil) != (state == gdtsim.SigTampered) {
		t.Errorf("%s: served %s, SignatureWarning %+v", name, state, w)
	}
}
