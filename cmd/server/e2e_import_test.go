package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/opcount"
	"github.com/hoadon/hoadon/shared/sink"
	"github.com/hoadon/hoadon/shared/wire"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// TestImportEndToEnd: three companies × two months × four flows through the
// real workflow, queues, Firestore and GCS, with 5 % transient 5xx and 429
// bursts on the portal. The stored XML equals the simulator's ground truth,
// every count is exact and every event reaches the sink once, signed; the
// invoices whose seller signature the simulator tampered with are stored
// all the same, their records say invalid and a signature_invalid event
// reports each.
func TestImportEndToEnd(t *testing.T) {
	sim := h.Stack.GDT()
	companies := sim.Companies()[:3]
	ops := opcount.Take()
	ids := make([]string, len(companies))
	for i, c := range companies {
		ids[i] = start(t, c.MST, c.Password)
	}
	var wg sync.WaitGroup
	sts := make([]map[string]any, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sts[i] = waitFor(t, id, 4*time.Minute, final)
		}()
	}
	wg.Wait()
	ctx := context.Background()
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gcs.Close()
	stored, badSignatures := 0, 0
	for _, st := range sts {
		stored += count(st, "stored")
	}
	checkOpBudget(t, ops, stored)
	fromT, _ := time.Parse(time.DateOnly, from)
	toT, _ := time.Parse(time.DateOnly, to)
	for i, c := range companies {
		st := sts[i]
		if st["status"] != "completed" {
			t.Fatalf("%s: import ended %v (%v)", c.MST, st["status"], st["error"])
		}
		truth := sim.Invoices(c.MST, fromT, toT)
		want := map[string]string{}                   // object name → sha256
		unavailable, tampered := 0, map[string]bool{} // invoice keys with a tampered seller signature
		for _, tr := range truth {
			if !tr.HasXML {
				unavailable++
				continue
			}
			if sim.SignatureState(tr) == gdtsim.SigTampered {
				tampered[truthKey(tr).String()] = true
			}
			dir := hoadon.Sold
			if strings.HasPrefix(tr.Flow, "mua_vao") {
				dir = hoadon.Purchase
			}
			k := truthKey(tr)
			want["tenants/default/invoices/"+c.MST+"/"+string(dir)+"/"+tr.Date[:4]+"/"+tr.Date[5:7]+"/"+k.String()+".xml"] = tr.XMLSHA256
		}
		got := storedXML(t, gcs, h.Env["HOADON_BUCKET"], "tenants/default/invoices/"+c.MST+"/")
		for name, sum := range want {
			if got[name] != sum {
				t.Errorf("%s: %s: stored sha %q, want %q", c.MST, name, got[name], sum)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("%s: unexpected object %s", c.MST, name)
			}
		}
		if count(st, "stored") != len(want) || count(st, "unavailable") != unavailable ||
			count(st, "failed") != 0 || count(st, "skipped") != 0 || int(st["total"].(float64)) != len(truth) {
			t.Errorf("%s: counts %v total %v; want stored %d unavailable %d total %d", c.MST, st["counts"], st["total"], len(want), unavailable, len(truth))
		}
		checkEvents(t, ids[i], len(want), unavailable, tampered)
		checkSignatures(t, c.MST, truth)
		badSignatures += len(tampered)
		t.Logf("%s: %d invoices, %d stored (sha-256 equal to the simulator's), %d unavailable, %d with a tampered seller signature (stored, reported)",
			c.MST, len(truth), len(want), unavailable, len(tampered))
	}
	if badSignatures == 0 {
		t.Error("the simulator served no tampered signature: the signature checks above prove nothing")
	}
}

func truthKey(tr gdtsim.Truth) hoadon.InvoiceKey {
	return hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
}

// checkSignatures reads every stored invoice's record through the API: it
// is stored with its XML's digest, and its seller signature is what the
// simulator served — valid and chained to the trust store the server was
// given (HOADON_TRUSTED_CA_FILE), invalid with a warning when tampered, or
// missing without one on a cash-register invoice.
func checkSignatures(t *testing.T, mst string, truth []gdtsim.Truth) {
	t.Helper()
	sim := h.Stack.GDT()
	for _, tr := range truth {
		if !tr.HasXML {
			continue
		}
		dir := hoadon.Sold
		if strings.HasPrefix(tr.Flow, "mua_vao") {
			dir = hoadon.Purchase
		}
		k := truthKey(tr)
		code, _, raw := h.Call(t, "GET", "/api/companies/"+mst+"/invoices/"+k.ID(mst, dir), nil)
		var rec wire.InvoiceRecord
		if err := json.Unmarshal([]byte(raw), &rec); err != nil || code != 200 {
			t.Errorf("%s %s: record %d %s", mst, k, code, raw)
			continue
		}
		seller, _ := xmlsig.Seller(rec.Signatures)
		state := sim.SignatureState(tr)
		ok := rec.Status == hoadon.StatusStored && rec.SHA256 == tr.XMLSHA256
		switch state {
		case gdtsim.SigSigned:
			ok = ok && seller.Status == xmlsig.StatusValid && seller.Valid && seller.Chain == xmlsig.ChainTrusted &&
				seller.MST == tr.NBMST && seller.SigningTime != "" && seller.NotBefore != "" && rec.SignatureWarning == ""
		case gdtsim.SigTampered:
			ok = ok && seller.Status == xmlsig.StatusInvalid && !seller.Valid && strings.Contains(seller.Reason, "digest") &&
				strings.Contains(rec.SignatureWarning, "invalid")
		case gdtsim.SigUnsigned:
			ok = ok && seller.Status == xmlsig.StatusMissing && rec.SignatureWarning == ""
		}
		if !ok {
			t.Errorf("%s %s (%s): record %s", mst, k, state, raw)
		}
	}
}

func storedXML(t *testing.T, c *storage.Client, bucket, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	it := c.Bucket(bucket).Objects(ctx, &storage.Query{Prefix: prefix})
	for {
		a, err := it.Next()
		if err == iterator.Done {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(a.Name, ".xml") {
			continue
		}
		r, err := c.Bucket(bucket).Object(a.Name).NewReader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		s := sha256.Sum256(b)
		out[a.Name] = hex.EncodeToString(s[:])
	}
}

// checkEvents waits for the sink to hold the import's events, each once:
// signature_invalid ones for exactly the badSignature invoices (by key).
func checkEvents(t *testing.T, importID string, stored, unavailable int, badSignature map[string]bool) {
	t.Helper()
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	st := sink.NewStore(fs, nil)
	want := map[string]int{
		"vn.hoadon.import.started": 1, "vn.hoadon.discovery.completed": 1, "vn.hoadon.import.completed": 1,
		"vn.hoadon.invoice.stored": stored, "vn.hoadon.invoice.unavailable": unavailable,
		"vn.hoadon.invoice.signature_invalid": len(badSignature),
	}
	total := 0
	for _, n := range want {
		total += n
	}
	var got map[string]int
	var recs []sink.Received
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		recs, err = st.Received(ctx, importID)
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]int{}
		seen := map[string]bool{}
		for _, r := range recs {
			if seen[r.ID] {
				t.Fatalf("event %s recorded twice", r.ID)
			}
			seen[r.ID] = true
			got[r.Type]++
		}
		if len(recs) >= total {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("import %s: %d %s events received, want %d (all: %v)", importID, got[typ], typ, n, got)
		}
	}
	for _, r := range recs {
		if r.Type == "vn.hoadon.invoice.signature_invalid" && (!badSignature[r.Subject] || !strings.Contains(string(r.Data), `"signature":"invalid"`)) {
			t.Errorf("import %s: signature_invalid for %s, whose seller signature the simulator did not tamper with: %s", importID, r.Subject, r.Data)
		}
	}
}
