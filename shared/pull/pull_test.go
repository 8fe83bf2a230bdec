package pull_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/pull"
	"github.com/hoadon/hoadon/shared/throttle"
)

func startSim(t *testing.T, mod func(*gdtsim.Options)) *gdtsim.Server {
	t.Helper()
	opts := gdtsim.DefaultOptions()
	opts.Companies = 1
	opts.InvoicesPerMonth = 6
	opts.DossierlessShare = 0.3
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

// config is a pull of srv's first company with fast test backoff; mod
// adjusts the portal client's config.
func config(t *testing.T, srv *gdtsim.Server, from, to string, mod ...func(*gdt.Config)) pull.Config {
	t.Helper()
	gc := gdt.Config{BaseURL: srv.URL(), Timeout: 10 * time.Second, PageSize: 5}
	for _, m := range mod {
		m(&gc)
	}
	c, err := gdt.New(gc)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := hoadon.ParseDate(from)
	e, _ := hoadon.ParseDate(to)
	co := srv.Companies()[0]
	return pull.Config{Client: c, Username: co.MST, Password: co.Password, Solver: captcha.NewTable(),
		From: f, To: e, OutDir: t.TempDir(), Concurrency: 3, Throttle: fastPolicy()}
}

// fastPolicy is the portal's rate policy scaled for a local simulator:
// starting at 100 requests a second, never below 10, backoff from 10 ms.
func fastPolicy() throttle.Config {
	c := throttle.DefaultConfig()
	c.MinRate, c.InitialRate, c.MaxRate = 10, 100, 200
	c.BaseDelay, c.MaxDelay, c.BlockedWait = 10*time.Millisecond, 200*time.Millisecond, 10*time.Millisecond
	return c
}

// truth is the simulator's ground truth for the pull's company and period.
func truth(srv *gdtsim.Server, cfg pull.Config) []gdtsim.Truth {
	return srv.Invoices(cfg.Username, cfg.From.Time, cfg.To.Time)
}

func xmlPath(cfg pull.Config, tr gdtsim.Truth) string {
	k := hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
	return filepath.Join(cfg.OutDir, cfg.Username, string(hoadon.Flow(tr.Flow).Direction()), tr.Date[:7], k.String()+".xml")
}

// checkFiles asserts that exactly the invoices with XML were written, with
// the simulator's bytes, each with a parsed JSON beside it, and no
// temporary files remain.
func checkFiles(t *testing.T, cfg pull.Config, truths []gdtsim.Truth) (withXML int) {
	t.Helper()
	want := map[string]bool{}
	for _, tr := range truths {
		p := xmlPath(cfg, tr)
		data, err := os.ReadFile(p)
		if !tr.HasXML {
			if err == nil {
				t.Errorf("%s written, but the invoice has no XML", p)
			}
			continue
		}
		withXML++
		want[p] = true
		want[strings.TrimSuffix(p, ".xml")+".json"] = true
		if err != nil {
			t.Errorf("missing %s: %v", p, err)
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != tr.XMLSHA256 {
			t.Errorf("%s differs from the portal's XML", p)
		}
		js, err := os.ReadFile(strings.TrimSuffix(p, ".xml") + ".json")
		if err != nil || !json.Valid(js) || !bytes.Contains(js, []byte(tr.KHHDon)) {
			t.Errorf("%s: parsed JSON missing or wrong (%v)", p, err)
		}
	}
	_ = filepath.WalkDir(cfg.OutDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[p] {
			t.Errorf("unexpected file %s", p)
		}
		return nil
	})
	return withXML
}

// Ensure a pull stores exactly the ground truth's XML, counts the
// unavailable ones, and a second run downloads nothing.
func TestPullEndToEnd(t *testing.T) {
	srv := startSim(t, nil)
	cfg := config(t, srv, "2026-02-10", "2026-03-20")
	var progress bytes.Buffer
	cfg.Progress, cfg.ProgressEvery = &progress, time.Millisecond
	truths := truth(srv, cfg)
	sum, err := pull.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v (%s)", err, sum)
	}
	withXML := checkFiles(t, cfg, truths)
	if withXML == 0 || withXML == len(truths) {
		t.Fatalf("test data should mix invoices with and without XML (%d of %d)", withXML, len(truths))
	}
	if !sum.OK() || sum.Listed != len(truths) || sum.Stored != withXML || sum.Unavailable != len(truths)-withXML ||
		sum.Skipped != 0 || sum.ParseErrors != 0 {
		t.Fatalf("first run: %s; truth %d invoices, %d with XML", sum, len(truths), withXML)
	}
	exports := srv.Stats().Total("/query/invoices/export-xml") + srv.Stats().Total("/sco-query/invoices/export-xml")

	cfg.Progress = nil
	again, err := pull.Run(context.Background(), cfg)
	if err != nil || !again.OK() || again.Stored != 0 || again.Skipped != withXML || again.Unavailable != len(truths)-withXML {
		t.Fatalf("second run: %s, %v", again, err)
	}
	after := srv.Stats().Total("/query/invoices/export-xml") + srv.Stats().Total("/sco-query/invoices/export-xml")
	if got := after - exports; got != int64(len(truths)-withXML) {
		t.Errorf("second run made %d export-xml calls, want %d (only the unavailable ones)", got, len(truths)-withXML)
	}
	checkFiles(t, cfg, truths)
	if !strings.Contains(progress.String(), "stored") {
		t.Errorf("no progress lines on the progress writer: %q", progress.String())
	}
}

// Ensure a half-written file from a crash is not mistaken for a download:
// only the final name counts, temporary files are ignored.
func TestPullIgnoresTemporaryFiles(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) { o.DossierlessShare = 0 })
	cfg := config(t, srv, "2026-05-01", "2026-05-31")
	cfg.Flows = []hoadon.Flow{hoadon.FlowSoldEInvoice}
	truths := truth(srv, cfg)
	var first gdtsim.Truth
	for _, tr := range truths {
		if tr.Flow == string(hoadon.FlowSoldEInvoice) {
			first = tr
			break
		}
	}
	p := xmlPath(cfg, first)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp-123")
	if err := os.WriteFile(junk, []byte("<HDon>half"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := pull.Run(context.Background(), cfg)
	if err != nil || !sum.OK() || sum.Skipped != 0 {
		t.Fatalf("%s, %v", sum, err)
	}
	if data, err := os.ReadFile(p); err != nil || bytes.Contains(data, []byte("half")) {
		t.Fatalf("invoice not downloaded over the crash leftover: %v", err)
	}
}
