package faults_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/sink"
)

// truth is the simulator's ground truth for company i over the period.
func truth(i int) []gdtsim.Truth {
	f, _ := time.Parse(time.DateOnly, from)
	l, _ := time.Parse(time.DateOnly, to)
	return h.Stack.GDT().Invoices(company(i).MST, f, l)
}

// objectName is where an invoice's XML must be stored, spelled out here
// from the simulator's facts rather than taken from the code under test.
func objectName(mst string, tr gdtsim.Truth) string {
	dir := hoadon.Sold
	if strings.HasPrefix(tr.Flow, "mua_vao") {
		dir = hoadon.Purchase
	}
	k := hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
	return "tenants/default/invoices/" + mst + "/" + string(dir) + "/" + tr.Date[:4] + "/" + tr.Date[5:7] + "/" + k.String() + ".xml"
}

// outcome is what one finished import must show.
type outcome struct {
	stored, unavailable, failed int
}

// checkTruth requires the stored XML of company i (names and SHA-256) to be
// the ground truth minus the invoices in bad (by object name), the import's
// counts to be exact and every event to have reached the subscriber once.
func checkTruth(t *testing.T, i int, id string, st map[string]any, bad map[string]bool) outcome {
	t.Helper()
	mst := company(i).MST
	all := truth(i)
	want := map[string]string{}
	var o outcome
	for _, tr := range all {
		switch {
		case !tr.HasXML:
			o.unavailable++
		case bad[objectName(mst, tr)]:
			o.failed++
		default:
			want[objectName(mst, tr)] = tr.XMLSHA256
		}
	}
	o.stored = len(want)
	got := storedXML(t, "tenants/default/invoices/"+mst+"/")
	for name, sum := range want {
		if got[name] != sum {
			t.Errorf("%s: stored sha %q, want %q", name, got[name], sum)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected object %s", name)
		}
	}
	if count(st, "stored") != o.stored || count(st, "unavailable") != o.unavailable || count(st, "failed") != o.failed ||
		count(st, "skipped") != 0 || int(st["total"].(float64)) != len(all) {
		t.Errorf("counts %v total %v; want stored %d unavailable %d failed %d total %d",
			st["counts"], st["total"], o.stored, o.unavailable, o.failed, len(all))
	}
	checkEvents(t, id, o)
	return o
}

// storedXML reads every .xml object under prefix: name → SHA-256.
func storedXML(t *testing.T, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	c, err := gcp.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := c.Bucket(h.Env["HOADON_BUCKET"])
	out := map[string]string{}
	it := b.Objects(ctx, &storage.Query{Prefix: prefix})
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
		r, err := b.Object(a.Name).NewReader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(data)
		out[a.Name] = hex.EncodeToString(s[:])
	}
}

// received returns the events the subscriber recorded for an import,
// failing on any event recorded twice.
func received(t *testing.T, id string) []sink.Received {
	t.Helper()
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	recs, err := sink.NewStore(fs, nil).Received(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.ID] {
			t.Fatalf("event %s (%s) recorded twice", r.ID, r.Type)
		}
		seen[r.ID] = true
	}
	return recs
}

// checkEvents waits until the subscriber holds every event of the import
// and requires each type's count to be exact.
func checkEvents(t *testing.T, id string, o outcome) {
	t.Helper()
	want := map[string]int{
		"vn.hoadon.import.started": 1, "vn.hoadon.discovery.completed": 1, "vn.hoadon.import.completed": 1,
		"vn.hoadon.invoice.stored": o.stored, "vn.hoadon.invoice.unavailable": o.unavailable, "vn.hoadon.invoice.failed": o.failed,
	}
	total := 0
	for _, n := range want {
		total += n
	}
	var got map[string]int
	eventually(time.Minute, func() bool {
		got = map[string]int{}
		recs := received(t, id)
		for _, r := range recs {
			got[r.Type]++
		}
		return len(recs) >= total
	})
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%d %s events received, want %d (all: %v)", got[typ], typ, n, got)
		}
	}
}
