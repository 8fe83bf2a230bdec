package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

func init() {
	register(command{words: "reverify", usage: "--company MST [--tenant T] [--bucket B] [--ca-file PEM] [--dry-run] [--json]",
		summary: "verify the signatures of a company's stored invoices again and record them (invoices stored before verification, a new trust store)", run: runReverify})
}

// runReverify works on the project's Firestore and bucket directly, as
// hoadon migrate does: an operator's maintenance command.
func runReverify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reverify", stderr)
	company := fs.String("company", "", "the company's MST (required)")
	tenant := fs.String("tenant", string(hoadon.DefaultTenant), "the tenant whose catalogue to update")
	bucket := fs.String("bucket", os.Getenv("HOADON_BUCKET"), "bucket of invoice files (default $HOADON_BUCKET)")
	caFile := fs.String("ca-file", os.Getenv("HOADON_TRUSTED_CA_FILE"), "PEM trust store for the certificate chains (default $HOADON_TRUSTED_CA_FILE; none: chain not_checked)")
	dry := fs.Bool("dry-run", false, "verify and count; record nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *company == "" || *bucket == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: set --company and --bucket (or HOADON_BUCKET), and nothing else", errUsage)
	}
	t, err := hoadon.ParseTenant(*tenant)
	if err != nil {
		return err
	}
	v, err := xmlsig.NewVerifier(*caFile)
	if err != nil {
		return fmt.Errorf("--ca-file: %w", err)
	}
	fsc, gcs, closeAll, err := projectStorage(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := importer.Reverify(ctx, store.New(fsc), blob.New(gcs, *bucket), v, t, *company, *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	done := fmt.Sprintf("%d recorded, %d stored again meanwhile", rep.Updated, rep.Skipped)
	if *dry {
		done = "dry run: nothing recorded"
	}
	fmt.Fprintf(stdout, "%s %s: %d stored invoices verified, %d valid seller signatures, %d with a seller warning; %s\n",
		rep.Tenant, rep.Company, rep.Checked, rep.Valid, rep.Warnings, done)
	for _, u := range rep.Unreadable {
		fmt.Fprintln(stdout, "unreadable:", u)
	}
	return nil
}
