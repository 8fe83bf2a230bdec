package faults_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/gcp"
)

// TestLeftoverZIP: an earlier attempt stored an invoice's ZIP and died
// before finishing, and the portal's ZIP of the same invoice differs on the
// retry (its entries' timestamps need not be stable). The retry keeps the
// copy received first and stores the invoice: a different envelope around
// the same signed XML is not a conflict.
func TestLeftoverZIP(t *testing.T) {
	ctx := context.Background()
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gcs.Close()
	blobs := blob.New(gcs, h.Env["HOADON_BUCKET"])
	mst := company(coLeftover).MST
	earlier := []byte("PK\x03\x04 the ZIP an earlier attempt received")
	var leftovers []string
	for _, tr := range truth(coLeftover) {
		if tr.HasXML && len(leftovers) < 3 {
			name := strings.TrimSuffix(objectName(mst, tr), ".xml") + ".zip"
			if _, _, err := blobs.Put(ctx, name, earlier, "application/zip"); err != nil {
				t.Fatal(err)
			}
			leftovers = append(leftovers, name)
		}
	}
	id := start(t, coLeftover)
	st := finish(t, id)
	o := checkTruth(t, coLeftover, id, st, nil)
	for _, name := range leftovers {
		got, err := blobs.Get(ctx, name)
		if err != nil || string(got) != string(earlier) {
			t.Errorf("%s: %q, %v; want the earlier copy kept", name, got, err)
		}
	}
	t.Logf("%d invoices with a different ZIP left by an earlier attempt: earlier ZIPs kept; counts %v (want %d stored, %d unavailable, 0 failed)",
		len(leftovers), st["counts"], o.stored, o.unavailable)
}
