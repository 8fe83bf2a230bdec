package faults_test

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/throttle"
)

// storedRate reads rates/{mst}.rate as the server stored it in Firestore
// (0 while the company has no rate state).
func storedRate(t *testing.T, fs *firestore.Client, mst string) float64 {
	t.Helper()
	snap, err := fs.Collection("rates").Doc(mst).Get(context.Background())
	if err != nil {
		return 0
	}
	r, _ := snap.Data()["rate"].(float64)
	return r
}

// TestDiscoveryStorm: the portal answers 429 to every data request from
// the start of an import, so the storm meets discovery's list pages
// before any download exists. Their 429s lower the company's stored rate
// (rates/{mst} in Firestore) and its queue's; once the storm ends the
// import completes with everything stored, and the successes raise the
// rate again.
func TestDiscoveryStorm(t *testing.T) {
	sim, tc := h.Stack.GDT(), tasksClient(t)
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	mst, initial := company(coDiscoveryStorm).MST, throttle.DefaultConfig().InitialRate
	limited0, exports0 := statusCount(sim.Stats(), 429), exports(sim.Stats())
	sim.SetFaults(gdtsim.FaultOptions{RateLimitShare: 1, RateLimitFor: 300 * time.Millisecond})
	t.Cleanup(func() { sim.SetFaults(gdtsim.FaultOptions{}) })
	t0 := time.Now()
	id := start(t, coDiscoveryStorm)
	var low float64
	poll(t, time.Minute, "discovery's 429s lower rates/"+mst, func() bool {
		low = storedRate(t, fs, mst)
		return low > 0 && low < initial
	})
	lowered := time.Since(t0)
	downloads := exports(sim.Stats()) - exports0
	// The controller writes rates/{mst} first and sets the queue's rate
	// after: wait (bounded) until the queue follows, still inside the storm,
	// so no success can raise the rate meanwhile.
	poll(t, 30*time.Second, "the company queue follows rates/"+mst, func() bool {
		low = storedRate(t, fs, mst)
		_, qrate := queueState(t, tc, queueName(coDiscoveryStorm))
		return qrate == low
	})
	sim.SetFaults(gdtsim.FaultOptions{})
	limited := statusCount(sim.Stats(), 429) - limited0
	if downloads != 0 {
		t.Errorf("%d downloads ran before the rate was lowered: the storm did not meet discovery alone", downloads)
	}
	if low >= initial {
		t.Errorf("rates/%s at %v/s once the queue followed; want below the initial %v/s", mst, low, initial)
	}
	st := finish(t, id)
	o := checkTruth(t, coDiscoveryStorm, id, st, nil)
	final := storedRate(t, fs, mst)
	if final <= low {
		t.Errorf("rate stayed at %v/s after the storm; want it raised again by the successes", low)
	}
	t.Logf("discovery met %d answers 429; rates/%s fell from %.2f/s to %.3f/s within %.1fs, no download yet; "+
		"import completed (%d stored, %d unavailable), rate back up to %.2f/s", limited, mst, initial, low,
		lowered.Seconds(), o.stored, o.unavailable, final)
}
