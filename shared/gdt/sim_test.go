package gdt_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// startSim starts the GDT simulator with mod applied to the defaults.
func startSim(t *testing.T, mod func(*gdtsim.Options)) *gdtsim.Server {
	t.Helper()
	opts := gdtsim.DefaultOptions()
	opts.Companies = 2
	opts.InvoicesPerMonth = 12
	if mod != nil {
		mod(&opts)
	}
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatalf("gdtsim.Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func simClient(t *testing.T, base string, mod ...func(*gdt.Config)) *gdt.Client {
	t.Helper()
	cfg := gdt.Config{BaseURL: base, Timeout: 10 * time.Second, PageSize: 7}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := gdt.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func simLogin(t *testing.T, c *gdt.Client, co gdtsim.Company) *gdt.Session {
	t.Helper()
	s, err := c.Login(context.Background(), co.MST, co.Password, captcha.NewTable())
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s
}

func truthKeys(srv *gdtsim.Server, mst string, flow hoadon.Flow, from, to hoadon.Date) []string {
	var out []string
	for _, tr := range srv.Invoices(mst, from.Time, to.Time) {
		if tr.Flow == string(flow) {
			k := hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
			out = append(out, k.String()+"@"+tr.Date)
		}
	}
	sort.Strings(out)
	return out
}

// Ensure a multi-month walk of every flow equals the simulator's ground
// truth: nothing missed, nothing repeated, windows the portal accepts.
func TestSimListEqualsTruth(t *testing.T) {
	srv := startSim(t, nil)
	co := srv.Companies()[0]
	from, to := dates("2026-01-20", "2026-04-05")
	for _, layout := range []struct {
		name, base string
		ttxly      bool
	}{{"api", srv.URL(), false}, {"legacy", srv.LegacyURL(), false}, {"ttxly-required", srv.URL(), true}} {
		t.Run(layout.name, func(t *testing.T) {
			c := simClient(t, layout.base, func(cfg *gdt.Config) { cfg.RequireTTXLY = layout.ttxly })
			s := simLogin(t, c, co)
			for _, flow := range hoadon.AllFlows {
				var got []string
				for inv, err := range c.List(context.Background(), s, flow, from, to) {
					if err != nil {
						t.Fatalf("%s: %v", flow, err)
					}
					got = append(got, inv.Key.String()+"@"+inv.Date.String())
				}
				sort.Strings(got)
				want := truthKeys(srv, co.MST, flow, from, to)
				if len(want) == 0 {
					t.Fatalf("%s: simulator has no invoices in range", flow)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s: got %d invoices, want %d\n got %v\nwant %v", flow, len(got), len(want), got, want)
				}
			}
		})
	}
}

// TestSimStatusChangesListed checks the list rows carry a status change
// made at the simulator and the replacement's reference to its original.
func TestSimStatusChangesListed(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) { o.RelatedShare = 0 })
	co := srv.Companies()[0]
	from, to := dates("2026-03-01", "2026-03-31")
	var orig, adj gdtsim.Truth
	for _, tr := range srv.Invoices(co.MST, from.Time, to.Time) {
		switch {
		case tr.Flow == string(hoadon.FlowSoldEInvoice) && orig.SHDon == 0:
			orig = tr
		case tr.Flow == string(hoadon.FlowPurchaseEInvoice) && adj.SHDon == 0:
			adj = tr
		}
	}
	rep, err := srv.Replace(co.MST, orig.Key(), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ad, err := srv.Adjust(co.MST, adj.Key(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	c := simClient(t, srv.URL())
	s := simLogin(t, c, co)
	got := map[string]gdt.Invoice{}
	for _, flow := range []hoadon.Flow{hoadon.FlowSoldEInvoice, hoadon.FlowPurchaseEInvoice} {
		for inv, err := range c.List(context.Background(), s, flow, from, to) {
			if err != nil {
				t.Fatal(err)
			}
			got[inv.Key.String()] = inv
		}
	}
	key := func(k gdtsim.Key) string {
		return hoadon.InvoiceKey{NBMST: k.NBMST, KHMSHDon: k.KHMSHDon, KHHDon: k.KHHDon, SHDon: k.SHDon}.String()
	}
	if o := got[key(orig.Key())]; o.TThai != 4 || o.Original != nil {
		t.Errorf("original: tthai %d, original %v", o.TThai, o.Original)
	}
	r := got[key(rep.Invoice.Key())]
	if r.TThai != 2 || r.Original == nil || r.Original.String() != key(orig.Key()) || r.OriginalDate.String() != orig.Date {
		t.Errorf("replacement: tthai %d, original %v of %s", r.TThai, r.Original, r.OriginalDate)
	}
	if a := got[key(ad.Invoice.Key())]; a.TThai != 3 || a.Original == nil || a.Original.String() != key(adj.Key()) || !a.Total.IsNegative() {
		t.Errorf("adjustment: tthai %d, original %v, total %s", a.TThai, a.Original, a.Total)
	}
	if got[key(adj.Key())].TThai != 5 {
		t.Errorf("adjusted original: tthai %d", got[key(adj.Key())].TThai)
	}
}
