package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/storage"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/store"
)

func init() {
	register(command{words: "migrate", usage: "[--bucket B] [--dry-run] [--json]",
		summary: "move data from before tenants into the default tenant's layout, build missing company summaries and list them (idempotent)", run: runMigrate})
}

// migrateReport is what hoadon migrate moved (or would move).
type migrateReport struct {
	store.MigrateReport
	Schedules int  `json:"schedules"`
	Summaries int  `json:"summaries"` // companies whose summary was built from their imports
	Listed    int  `json:"listed"`    // companies with a summary put on their tenant's list
	Objects   int  `json:"objects"`
	DryRun    bool `json:"dry_run"`
}

// runMigrate moves Firestore documents and GCS objects of the layout
// before tenants under the default tenant. Objects move first, so the
// documents that name them are rewritten only once the files are there.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	bucket := fs.String("bucket", os.Getenv("HOADON_BUCKET"), "bucket of invoice files (default $HOADON_BUCKET)")
	dry := fs.Bool("dry-run", false, "count what would move; change nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bucket == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: set --bucket (or HOADON_BUCKET) and nothing else", errUsage)
	}
	fsc, gcs, done, err := projectStorage(ctx)
	if err != nil {
		return err
	}
	defer done()
	rep := migrateReport{DryRun: *dry}
	if rep.Objects, err = blob.New(gcs, *bucket).MigrateLegacy(ctx, *dry); err != nil {
		return err
	}
	if rep.MigrateReport, err = store.New(fsc).MigrateTenants(ctx, *dry, blob.MigratedName); err != nil {
		return err
	}
	if rep.Schedules, err = schedule.NewStore(fsc).MigrateLegacy(ctx, *dry); err != nil {
		return err
	}
	if rep.Summaries, err = store.New(fsc).BackfillSummaries(ctx, *dry); err != nil {
		return err
	}
	if rep.Listed, err = store.New(fsc).ListAllCompanies(ctx, *dry); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	verb, built := "moved", "built"
	if *dry {
		verb, built = "would move", "would build"
	}
	fmt.Fprintf(stdout, "%s %d objects, %d imports (%d invoices), %d catalogue entries, %d credentials, %d schedules into tenant default; %s %d company summaries from their imports; %d companies on their tenant's list\n",
		verb, rep.Objects, rep.Imports, rep.Invoices, rep.Catalogue, rep.Credentials, rep.Schedules, built, rep.Summaries, rep.Listed)
	return nil
}

// projectStorage opens the project's Firestore and Cloud Storage for the
// operator commands that work on them directly (migrate, reverify); done
// closes both.
func projectStorage(ctx context.Context) (*firestore.Client, *storage.Client, func(), error) {
	fsc, err := projectFirestore(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		fsc.Close()
		return nil, nil, nil, err
	}
	return fsc, gcs, func() { gcs.Close(); fsc.Close() }, nil
}
