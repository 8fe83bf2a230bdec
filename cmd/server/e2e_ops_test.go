package main

import (
	"testing"

	"github.com/hoadon/hoadon/shared/opcount"
)

// opBudget is the most of each billable operation one stored invoice may cost in
// TestImportEndToEnd (three companies, two months, a portal with 5xx and 429 bursts, status
// polled every 100 ms; measured 2026-12-08, see docs/cost.md). docs/cost.md prices these operations: a change that needs more
// raises the budget here and says why there. The download path alone has its own, exact budget
// (shared/importer TestDownloadOperations: 4 reads and 7 writes per stored invoice).
var opBudget = map[opcount.Kind]float64{
	opcount.FirestoreRead:   200, // measured 40–50, and 133 when the machine's load stretched the run to 48 s: most are the test's own status polls (10/s per import), so they grow with the run's duration (the download's own reads: TestDownloadOperations)
	opcount.FirestoreWrite:  20,  // measured 15.8
	opcount.FirestoreDelete: 1,   // measured 0.05
	opcount.TasksCall:       4,   // measured 2.4 (the portal's 5xx make retries)
	opcount.GCSClassA:       4,   // measured 3.05: zip, xml, json per invoice and the import's report
	opcount.GCSClassB:       1,   // measured 0
}

// checkOpBudget fails when the operations counted since before exceed the budget per stored
// invoice, and logs them all.
func checkOpBudget(t *testing.T, before opcount.Snapshot, stored int) {
	t.Helper()
	if stored == 0 {
		t.Fatal("no invoice stored: no cost per invoice")
	}
	got := opcount.Take().Sub(before)
	for _, k := range opcount.Kinds() {
		per := float64(got[k.String()]) / float64(stored)
		t.Logf("%s: %d (%.2f per stored invoice)", k, got[k.String()], per)
		if b, ok := opBudget[k]; ok && per > b {
			t.Errorf("%s: %.2f per stored invoice, budget %.2f", k, per, b)
		}
	}
}
